/**
 * Why a proof failed in the browser, as pure functions from what snarkjs
 * threw (inside the worker) or how the worker died (seen from the page) to
 * a `ProverError` reason and a message. Messages are fixed texts plus names
 * taken from the circuit (templates, line numbers, signal names), never the
 * error's own text: circom's runtime and snarkjs echo input values
 * (`Assert Failed … 3 != 4`, `Cannot convert 12345xyz to a BigInt`), and
 * witness inputs are private.
 */
import { type Failure, nameOf, refusedInput, textOf, witnessFallback } from "@provident/core/SnarkjsMessages"

export type { Failure }

// V8 and WebAssembly failing to allocate: a wasm memory that cannot grow (the 4 GiB ceiling, or the tab's limit), an ArrayBuffer too large.
const OUT_OF_MEMORY = /out of memory|could not allocate memory|Array buffer allocation failed|Maximum memory size exceeded|Memory\.grow|Invalid typed array length|allocation failed/i

/** Out of memory, if the error says so. */
export const outOfMemory = (error: unknown): Failure | undefined =>
  OUT_OF_MEMORY.test(textOf(error)) || (error instanceof RangeError && /memory|buffer|allocat/i.test(textOf(error)))
    ? { reason: "OutOfMemory", message: "the prover worker ran out of memory (the tab's limit or the wasm32 4 GiB ceiling)" }
    : undefined

/** A failure computing the witness: out of memory, what the circuit refused (`SnarkjsMessages`), or the rest. */
export const witness = (error: unknown): Failure => outOfMemory(error) ?? refusedInput(error) ?? witnessFallback(error)

/** A failure proving a witness. */
export const proving = (error: unknown): Failure => {
  const oom = outOfMemory(error)
  if (oom !== undefined) return oom
  const text = textOf(error)
  if (/Invalid witness length|Invalid File format|out of bounds|does not match|not a(n)? \w+ zkey|zkey file is not|Invalid zkey|wtns/i.test(text)) {
    return { reason: "ArtifactUnavailable", message: "the witness does not fit the proving key (another circuit's witness, or a damaged file)" }
  }
  return { reason: "Failed", message: `proving failed (${nameOf(error)})` }
}

/** A failure verifying: the proof is public, but its shape is still not quoted. */
export const verifying = (error: unknown): Failure =>
  outOfMemory(error) ?? { reason: "Failed", message: `verification failed on a malformed proof or key (${nameOf(error)})` }

/**
 * The worker died without answering: its `error` event (an uncaught
 * exception, or a module that failed to load) or a reply that did not
 * decode. The event's text is only matched, never quoted.
 */
export const crashed = (eventMessage: string | undefined): Failure =>
  outOfMemory(eventMessage ?? "") ??
    { reason: "WorkerCrashed", message: `the prover worker crashed${eventMessage === undefined || eventMessage === "" ? " while loading" : ""}` }

/** Proving threads for a grant of `cores`: whole cores, at least one, at most what the browser reports. */
export const threadsFor = (cores: number, hardwareConcurrency: number | undefined): number => {
  const granted = Number.isFinite(cores) ? Math.max(1, Math.floor(cores)) : 1
  const available = hardwareConcurrency !== undefined && Number.isFinite(hardwareConcurrency) && hardwareConcurrency >= 1
    ? Math.floor(hardwareConcurrency)
    : granted
  return Math.min(granted, available)
}
