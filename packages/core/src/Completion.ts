/**
 * What a finished proof really cost, the evidence the predictor learns its
 * cost models from, and the key that says which learned model describes an
 * operation. A completion carries identifiers and measurements only, never
 * inputs or witnesses.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { decoder } from "./internal/decode.ts"
import { Name, Positive, PositiveInt } from "./internal/units.ts"

/**
 * - `circuitId`: this circuit (e.g. a content hash or `sha256-1k`).
 * - `circuitFamily`: circuits of one structure at different sizes (e.g.
 *   `sha256`); a cost model spans a family, which is what lets it
 *   extrapolate to sizes it has not seen.
 * - `prover`: the proving system (`groth16`, `plonk`, …).
 * - `circuitSize`: constraint count, as in `ComputationProfile`.
 * - `strategy`: how it ran (`full`, `progressive`, …); each strategy has its
 *   own models, since checkpointing trades time for memory.
 * - `cores`: cores it ran on.
 * - `duration`: milliseconds from start to proof; `peakMemory`: bytes at peak.
 */
export const Completion = Schema.Struct({
  circuitId: Name,
  circuitFamily: Name,
  prover: Name,
  circuitSize: PositiveInt,
  strategy: Name,
  cores: Positive,
  duration: Positive,
  peakMemory: Positive
})
export type Completion = typeof Completion.Type

/** Decodes an unknown value into a completion, failing with `InvalidInput`. */
export const decode = decoder(Completion, "Completion")

/**
 * Which cost model describes an operation, every field optional: given
 * fields must match, absent ones match anything, and of several matching
 * models the one with the most samples is used. `circuitFamily` defaults to
 * `circuitId` (so a circuit is its own family), and `circuitId` also matches
 * a model whose samples include that circuit. Without either, only the
 * profile's declared estimates are used: other circuits say nothing about
 * this one.
 */
export const CircuitKey = Schema.Struct({
  circuitId: Schema.optionalKey(Name),
  circuitFamily: Schema.optionalKey(Name),
  prover: Schema.optionalKey(Name),
  strategy: Schema.optionalKey(Name),
  cores: Schema.optionalKey(Positive)
})
export type CircuitKey = typeof CircuitKey.Type

/** Decodes an unknown value into a key, failing with `InvalidInput`. */
export const decodeKey = decoder(CircuitKey, "CircuitKey")
