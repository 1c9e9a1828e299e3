/**
 * The executor's own errors, reported in an `ExecutionResult` (the executor
 * never fails for an expected failure: the result says what happened).
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { ComputationStrategy } from "./ComputationStrategy.ts"

/** An attempt ran past its strategy's deadline and was interrupted. */
export class StrategyTimeout extends Schema.TaggedError<StrategyTimeout>()("StrategyTimeout", {
  strategy: ComputationStrategy,
  timeoutMs: Schema.Number,
  message: Schema.String
}) {}

/** No strategy could be tried: each was disabled, unsupported by the profile, or unavailable. */
export class NoStrategyAvailable extends Schema.TaggedError<NoStrategyAvailable>()("NoStrategyAvailable", {
  reasons: Schema.Array(Schema.String),
  message: Schema.String
}) {}

/** The computation died (threw, or failed with a defect) on every strategy tried; `defect` is the last one. */
export class ComputationDied extends Schema.TaggedError<ComputationDied>()("ComputationDied", {
  strategy: ComputationStrategy,
  defect: Schema.Defect(),
  message: Schema.String
}) {}
