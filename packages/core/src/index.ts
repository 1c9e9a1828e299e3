/**
 * Provident's platform-free core: the domain schemas, errors, the resource
 * probe seam and the resource monitor.
 *
 * @since 0.1.0
 */
export * as ComputationProfile from "./ComputationProfile.ts"
export * as DeviceInfo from "./DeviceInfo.ts"
export * as MonitorConfig from "./MonitorConfig.ts"
export * as OperationProfile from "./OperationProfile.ts"
export * as PressureState from "./PressureState.ts"
export * as Priority from "./Priority.ts"
export * as ProvidentError from "./ProvidentError.ts"
export * as ResourceMonitor from "./ResourceMonitor.ts"
export * as ResourceProbe from "./ResourceProbe.ts"
export * as ResourceRequirement from "./ResourceRequirement.ts"
export * as ResourceSnapshot from "./ResourceSnapshot.ts"
export * as ThresholdEvent from "./ThresholdEvent.ts"
