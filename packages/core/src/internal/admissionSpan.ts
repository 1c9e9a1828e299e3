/**
 * What the allocator writes on the span of an admission decision (`allocate`,
 * `run`, `start`): the priority, what was requested, and either what was
 * granted and how long it waited, or why it was refused.
 */
import { Context, type Fiber, Tracer } from "effect"
import type { Allocation } from "../AllocationDecision.ts"
import type { Priority } from "../Priority.ts"
import type { Need } from "./grant.ts"

/** What the span says of the operation itself. */
interface Requested {
  readonly priority: Priority
  readonly need: Need
}

/** The span `Effect.annotateCurrentSpan` would annotate on this fiber, if any. */
export const spanOf = (fiber: Fiber.Fiber<unknown, unknown>): Tracer.Span | undefined => {
  const span = Context.getOrUndefined(fiber.context, Tracer.ParentSpan)
  return span !== undefined && span._tag === "Span" ? span : undefined
}

const annotateRequest = (span: Tracer.Span, op: Requested): void => {
  span.attribute("provident.priority", op.priority)
  span.attribute("provident.requested_memory", op.need.memory.rec)
  span.attribute("provident.requested_cores", op.need.cores.rec)
}

/** An admission: priority, requested, granted, waited, `decision = admitted`. */
export const annotateAdmission = (span: Tracer.Span | undefined, op: Requested, allocation: Allocation): void => {
  if (span === undefined || span.status._tag === "Ended") return
  annotateRequest(span, op)
  span.attribute("provident.granted_memory", allocation.memory)
  span.attribute("provident.granted_cores", allocation.cores)
  span.attribute("provident.waited_ms", allocation.waitedMs)
  span.attribute("provident.decision", "admitted")
}

/** A refusal: priority, requested, and why (`denied`, `queue-full`, `cancelled`, or `failed` for a probe failure). */
export const annotateRefusal = (span: Tracer.Span | undefined, op: Requested, error: unknown): void => {
  if (span === undefined || span.status._tag === "Ended") return
  annotateRequest(span, op)
  const tag = typeof error === "object" && error !== null && "_tag" in error ? error._tag : undefined
  span.attribute(
    "provident.decision",
    tag === "AllocationDenied" ? "denied" : tag === "QueueFull" ? "queue-full" : tag === "OperationCancelled" ? "cancelled" : "failed"
  )
}
