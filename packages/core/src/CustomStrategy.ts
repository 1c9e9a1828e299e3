/**
 * A custom allocation strategy (the spec's `customStrategyFn`): a function
 * that decides each request itself. Its answer is decoded with Schema and
 * clamped to the configured caps and to what is free, so a custom strategy
 * can refuse or shrink a request but never break the budget.
 *
 * @since 0.1.0
 */
import { type Effect, Schema } from "effect"
import type { Resources } from "./AllocationDecision.ts"
import type { DeviceInfo } from "./DeviceInfo.ts"
import { Bytes, NonNegative } from "./internal/units.ts"
import type { OperationProfile } from "./OperationProfile.ts"
import type { ResourceSnapshot } from "./ResourceSnapshot.ts"

export interface Input {
  readonly profile: OperationProfile
  readonly snapshot: ResourceSnapshot
  readonly device: DeviceInfo
  /** The caps: `maxMemoryPercentage` of the memory others leave free, `maxCpuPercentage` of the cores. */
  readonly budget: Resources
  /** What is free of the budget now. */
  readonly free: Resources
}

export const Decision = Schema.Struct({
  approved: Schema.Boolean,
  /** Bytes to grant; default: the profile's recommended memory. */
  allocatedMemory: Schema.optionalKey(Bytes),
  /** Cores to grant; default: the profile's recommended cores. */
  allocatedCores: Schema.optionalKey(NonNegative),
  /** Why it was refused, for the denial. */
  reason: Schema.optionalKey(Schema.String)
})
export type Decision = typeof Decision.Type

/** The strategy: may fail or die; either counts as a refusal with the cause as reason. */
export type CustomStrategy = (input: Input) => Effect.Effect<Decision, unknown>
