/**
 * The remote fallback seam: prove on another machine (a `provident serve`
 * instance). The executor's `FALLBACK_COMPUTATION` hands it to the
 * computation, and only when the call allows inputs to leave the device.
 * Implementations verify every proof they return against the circuit's
 * verification key (`RemoteProofInvalid` otherwise), so a remote prover is
 * never trusted blindly.
 *
 * @since 0.1.0
 */
import { Context, type Effect, Layer, Schema } from "effect"
import type { CircuitArtifacts, Proof, Protocol } from "./Prover.ts"

/**
 * Why the remote prover did not answer with a proof.
 * - `Unavailable`: no endpoint could be reached.
 * - `Busy`: every endpoint refused for capacity (HTTP 503) until the retries ran out.
 * - `Rejected`: the request was refused as invalid (HTTP 4xx): retrying will not help.
 * - `Timeout`: no answer within the deadline.
 */
export class RemoteProverError extends Schema.TaggedError<RemoteProverError>()("RemoteProverError", {
  reason: Schema.Literals(["Unavailable", "Busy", "Rejected", "Timeout"]),
  message: Schema.String
}) {}

/** A proof came back but does not verify against the circuit's verification key. */
export class RemoteProofInvalid extends Schema.TaggedError<RemoteProofInvalid>()("RemoteProofInvalid", {
  endpoint: Schema.String,
  circuit: Schema.String,
  message: Schema.String
}) {}

export interface Request {
  readonly circuit: CircuitArtifacts
  readonly protocol: Protocol
  /** Private inputs: sent over the wire only because the caller allowed it, never logged. */
  readonly input: Readonly<Record<string, unknown>>
}

/** A proof from the remote prover, already verified, and the endpoint that made it. */
export interface Proved {
  readonly proof: Proof
  readonly endpoint: string
}

export interface Service {
  readonly prove: (request: Request) => Effect.Effect<Proved, RemoteProverError | RemoteProofInvalid>
}

export class RemoteProver extends Context.Service<RemoteProver, Service>()("@provident/core/RemoteProver") {}

export const make = (service: Service): Service => RemoteProver.of(service)

/** A layer holding a fixed remote prover (tests, or a prover built elsewhere). */
export const layer = (service: Service): Layer.Layer<RemoteProver> => Layer.succeed(RemoteProver, make(service))
