/**
 * Ready-made layers for browsers: Provident's services over the browser
 * probe, with their state in IndexedDB (in memory, with a warning, where
 * IndexedDB is unavailable). Add `BrowserSnarkjsProver.layer()` to prove.
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
  type ResultCache
} from "@provident/core"
import type { ExecutorConfigInput } from "@provident/core/ExecutorConfig"
import type { ModelStore } from "@provident/core/ModelStore"
import type { MonitorConfigInput } from "@provident/core/MonitorConfig"
import type { PredictorConfigInput } from "@provident/core/PredictorConfig"
import { Layer } from "effect"
import * as BrowserCheckpointStore from "./BrowserCheckpointStore.ts"
import * as BrowserModelStore from "./BrowserModelStore.ts"
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
}

/** The resource monitor over this browser, with the probe exposed too. */
export const layerMonitor = (
  options: Options = {}
): Layer.Layer<ResourceMonitor.ResourceMonitor | ResourceProbe.ResourceProbe, ProvidentError.InvalidInput> =>
  ResourceMonitor.layer(options.monitor).pipe(Layer.provideMerge(BrowserResourceProbe.layer(options.probe)))

/**
 * Everything over this browser: the adaptive executor (checkpoints and
 * result cache in IndexedDB), the allocator, the predictor (its cost
 * models in IndexedDB) and the monitor, with the probe and the stores
 * exposed too. Add a `RemoteProver` layer for remote fallback. Invalid
 * options fail the layer with `InvalidInput` naming the field.
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
    Layer.provideMerge(ResourceAllocator.layer(options.allocator)),
    Layer.provideMerge(ResourcePredictor.layer(options.predictor)),
    Layer.provideMerge(Layer.mergeAll(
      layerMonitor(options),
      BrowserModelStore.layer(options.storage),
      BrowserCheckpointStore.layer(options.storage),
      BrowserResultCache.layer({ ...options.storage, ...(options.resultCacheSize === undefined ? {} : { capacity: options.resultCacheSize }) })
    ))
  )

/** Spans to the console or your own span processors, through `WebSdk`; see `BrowserTelemetry`. */
export const layerTelemetry = BrowserTelemetry.layer
