/**
 * The remote client's judgements, as pure functions: whether a proof that
 * verified is a proof of the request, and which failure a chain of
 * endpoints ends with.
 */
import type { RemoteProofInvalid, RemoteProverError, Statement } from "../RemoteProver.ts"
import { hasPublicSignals, type Witness } from "./wtns.ts"

/** What the client's own witness of the request's input says. */
export type LocalWitness =
  | { readonly _tag: "Computed"; readonly witness: Witness }
  /** The input does not satisfy the circuit: no proof of it can exist. */
  | { readonly _tag: "Violates" }
  /** The client could not compute or read it (its prover unavailable, out of memory, …). */
  | { readonly _tag: "Unknown"; readonly reason: string }

/**
 * The statement a verified proof was checked to be of, or `undefined` when
 * it is a proof of another statement: its public signals differ from the
 * witness's (public inputs and outputs both), or the input has no proof at
 * all. Without a witness the proof is accepted as unchecked, saying why.
 */
export const judge = (local: LocalWitness, publicSignals: ReadonlyArray<string>): Statement | undefined => {
  switch (local._tag) {
    case "Computed":
      return hasPublicSignals(local.witness, publicSignals) ? { checked: true } : undefined
    case "Violates":
      return undefined
    case "Unknown":
      return { checked: false, reason: local.reason }
  }
}

export type Failure = RemoteProverError | RemoteProofInvalid

const REFUSED_INPUT = 422

/** Whether the endpoint answered at all (an HTTP status, or a proof), rather than being unreachable or silent. */
const answered = (failure: Failure): boolean => failure._tag === "RemoteProofInvalid" || failure.status !== undefined

const refusedInput = (failure: Failure): boolean =>
  failure._tag === "RemoteProverError" && failure.reason === "Rejected" && failure.status === REFUSED_INPUT

/**
 * How a chain of endpoints that all failed ends. Endpoints rank themselves,
 * so any one of them could be the one that is wrong about an input: a 422
 * does not stop the chain, but when every endpoint that answered refused the
 * input, that refusal is the answer (the input is most likely invalid).
 * Otherwise the last failure that was not such a refusal.
 */
export const chainFailure = (failures: ReadonlyArray<Failure>, none: Failure): Failure => {
  const answers = failures.filter(answered)
  const refusal = answers.find(refusedInput)
  if (refusal !== undefined && answers.every(refusedInput)) return refusal
  return failures.filter((f) => !refusedInput(f)).at(-1) ?? failures.at(-1) ?? none
}
