/**
 * The errors of the `ResourceAllocator`. Callers branch on them: an
 * oversized request should go elsewhere (a smaller circuit, the remote
 * prover), a full queue should back off, a cancelled operation is over.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

/**
 * The request cannot be granted and waiting would not help: it needs more
 * than the whole budget, or a custom strategy refused it.
 */
export class AllocationDenied extends Schema.TaggedError<AllocationDenied>()("AllocationDenied", {
  name: Schema.String,
  reasons: Schema.Array(Schema.String),
  recommendations: Schema.Array(Schema.String),
  message: Schema.String
}) {}

/** The admission queue holds `capacity` waiting operations already. */
export class QueueFull extends Schema.TaggedError<QueueFull>()("QueueFull", {
  name: Schema.String,
  capacity: Schema.Number,
  message: Schema.String
}) {}

/** The operation was cancelled (by `cancel`, by its caller's interruption, or by shutdown). */
export class OperationCancelled extends Schema.TaggedError<OperationCancelled>()("OperationCancelled", {
  name: Schema.String,
  message: Schema.String
}) {}

/** An operation with this name is live (queued, running or paused) already. */
export class DuplicateOperation extends Schema.TaggedError<DuplicateOperation>()("DuplicateOperation", {
  name: Schema.String,
  message: Schema.String
}) {}

/** No operation has this name. */
export class UnknownOperation extends Schema.TaggedError<UnknownOperation>()("UnknownOperation", {
  name: Schema.String,
  message: Schema.String
}) {}

/** The operation is not in a state that allows this action (pausing one that cannot be paused, resuming one that runs). */
export class InvalidOperationState extends Schema.TaggedError<InvalidOperationState>()("InvalidOperationState", {
  name: Schema.String,
  state: Schema.String,
  action: Schema.String,
  message: Schema.String
}) {}
