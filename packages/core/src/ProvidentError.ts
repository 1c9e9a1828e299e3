/**
 * The errors of Provident's core: bad input at a boundary, failing hardware
 * probes and an unusable model store. (The allocator's own errors are in
 * `AllocatorError.ts`.) Each is a `Schema.TaggedError` with a `message`, so it can
 * be caught by tag, serialised, and read by a person.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

/**
 * One problem found while decoding input: where (a dotted path such as
 * `requiredResources[0].recommended`, empty for the value itself) and which
 * rule it broke. Messages never repeat the offending value, so private
 * inputs cannot leak through an error.
 */
export const InputIssue = Schema.Struct({
  path: Schema.String,
  message: Schema.String
})
export type InputIssue = typeof InputIssue.Type

/**
 * Input that does not match its schema: a profile, a configuration, a probe
 * reading. `subject` names what was decoded, `field` the first failing field
 * and `issues` every failing field with its rule.
 */
export class InvalidInput extends Schema.TaggedError<InvalidInput>()("InvalidInput", {
  subject: Schema.String,
  field: Schema.String,
  issues: Schema.Array(InputIssue),
  message: Schema.String
}) {}

/**
 * Why a probe could not take a reading.
 * - `Failed`: the platform call failed (file unreadable, API threw).
 * - `Timeout`: the reading took longer than the monitor's `probeTimeout`.
 * - `InvalidReading`: the probe returned values that fail the snapshot schema.
 * - `NoReading`: no reading has succeeded yet, so there is nothing to report.
 */
export const ProbeErrorReason = Schema.Literals(["Failed", "Timeout", "InvalidReading", "NoReading"])
export type ProbeErrorReason = typeof ProbeErrorReason.Type

/** A resource probe failed to produce a reading. */
export class ProbeError extends Schema.TaggedError<ProbeError>()("ProbeError", {
  reason: ProbeErrorReason,
  message: Schema.String,
  cause: Schema.optionalKey(Schema.Defect())
}) {}

/**
 * The store of learned cost models could not be read or written (a file
 * system error, a full quota). The predictor logs it and carries on with
 * what it has in memory.
 */
export class ModelStoreError extends Schema.TaggedError<ModelStoreError>()("ModelStoreError", {
  operation: Schema.Literals(["read", "write"]),
  message: Schema.String,
  cause: Schema.optionalKey(Schema.Defect())
}) {}
