/**
 * Named operations as the allocator reports them: their state, and the
 * events of the `operations` stream (one per state change).
 *
 * States: `queued` (registered or waiting for admission) → `running`
 * (holding resources) → `completed` | `failed` | `cancelled`; a running or
 * queued operation may be `paused` (its fiber interrupted, its resources
 * released) and later resumed (`queued` again, then restarted).
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { Allocation, Resources } from "./AllocationDecision.ts"
import { Millis } from "./internal/units.ts"
import { Priority } from "./Priority.ts"

export const OperationState = Schema.Literals(["queued", "running", "paused", "completed", "failed", "cancelled"])
export type OperationState = typeof OperationState.Type

const Count = Schema.Int.check(Schema.isGreaterThanOrEqualTo(0))

export const OperationEvent = Schema.Struct({
  name: Schema.String,
  state: OperationState,
  priority: Priority,
  at: Millis,
  restarts: Count,
  /** Why, where it is not obvious: `evicted`, `resumed`, `cancelled by caller`, … */
  reason: Schema.optionalKey(Schema.String),
  /** On `running`: what was granted. */
  allocation: Schema.optionalKey(Allocation),
  /** On `running`: everything granted, this operation included, and the budget it was admitted under. */
  granted: Schema.optionalKey(Resources),
  budget: Schema.optionalKey(Resources)
})
export type OperationEvent = typeof OperationEvent.Type

export const OperationStatus = Schema.Struct({
  name: Schema.String,
  state: OperationState,
  priority: Priority,
  restarts: Count,
  /** Paused by eviction, and resumed automatically when memory pressure clears. */
  evicted: Schema.Boolean,
  allocation: Schema.optionalKey(Allocation)
})
export type OperationStatus = typeof OperationStatus.Type
