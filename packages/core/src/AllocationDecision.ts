/**
 * What the allocator decides about a request: granted or not, how much, why
 * not, and what the caller can do instead. `Allocation` is a granted hold on
 * resources, released when its scope closes.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { Bytes, Millis, NonNegative } from "./internal/units.ts"
import { Priority } from "./Priority.ts"

/** Resources as the allocator counts them: bytes and cores. */
export const Resources = Schema.Struct({ memory: Bytes, cores: NonNegative })
export type Resources = typeof Resources.Type

/**
 * Why a request was not granted now.
 * - `oversized-memory`, `oversized-cores`: more than the whole budget; waiting will not help.
 * - `insufficient-memory`, `insufficient-cores`: more than is free now; waiting may.
 * - `critical-pressure`: the device is under critical pressure; nothing new starts.
 * - `custom`: the custom strategy refused.
 */
export const DenialCode = Schema.Literals([
  "oversized-memory",
  "oversized-cores",
  "insufficient-memory",
  "insufficient-cores",
  "critical-pressure",
  "custom"
])
export type DenialCode = typeof DenialCode.Type

export const DenialReason = Schema.Struct({ code: DenialCode, message: Schema.String })
export type DenialReason = typeof DenialReason.Type

/** Something the caller can do instead, most promising first. */
export const FallbackOption = Schema.Struct({
  kind: Schema.Literals(["wait", "reduce-parallelism", "reduce-memory", "smaller-circuit", "remote"]),
  description: Schema.String,
  estimatedWaitMs: Schema.optionalKey(Millis),
  cores: Schema.optionalKey(NonNegative),
  memory: Schema.optionalKey(Bytes)
})
export type FallbackOption = typeof FallbackOption.Type

export const AllocationDecision = Schema.Struct({
  name: Schema.String,
  approved: Schema.Boolean,
  allocatedMemory: Bytes,
  allocatedCores: NonNegative,
  /** The strategy whose budget applied (adaptive resolves to one of the others). */
  strategy: Schema.String,
  budget: Resources,
  free: Resources,
  reasons: Schema.Array(DenialReason),
  recommendations: Schema.Array(Schema.String),
  fallbackOptions: Schema.Array(FallbackOption)
})
export type AllocationDecision = typeof AllocationDecision.Type

/** A granted hold on resources. */
export const Allocation = Schema.Struct({
  name: Schema.String,
  priority: Priority,
  memory: Bytes,
  cores: NonNegative,
  grantedAt: Millis,
  /** How long the operation waited for admission, this time round. */
  waitedMs: Millis,
  /** Admissions before this one: 0 on the first run, then one more per resume after a pause. */
  restarts: Schema.Int.check(Schema.isGreaterThanOrEqualTo(0))
})
export type Allocation = typeof Allocation.Type
