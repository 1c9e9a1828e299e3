/**
 * Ready-made layers for Node.js: Provident's services over the Node probe.
 *
 * @since 0.1.0
 */
import { type ProvidentError, ResourceAllocator, ResourceMonitor, ResourcePredictor, type ResourceProbe } from "@provident/core"
import type { ModelStore } from "@provident/core/ModelStore"
import type { MonitorConfigInput } from "@provident/core/MonitorConfig"
import type { PredictorConfigInput } from "@provident/core/PredictorConfig"
import { Layer } from "effect"
import * as NodeModelStore from "./NodeModelStore.ts"
import * as NodeResourceProbe from "./NodeResourceProbe.ts"

export interface Options {
  readonly monitor?: MonitorConfigInput
  readonly predictor?: PredictorConfigInput
  readonly allocator?: ResourceAllocator.Options
  readonly probe?: NodeResourceProbe.Options
  /** Where learned cost models are kept (default: the user's cache directory). */
  readonly modelStore?: NodeModelStore.Options
}

/** The resource monitor over this machine's hardware, with the probe exposed too. */
export const layerMonitor = (
  options: Options = {}
): Layer.Layer<ResourceMonitor.ResourceMonitor | ResourceProbe.ResourceProbe, ProvidentError.InvalidInput> =>
  ResourceMonitor.layer(options.monitor).pipe(Layer.provideMerge(NodeResourceProbe.layer(options.probe)))

/**
 * Monitor, predictor (its cost models in a file) and allocator over this
 * machine's hardware, with the probe and the model store exposed too. The
 * allocator uses the predictor's forecasts. Invalid options fail the layer
 * with `InvalidInput` naming the field.
 */
export const layer = (
  options: Options = {}
): Layer.Layer<
  | ResourceAllocator.ResourceAllocator
  | ResourcePredictor.ResourcePredictor
  | ResourceMonitor.ResourceMonitor
  | ResourceProbe.ResourceProbe
  | ModelStore,
  ProvidentError.InvalidInput
> =>
  ResourceAllocator.layer(options.allocator).pipe(
    Layer.provideMerge(ResourcePredictor.layer(options.predictor)),
    Layer.provideMerge(Layer.merge(layerMonitor(options), NodeModelStore.layer(options.modelStore)))
  )
