/**
 * Ready-made layers for Node.js: Provident's services over the Node probe.
 *
 * @since 0.1.0
 */
import {
  AdaptiveExecutor,
  type CheckpointStore,
  type HttpRemoteProver,
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
import { Effect, Layer } from "effect"
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
  /**
   * `provident serve` endpoints, each with its bearer token, for
   * `FALLBACK_COMPUTATION` (default: none, so the executor skips it). Proofs
   * come back verified by a verifier of the layer's own; inputs leave this
   * machine only when the executor or the call sets `allowRemote`.
   */
  readonly remote?: HttpRemoteProver.Options
}

/** The resource monitor over this machine's hardware, with the probe exposed too. */
export const layerMonitor = (
  options: Options = {}
): Layer.Layer<ResourceMonitor.ResourceMonitor | ResourceProbe.ResourceProbe, ProvidentError.InvalidInput> =>
  ResourceMonitor.layer(options.monitor).pipe(Layer.provideMerge(NodeResourceProbe.layer(options.probe)))

/**
 * Everything over this machine's hardware: the adaptive executor (with file
 * checkpoints, an in-memory result cache and, given `remote`, the HTTP
 * remote prover), the allocator, the predictor (its cost models in a file)
 * and the monitor, with the probe and the stores exposed too. Invalid
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
    // Only the executor uses it: it calls whichever `RemoteProver` is in its context.
    Layer.provide(options.remote === undefined ? Layer.empty : remoteLayer(options.remote)),
    Layer.provideMerge(ResourceAllocator.layer(options.allocator)),
    Layer.provideMerge(ResourcePredictor.layer(options.predictor)),
    Layer.provideMerge(Layer.mergeAll(
      ResourceMonitor.layer(options.monitor).pipe(Layer.provideMerge(probe)),
      NodeModelStore.layer(options.modelStore),
      NodeCheckpointStore.layer(options.checkpoints),
      ResultCache.layerMemory(options.resultCacheSize)
    ))
  )

/**
 * `NodeRemoteProver.layer`, loaded only when a remote is configured: its
 * HTTP client (undici) adds ~40 MB to a process that never proves remotely.
 */
const remoteLayer = (options: HttpRemoteProver.Options) =>
  Layer.unwrap(Effect.promise(() => import("./NodeRemoteProver.ts")).pipe(Effect.map((remote) => remote.layer(options))))

/** Traces and metrics over OTLP/HTTP (`OTEL_EXPORTER_OTLP_ENDPOINT`), to the console or to your own span processors and metric readers; see `NodeTelemetry`. */
export const layerTelemetry = NodeTelemetry.layer
