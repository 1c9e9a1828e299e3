/**
 * One allocator operation as the engine keeps it: the scheduler's record
 * (`scheduler.ts`) with the effect handles of the service (its body, the
 * caller's context and span, the deferreds its callers wait on, its fiber).
 */
import { Context, Deferred, type Effect, type Fiber, type Tracer } from "effect"
import type { Allocation } from "../AllocationDecision.ts"
import type { OperationCancelled } from "../AllocatorError.ts"
import type { OperationProfile } from "../OperationProfile.ts"
import * as Priority from "../Priority.ts"
import type { Need } from "./grant.ts"
import type { Op } from "./scheduler.ts"

export interface Handles {
  readonly body: ((allocation: Allocation) => Effect.Effect<unknown, unknown>) | undefined
  readonly context: Context.Context<never>
  readonly result: Deferred.Deferred<unknown, unknown>
  admitted: Deferred.Deferred<Allocation, OperationCancelled>
  fiber: Fiber.Fiber<unknown, unknown> | undefined
  /** The caller's `run` or `allocate` span, annotated at the first admission or at a refusal (then cleared). */
  span: Tracer.Span | undefined
}

export type Operation = Op<Handles>

/** Whether a value is an operation (rather than an error or an effect). */
export const isOperation = (value: object): value is Operation => (value as Partial<Operation>).handles !== undefined

/** A new operation, registered at `now` and not yet in line. */
export const make = (options: {
  readonly id: number
  readonly profile: OperationProfile
  readonly need: Need
  readonly body: Handles["body"]
  readonly context: Context.Context<never>
  readonly now: number
}): Operation => {
  const { body, profile } = options
  return {
    id: options.id,
    name: profile.name,
    profile,
    priority: profile.priority,
    rank: Priority.rank(profile.priority),
    estimatedDuration: profile.estimatedDuration,
    need: options.need,
    hasBody: body !== undefined,
    state: "queued",
    waiting: false,
    queuedAt: options.now,
    startedAt: undefined,
    runs: 0,
    evicted: false,
    grant: undefined,
    stopping: undefined,
    handles: {
      body,
      // Only a body runs in the caller's context; a hold keeps none alive.
      context: body === undefined ? Context.empty() : options.context,
      result: Deferred.makeUnsafe(),
      admitted: Deferred.makeUnsafe(),
      fiber: undefined,
      span: undefined
    }
  }
}
