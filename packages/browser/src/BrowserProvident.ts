/**
 * Ready-made layers for browsers: Provident's services over the browser
 * probe, with their state in IndexedDB (in memory, with a warning, where
 * IndexedDB is unavailable). Add `BrowserSnarkjsProver.layer()` to prove;
 * give `remote` endpoints to fall back on a `provident serve`.
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
  type ResultCache
} from "@provident/core"
import type { ExecutorConfigInput } from "@provident/core/ExecutorConfig"
import type { ModelStore } from "@provident/core/ModelStore"
import type { MonitorConfigInput } from "@provident/core/MonitorConfig"
import type { PredictorConfigInput } from "@provident/core/PredictorConfig"
import { Layer } from "effect"
import * as BrowserCheckpointStore from "./BrowserCheckpointStore.ts"
import * as BrowserModelStore from "./BrowserModelStore.ts"
import * as BrowserRemoteProver from "./BrowserRemoteProver.ts"
import * as BrowserResourceProbe from "./BrowserResourceProbe.ts"
import * as BrowserResultCache from "./BrowserResultCache.ts"
import * as BrowserTelemetry from "./BrowserTelemetry.ts"
import type * as Idb from "./internal/idb.ts"

export interface Options {
  readonly monitor?: MonitorConfigInput
  readonly predictor?: PredictorConfigInput
  readonly allocator?: ResourceAllocator.Options
  readonly executor?: ExecutorConfigInput
  readonly probe?: BrowserResourceProbe.Options
  /** The IndexedDB database of the stores (default `provident`), or `indexedDB: null` to keep everything in memory. */
  readonly storage?: Idb.Options
  /** Entries of the result cache (default 256). */
  readonly resultCacheSize?: number
  /**
   * `provident serve` endpoints, each with its bearer token, for
   * `FALLBACK_COMPUTATION` (default: none, so the executor skips it). Each
   * server must allow this page's origin (`--cors-origin`). Proofs come back
   * verified in the page; inputs leave it only when the executor or the call
   * sets `allowRemote`.
   */
  readonly remote?: HttpRemoteProver.Options
}

/** The resource monitor over this browser, with the probe exposed too. */
export const layerMonitor = (
  options: Options = {}
): Layer.Layer<ResourceMonitor.ResourceMonitor | ResourceProbe.ResourceProbe, ProvidentError.InvalidInput> =>
  ResourceMonitor.layer(options.monitor).pipe(Layer.provideMerge(BrowserResourceProbe.layer(options.probe)))

/**
 * Everything over this browser: the adaptive executor (checkpoints and
 * result cache in IndexedDB and, given `remote`, the HTTP remote prover),
 * the allocator, the predictor (its cost models in IndexedDB) and the
 * monitor, with the probe and the stores exposed too. Invalid options fail
 * the layer with `InvalidInput` naming the field.
 */
export const layer = (
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
  ProvidentError.InvalidInput
> =>
  AdaptiveExecutor.layer(options.executor).pipe(
    // Only the executor uses it: it calls whichever `RemoteProver` is in its context.
    Layer.provide(options.remote === undefined ? Layer.empty : BrowserRemoteProver.layer(options.remote)),
    Layer.provideMerge(ResourceAllocator.layer(options.allocator)),
    Layer.provideMerge(ResourcePredictor.layer(options.predictor)),
    Layer.provideMerge(Layer.mergeAll(
      layerMonitor(options),
      BrowserModelStore.layer(options.storage),
      BrowserCheckpointStore.layer(options.storage),
      BrowserResultCache.layer({ ...options.storage, ...(options.resultCacheSize === undefined ? {} : { capacity: options.resultCacheSize }) })
    ))
  )

/** Traces and metrics over OTLP/HTTP, to the console or to your own span processors and metric readers, through `WebSdk`; see `BrowserTelemetry`. */
export const layerTelemetry = BrowserTelemetry.layer
