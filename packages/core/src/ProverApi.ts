/**
 * The wire format of the fallback prover (`provident serve`) and its HTTP
 * client: what `POST /v1/proofs` takes and answers, what `GET /v1/capacity`
 * reports, and the error body. Both sides decode with these schemas.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import * as CircuitInput from "./CircuitInput.ts"
import { decoder } from "./internal/decode.ts"
import { Protocol } from "./Prover.ts"

const Millis = Schema.Finite.check(Schema.isGreaterThanOrEqualTo(0))
const Name = Schema.String.check(Schema.isMinLength(1))

/**
 * A signal's value: a field element as a safe integer or a decimal string
 * below p, or nested arrays of them (the rules are `CircuitInput`'s).
 */
export const SignalValue = CircuitInput.SignalValue
export type SignalValue = CircuitInput.SignalValue

export const ProofRequest = Schema.Struct({
  /** The circuit's id, as the server lists it in `/v1/capacity`. */
  circuit: Name,
  /** The circuit's content hash: when given, it must match the server's, so both mean the same circuit. */
  hash: Schema.optionalKey(Name),
  protocol: Protocol,
  /** Exact field elements only: an unsafe integer, a value ≥ p or a negative one is refused, naming the signal (`CircuitInput`). */
  input: CircuitInput.CircuitInput,
  /** How long the client will wait, in ms; the server caps it. */
  deadlineMs: Schema.optionalKey(Schema.Finite.check(Schema.isGreaterThan(0)))
})
export type ProofRequest = typeof ProofRequest.Type

/** Decodes a parsed request body, failing with `InvalidInput` naming the field. */
export const decodeProofRequest = decoder(ProofRequest, "ProofRequest")

export const ProofResponse = Schema.Struct({
  circuit: Name,
  protocol: Protocol,
  proof: Schema.Unknown,
  publicSignals: Schema.Array(Schema.String),
  strategy: Schema.String,
  timings: Schema.Struct({ totalMs: Millis, queuedMs: Millis })
})
export type ProofResponse = typeof ProofResponse.Type

export const CircuitCapacity = Schema.Struct({
  id: Name,
  hash: Name,
  constraints: Schema.Int,
  protocols: Schema.Array(Protocol),
  /** How long a proof would take once running, by the server's predictor. */
  estimatedProvingMs: Millis,
  /** How long a new request would wait before running. */
  predictedWaitMs: Millis,
  insecureSetup: Schema.Boolean
})
export type CircuitCapacity = typeof CircuitCapacity.Type

export const CapacityResponse = Schema.Struct({
  freeMemory: Millis,
  totalMemory: Millis,
  freeCores: Schema.Finite,
  totalCores: Schema.Finite,
  /** Requests accepted and not yet finished, and how many the server accepts at most. */
  inFlight: Schema.Int,
  maxInFlight: Schema.Int,
  circuits: Schema.Array(CircuitCapacity)
})
export type CapacityResponse = typeof CapacityResponse.Type

export const ErrorResponse = Schema.Struct({
  error: Schema.String,
  message: Schema.String,
  /** The failing field of a request that did not decode. */
  field: Schema.optionalKey(Schema.String)
})
export type ErrorResponse = typeof ErrorResponse.Type
