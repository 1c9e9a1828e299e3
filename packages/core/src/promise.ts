/**
 * The Promise facade: the spec's classes (`ResourceMonitor`,
 * `ResourceAllocator`, `AdaptiveComputation`, `ResourcePrediction`) and
 * enums over Provident's Effect services, for code that does not use Effect.
 * The classes hold no logic: each runs a service on a `ManagedRuntime`, and
 * the objects built over one monitor share its memo map.
 *
 * This is the platform-free part: `ResourceMonitor` here takes a `Platform`
 * (probe and stores). Use `@provident/node/promise`, whose `ResourceMonitor`
 * has the Node platform bound, or `Platform.simulated()` in tests.
 *
 * @since 0.1.0
 */
export {
  AdaptiveComputation,
  type AdaptiveComputationOptions,
  type ComputationFunction,
  type ComputationProgress,
  type ComputationResources,
  type ComputationResult,
  type ExecuteComputationOptions
} from "./promise/AdaptiveComputation.ts"
export { AllocationStrategy, ComputationStrategy, ResourcePriority } from "./promise/Enums.ts"
export * as Platform from "./promise/Platform.ts"
export {
  type CustomStrategyFn,
  type OperationWork,
  ResourceAllocator,
  type ResourceAllocatorOptions
} from "./promise/ResourceAllocator.ts"
export { type ResourceCallback, ResourceMonitor, type ResourceMonitorOptions } from "./promise/ResourceMonitor.ts"
export {
  type OperationPredictionResult,
  ResourcePrediction,
  type ResourcePredictionOptions,
  type ResourceTrend,
  type SystemPrediction
} from "./promise/ResourcePrediction.ts"
export type { Allocation, AllocationDecision } from "./AllocationDecision.ts"
export type { ComputationProfile } from "./ComputationProfile.ts"
export type { OperationProfileLike as OperationProfile } from "./promise/ResourceAllocator.ts"
export type { OperationStatus } from "./OperationStatus.ts"
export type { ResourceSnapshot } from "./ResourceSnapshot.ts"
