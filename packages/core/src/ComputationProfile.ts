/**
 * What a proof computation is expected to cost, phase by phase, and which
 * execution strategies it supports (the spec's computation profile). The
 * executor builds its fallback chain from it; the predictor starts from its
 * estimates until it has learned better.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { decoder } from "./internal/decode.ts"
import { Bytes, Millis, PositiveInt } from "./internal/units.ts"

/**
 * - `circuitSize`: constraint count.
 * - `expectedWitnessDuration`, `expectedProvingDuration`: milliseconds.
 * - `*MemoryRequirements`: bytes for the circuit artifacts, the witness
 *   phase and the proving phase.
 * - capability flags: may the work be split into checkpointed chunks
 *   (`canSplitComputation`), run on a remote prover (`supportsFallbackMode`),
 *   return partial results, or be served from a result cache.
 */
export const ComputationProfile = Schema.Struct({
  circuitSize: PositiveInt,
  expectedWitnessDuration: Millis,
  expectedProvingDuration: Millis,
  circuitMemoryRequirements: Bytes,
  witnessMemoryRequirements: Bytes,
  provingMemoryRequirements: Bytes,
  canSplitComputation: Schema.Boolean,
  supportsFallbackMode: Schema.Boolean,
  supportsPartialResults: Schema.Boolean,
  supportsCachedResults: Schema.Boolean
})
export type ComputationProfile = typeof ComputationProfile.Type

/** Decodes an unknown value into a profile, failing with `InvalidInput`. */
export const decode = decoder(ComputationProfile, "ComputationProfile")

/**
 * Peak memory of a full run: the circuit stays loaded while the larger of the
 * two phases runs (witness and proving do not overlap).
 */
export const peakMemory = (profile: ComputationProfile): number =>
  profile.circuitMemoryRequirements + Math.max(profile.witnessMemoryRequirements, profile.provingMemoryRequirements)

/** Expected time of a full run in milliseconds: witness, then proving. */
export const expectedDuration = (profile: ComputationProfile): number =>
  profile.expectedWitnessDuration + profile.expectedProvingDuration
