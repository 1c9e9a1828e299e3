/**
 * The remote fallback seam: prove on another machine (a `provident serve`
 * instance). The executor's `FALLBACK_COMPUTATION` hands it to the
 * computation, and only when the call allows inputs to leave the device.
 * Implementations verify every proof they return against the circuit's
 * verification key, and check that its public signals are those of the
 * request's input (`RemoteProofInvalid` otherwise): a valid proof of another
 * statement is as worthless as a forged one. Where the statement could not
 * be checked, the answer says so (`statement.checked: false`).
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
 *
 * `status` is the HTTP status of the answer that decided it, where there was one.
 */
export class RemoteProverError extends Schema.TaggedError<RemoteProverError>()("RemoteProverError", {
  reason: Schema.Literals(["Unavailable", "Busy", "Rejected", "Timeout"]),
  status: Schema.optionalKey(Schema.Int),
  message: Schema.String
}) {}

/**
 * A proof came back but is not a proof of the request: it does not verify
 * against the circuit's verification key, or its public signals are not
 * those of the request's input. The message names neither the input nor
 * the signals.
 */
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

/**
 * Whether the proof's public signals were checked to be those of the
 * request's input (its public inputs and the outputs the client computed
 * from it). When they could not be (the client could not compute the
 * witness itself, e.g. its prover is unavailable), `reason` says why, and
 * the proof only shows that *some* statement of the circuit holds: nothing
 * may report it as a verified proof of this input.
 */
export type Statement =
  | { readonly checked: true }
  | { readonly checked: false; readonly reason: string }

/** A proof from the remote prover, already verified, the endpoint that made it, and whether it is of this input. */
export interface Proved {
  readonly proof: Proof
  readonly endpoint: string
  readonly statement: Statement
}

export interface Service {
  readonly prove: (request: Request) => Effect.Effect<Proved, RemoteProverError | RemoteProofInvalid>
}

export class RemoteProver extends Context.Service<RemoteProver, Service>()("@provident/core/RemoteProver") {}

export const make = (service: Service): Service => RemoteProver.of(service)

/** A layer holding a fixed remote prover (tests, or a prover built elsewhere). */
export const layer = (service: Service): Layer.Layer<RemoteProver> => Layer.succeed(RemoteProver, make(service))
