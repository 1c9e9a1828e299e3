/**
 * Provident's platform-free core: the domain schemas, errors, the resource
 * probe seam, and the resource monitor, allocator and predictor.
 *
 * @since 0.1.0
 */
export * as AllocationDecision from "./AllocationDecision.ts"
export * as AllocatorConfig from "./AllocatorConfig.ts"
export * as AllocatorError from "./AllocatorError.ts"
export * as Completion from "./Completion.ts"
export * as ComputationProfile from "./ComputationProfile.ts"
export * as CustomStrategy from "./CustomStrategy.ts"
export * as DeviceInfo from "./DeviceInfo.ts"
export * as Forecast from "./Forecast.ts"
export * as ModelStore from "./ModelStore.ts"
export * as MonitorConfig from "./MonitorConfig.ts"
export * as OperationProfile from "./OperationProfile.ts"
export * as OperationStatus from "./OperationStatus.ts"
export * as PredictorConfig from "./PredictorConfig.ts"
export * as PressureState from "./PressureState.ts"
export * as Priority from "./Priority.ts"
export * as Prover from "./Prover.ts"
export * as ProverError from "./ProverError.ts"
export * as ProvidentError from "./ProvidentError.ts"
export * as ResourceAllocator from "./ResourceAllocator.ts"
export * as ResourceMonitor from "./ResourceMonitor.ts"
export * as ResourcePredictor from "./ResourcePredictor.ts"
export * as ResourceProbe from "./ResourceProbe.ts"
export * as ResourceRequirement from "./ResourceRequirement.ts"
export * as ResourceSnapshot from "./ResourceSnapshot.ts"
export * as ThresholdEvent from "./ThresholdEvent.ts"
