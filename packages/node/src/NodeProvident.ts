/**
 * Ready-made layers for Node.js: Provident's services over the Node probe.
 *
 * @since 0.1.0
 */
import { ResourceMonitor, type ProvidentError, type ResourceProbe } from "@provident/core"
import type { MonitorConfigInput } from "@provident/core/MonitorConfig"
import { Layer } from "effect"
import * as NodeResourceProbe from "./NodeResourceProbe.ts"

export interface Options {
  readonly monitor?: MonitorConfigInput
  readonly probe?: NodeResourceProbe.Options
}

/**
 * The resource monitor over this machine's hardware, with the probe exposed
 * too. Invalid monitor options fail the layer with `InvalidInput`.
 */
export const layer = (
  options: Options = {}
): Layer.Layer<ResourceMonitor.ResourceMonitor | ResourceProbe.ResourceProbe, ProvidentError.InvalidInput> =>
  ResourceMonitor.layer(options.monitor).pipe(Layer.provideMerge(NodeResourceProbe.layer(options.probe)))
