/**
 * Ready-made layers for Node.js: Provident's services over the Node probe.
 *
 * @since 0.1.0
 */
import {
  AdaptiveExecutor,
  type CheckpointStore,
  type ProvidentError,
  ResourceAllocator,
  ResourceMonitor,
  ResourcePredictor,
  type ResourceProbe,
  ResultCache
} from "@provident/core"
import type { ExecutorConfigInput } from "@provident/core/ExecutorConfig"
import type { ModelStore } from "@provident/core/ModelStore"
import type { MonitorConfigInput } from "@provident/core/MonitorConfig"
import type { PredictorConfigInput } from "@provident/core/PredictorConfig"
import { Layer } from "effect"
import * as NodeCheckpointStore from "./NodeCheckpointStore.ts"
import * as NodeModelStore from "./NodeModelStore.ts"
import * as NodeResourceProbe from "./NodeResourceProbe.ts"
import * as NodeTelemetry from "./NodeTelemetry.ts"

export interface Options {
  readonly monitor?: MonitorConfigInput
  readonly predictor?: PredictorConfigInput
  readonly allocator?: ResourceAllocator.Options
  readonly executor?: ExecutorConfigInput
  readonly probe?: NodeResourceProbe.Options
  /** Where learned cost models are kept (default: the user's cache directory). */
  readonly modelStore?: NodeModelStore.Options
  /** Where progressive checkpoints are kept (default: the user's cache directory). */
  readonly checkpoints?: NodeCheckpointStore.Options
  /** Entries of the in-memory result cache (default 256). */
  readonly resultCacheSize?: number
}

/** The resource monitor over this machine's hardware, with the probe exposed too. */
export const layerMonitor = (
  options: Options = {}
): Layer.Layer<ResourceMonitor.ResourceMonitor | ResourceProbe.ResourceProbe, ProvidentError.InvalidInput> =>
  ResourceMonitor.layer(options.monitor).pipe(Layer.provideMerge(NodeResourceProbe.layer(options.probe)))

/**
 * Everything over this machine's hardware: the adaptive executor (with file
 * checkpoints and an in-memory result cache), the allocator, the predictor
 * (its cost models in a file) and the monitor, with the probe and the stores
 * exposed too. Add a `RemoteProver` layer for remote fallback. Invalid
 * options fail the layer with `InvalidInput` naming the field.
 */
export const layer = (options: Options = {}) => layerOver(NodeResourceProbe.layer(options.probe), options)

/** The same services over another probe (a wrapped or simulated one). */
export const layerOver = <E>(
  probe: Layer.Layer<ResourceProbe.ResourceProbe, E>,
  options: Options = {}
): Layer.Layer<
  | AdaptiveExecutor.AdaptiveExecutor
  | ResourceAllocator.ResourceAllocator
  | ResourcePredictor.ResourcePredictor
  | ResourceMonitor.ResourceMonitor
  | ResourceProbe.ResourceProbe
  | ModelStore
  | CheckpointStore.CheckpointStore
  | ResultCache.ResultCache,
  ProvidentError.InvalidInput | E
> =>
  AdaptiveExecutor.layer(options.executor).pipe(
    Layer.provideMerge(ResourceAllocator.layer(options.allocator)),
    Layer.provideMerge(ResourcePredictor.layer(options.predictor)),
    Layer.provideMerge(Layer.mergeAll(
      ResourceMonitor.layer(options.monitor).pipe(Layer.provideMerge(probe)),
      NodeModelStore.layer(options.modelStore),
      NodeCheckpointStore.layer(options.checkpoints),
      ResultCache.layerMemory(options.resultCacheSize)
    ))
  )

/** Traces and metrics over OTLP/HTTP (`OTEL_EXPORTER_OTLP_ENDPOINT`) or the console; see `NodeTelemetry`. */
export const layerTelemetry = NodeTelemetry.layer
