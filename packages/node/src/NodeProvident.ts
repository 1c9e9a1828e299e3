/**
 * Ready-made layers for Node.js: Provident's services over the Node probe.
 *
 * @since 0.1.0
 */
import { type ProvidentError, ResourceAllocator, ResourceMonitor, type ResourceProbe } from "@provident/core"
import type { MonitorConfigInput } from "@provident/core/MonitorConfig"
import { Layer } from "effect"
import * as NodeResourceProbe from "./NodeResourceProbe.ts"

export interface Options {
  readonly monitor?: MonitorConfigInput
  readonly allocator?: ResourceAllocator.Options
  readonly probe?: NodeResourceProbe.Options
}

/** The resource monitor over this machine's hardware, with the probe exposed too. */
export const layerMonitor = (
  options: Options = {}
): Layer.Layer<ResourceMonitor.ResourceMonitor | ResourceProbe.ResourceProbe, ProvidentError.InvalidInput> =>
  ResourceMonitor.layer(options.monitor).pipe(Layer.provideMerge(NodeResourceProbe.layer(options.probe)))

/**
 * Monitor and allocator over this machine's hardware (the probe exposed
 * too). Invalid options fail the layer with `InvalidInput` naming the field.
 */
export const layer = (
  options: Options = {}
): Layer.Layer<
  ResourceAllocator.ResourceAllocator | ResourceMonitor.ResourceMonitor | ResourceProbe.ResourceProbe,
  ProvidentError.InvalidInput
> => ResourceAllocator.layer(options.allocator).pipe(Layer.provideMerge(layerMonitor(options)))
