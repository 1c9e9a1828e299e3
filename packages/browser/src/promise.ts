/**
 * The Promise facade in a browser: the spec's classes and enums, with
 * `ResourceMonitor` bound to this page (`BrowserResourceProbe`: heap or page
 * memory, cores, Compute Pressure, battery, network, storage), and learned
 * cost models, progressive checkpoints and finished results in IndexedDB (in
 * memory, with a warning, where IndexedDB is unavailable; `storage: {
 * indexedDB: null }` asks for that). The classes are
 * `@provident/core/promise`'s: see there, and the README's "Promise API"
 * section.
 *
 * No remote prover is bound yet, so an `AdaptiveComputation` skips
 * `FALLBACK_COMPUTATION` ("no remote prover is configured") even with a
 * `serverFallbackEndpoint`.
 *
 * ```ts
 * import { ResourceMonitor, ResourceAllocator, ResourcePriority } from "@provident/browser/promise"
 * await using monitor = new ResourceMonitor({ sampleInterval: 1000 })
 * const allocator = new ResourceAllocator(monitor)
 * const decision = await allocator.requestAllocation({ name: "proof", estimatedMemory: 2 ** 30, priority: ResourcePriority.HIGH })
 * ```
 *
 * @since 0.1.0
 */
import * as Facade from "@provident/core/promise"
import { Layer } from "effect"
import * as BrowserCheckpointStore from "./BrowserCheckpointStore.ts"
import * as BrowserModelStore from "./BrowserModelStore.ts"
import * as BrowserResourceProbe from "./BrowserResourceProbe.ts"
import * as BrowserResultCache from "./BrowserResultCache.ts"
import type * as Idb from "./internal/idb.ts"

export {
  AdaptiveComputation,
  type AdaptiveComputationOptions,
  type Allocation,
  type AllocationDecision,
  AllocationStrategy,
  type ComputationFunction,
  type ComputationProfile,
  type ComputationProgress,
  type ComputationResources,
  type ComputationResult,
  ComputationStrategy,
  type CustomStrategyFn,
  type ExecuteComputationOptions,
  type OperationPredictionResult,
  type OperationProfile,
  type OperationStatus,
  type OperationWork,
  ResourceAllocator,
  type ResourceAllocatorOptions,
  type ResourceCallback,
  type ResourceMonitorOptions,
  ResourcePrediction,
  type ResourcePredictionOptions,
  ResourcePriority,
  type ResourceSnapshot,
  type ResourceTrend,
  type SystemPrediction
} from "@provident/core/promise"

/** Where the browser platform reads and keeps things; every field has a default. */
export interface BrowserOptions {
  readonly probe?: BrowserResourceProbe.Options
  /** The IndexedDB database of the stores (default `provident`), or `indexedDB: null` to keep everything in memory. */
  readonly storage?: Idb.Options
  /** Entries of the result cache (default 256). */
  readonly resultCacheSize?: number
}

/** The browser platform: this page's probe and the IndexedDB stores. A fresh value per monitor. */
export const platform = (options: BrowserOptions = {}): Facade.Platform.Platform => ({
  // The platform's probe cannot fail; an invalid probe option still reaches
  // the caller, as a `TypeError` naming it, from the monitor's first call.
  probe: Layer.orDie(BrowserResourceProbe.layer(options.probe)),
  modelStore: BrowserModelStore.layer(options.storage),
  checkpointStore: BrowserCheckpointStore.layer(options.storage),
  resultCache: BrowserResultCache.layer({
    ...options.storage,
    ...(options.resultCacheSize === undefined ? {} : { capacity: options.resultCacheSize })
  })
})

/**
 * The spec's `ResourceMonitor` over this page. `options` are the spec's
 * (validated now: a bad one throws a `TypeError` naming it); `browser` says
 * where the probe and the stores look, for tests and unusual setups.
 */
export class ResourceMonitor extends Facade.ResourceMonitor {
  constructor(options?: Facade.ResourceMonitorOptions, browser?: BrowserOptions) {
    super(platform(browser), options)
  }
}
