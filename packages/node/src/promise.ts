/**
 * The Promise facade on Node.js: the spec's classes and enums, with
 * `ResourceMonitor` bound to this machine (`NodeResourceProbe`: os, cgroups,
 * PSI, …), learned cost models in `cost-models.json` and progressive
 * checkpoints in `checkpoints/` under Provident's cache directory, and an
 * in-memory result cache. The classes are `@provident/core/promise`'s: see
 * there, and the README's "Promise API" section.
 *
 * ```ts
 * import { ResourceMonitor, ResourceAllocator, ResourcePriority } from "@provident/node/promise"
 * await using monitor = new ResourceMonitor({ sampleInterval: 1000 })
 * const allocator = new ResourceAllocator(monitor)
 * const decision = await allocator.requestAllocation({ name: "proof", estimatedMemory: 2 ** 30, priority: ResourcePriority.HIGH })
 * ```
 *
 * @since 0.1.0
 */
import * as Facade from "@provident/core/promise"
import { ResultCache } from "@provident/core"
import * as NodeCheckpointStore from "./NodeCheckpointStore.ts"
import * as NodeModelStore from "./NodeModelStore.ts"
import * as NodeResourceProbe from "./NodeResourceProbe.ts"

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

/** Where the Node platform reads and keeps things; every field has a default. */
export interface NodeOptions {
  readonly probe?: NodeResourceProbe.Options
  /** The cost-model file (default: `cost-models.json` in the cache directory). */
  readonly modelStore?: NodeModelStore.Options
  /** The checkpoint directory (default: `checkpoints` in the cache directory). */
  readonly checkpoints?: NodeCheckpointStore.Options
  /** Entries of the in-memory result cache (default 256). */
  readonly resultCacheSize?: number
}

/** The Node platform: this machine's probe and the file stores. A fresh value per monitor. */
export const platform = (options: NodeOptions = {}): Facade.Platform.Platform => ({
  probe: NodeResourceProbe.layer(options.probe),
  modelStore: NodeModelStore.layer(options.modelStore),
  checkpointStore: NodeCheckpointStore.layer(options.checkpoints),
  resultCache: ResultCache.layerMemory(options.resultCacheSize)
})

/**
 * The spec's `ResourceMonitor` over this machine. `options` are the spec's
 * (validated now: a bad one throws a `TypeError` naming it); `node` says
 * where the probe and the stores look, for tests and unusual setups.
 */
export class ResourceMonitor extends Facade.ResourceMonitor {
  constructor(options?: Facade.ResourceMonitorOptions, node?: NodeOptions) {
    super(platform(node), options)
  }
}
