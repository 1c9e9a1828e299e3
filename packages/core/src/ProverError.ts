/**
 * Why a proof could not be made or checked, as one error with a `reason`
 * callers branch on (the executor falls back on `WorkerCrashed` and
 * `OutOfMemory`, gives up on `InvalidWitnessInput`). Messages name circuits,
 * phases and sizes, never input values: witness inputs are private.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

/**
 * - `WorkerCrashed`: the isolated prover process or worker died (signal, exit code).
 * - `OutOfMemory`: it died for lack of memory (heap limit, OOM kill).
 * - `InvalidWitnessInput`: the input does not satisfy the circuit (an assertion failed computing the witness).
 * - `ArtifactUnavailable`: a circuit artifact (wasm, zkey, vkey) is missing, unreadable or fails its hash.
 * - `Failed`: anything else the prover reported.
 */
export const ProverErrorReason = Schema.Literals(["WorkerCrashed", "OutOfMemory", "InvalidWitnessInput", "ArtifactUnavailable", "Failed"])
export type ProverErrorReason = typeof ProverErrorReason.Type

export class ProverError extends Schema.TaggedError<ProverError>()("ProverError", {
  reason: ProverErrorReason,
  circuit: Schema.String,
  phase: Schema.Literals(["witness", "proving", "verifying", "setup"]),
  message: Schema.String
}) {}
