/**
 * How the executor may run a computation, in the spec's names, and the order
 * of the fallback chain: a cached result, then the full computation, then
 * progressive (phase by phase, checkpointed, pausable), then partial, then a
 * remote prover.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

export const ComputationStrategy = Schema.Literals([
  "CACHED_COMPUTATION",
  "FULL_COMPUTATION",
  "PROGRESSIVE_COMPUTATION",
  "PARTIAL_COMPUTATION",
  "FALLBACK_COMPUTATION"
])
export type ComputationStrategy = typeof ComputationStrategy.Type

/** Every strategy, in fallback-chain order. */
export const chainOrder: ReadonlyArray<ComputationStrategy> = ComputationStrategy.literals
