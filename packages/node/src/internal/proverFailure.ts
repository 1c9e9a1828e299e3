/**
 * Why a proof failed, as pure functions from what snarkjs threw or how the
 * child process ended to a `ProverError` reason and a message. Messages are
 * built from fixed texts plus names taken from the circuit (templates, line
 * numbers, signal names), never from the error's own text: snarkjs and
 * circom's runtime echo input values (`Cannot convert 12345xyz to a BigInt`,
 * `Assert Failed … 3 != 4`), and witness inputs are private.
 */
import { type Failure, nameOf, refusedInput, textOf, witnessFallback } from "@provident/core/SnarkjsMessages"

export type { Failure }

const fileError = (error: unknown): boolean =>
  typeof error === "object" && error !== null && "code" in error &&
  ["ENOENT", "EACCES", "EISDIR", "ENOTDIR", "EPERM"].includes(String((error as { code: unknown }).code))

/** A failure computing the witness: what the circuit refused (`SnarkjsMessages`), an unreadable wasm, or the rest. */
export const witness = (error: unknown): Failure =>
  refusedInput(error) ??
    (fileError(error) ? { reason: "ArtifactUnavailable", message: "the circuit's wasm cannot be read" } : witnessFallback(error))

/** A failure proving a witness. */
export const proving = (error: unknown): Failure => {
  const text = textOf(error)
  if (fileError(error)) return { reason: "ArtifactUnavailable", message: "the proving key cannot be read" }
  if (/Invalid witness length|Invalid File format|out of bounds|does not match|not a(n)? \w+ zkey|zkey file is not|Invalid zkey|wtns/i.test(text)) {
    return { reason: "ArtifactUnavailable", message: "the witness does not fit the proving key (another circuit's witness, or a damaged file)" }
  }
  return { reason: "Failed", message: `proving failed (${nameOf(error)})` }
}

/** A failure verifying: the proof is public, but its shape is still not quoted. */
export const verifying = (error: unknown): Failure =>
  fileError(error)
    ? { reason: "ArtifactUnavailable", message: "the verification key cannot be read" }
    : { reason: "Failed", message: `verification failed on a malformed proof or key (${nameOf(error)})` }

export interface ChildExit {
  readonly code: number | null
  readonly signal: string | null
  /** The start of the child's stderr (V8 writes its fatal out-of-memory report there). */
  readonly stderr: string
  /** The heap cap the child ran with, in MiB. */
  readonly heapMb: number | undefined
  /**
   * Whether its cgroup's `oom_kill` count rose while it ran (`oomEvents.ts`);
   * `undefined` when it cannot be told (no cgroup, an old kernel).
   */
  readonly oomKilled?: boolean | undefined
}

const OUT_OF_MEMORY = /heap out of memory|Reached heap limit|Fatal (JavaScript|process) out of memory|Allocation failed|Cannot allocate memory|ERR_WORKER_OUT_OF_MEMORY/i

/**
 * A child that ended without answering: out of memory when V8 said so, or
 * when it was killed while its cgroup counted an OOM kill; a SIGKILL
 * otherwise came from outside this prover (its own kills are never
 * classified), and the message says whether an OOM killer can be ruled out
 * rather than guessing; crashed otherwise, with the exit reason.
 */
export const exit = (child: ChildExit): Failure => {
  const cap = child.heapMb === undefined ? "no heap cap" : `heap capped at ${child.heapMb} MiB`
  if (OUT_OF_MEMORY.test(child.stderr)) return { reason: "OutOfMemory", message: `the prover process ran out of memory (${cap})` }
  if (child.signal === "SIGKILL") {
    if (child.oomKilled === true) {
      return { reason: "OutOfMemory", message: `the prover process was killed by the out-of-memory killer (its cgroup counted an OOM kill; ${cap})` }
    }
    return {
      reason: "WorkerCrashed",
      message: child.oomKilled === false
        ? "the prover process was killed by SIGKILL from outside this prover, not by the out-of-memory killer (its cgroup counted no OOM kill)"
        : "the prover process was killed by SIGKILL from outside this prover (whether by an out-of-memory killer cannot be told: no cgroup OOM count to read)"
    }
  }
  if (child.signal !== null) return { reason: "WorkerCrashed", message: `the prover process was killed by ${child.signal}` }
  if (child.code !== null && child.code !== 0) return { reason: "WorkerCrashed", message: `the prover process exited with code ${child.code}` }
  return { reason: "WorkerCrashed", message: "the prover process exited without answering" }
}

/**
 * The heap cap for a memory grant. From 64 MB up it is rounded up to a power
 * of two, so grants of about the same size share warm children instead of
 * each needing a fresh process; below, it is exact (tests use tiny caps).
 * Rounding up is safe because the cap is a backstop, not the budget: most of
 * a snarkjs proof's memory is wasm and array buffers, outside the V8 heap,
 * and the allocator's grant is what keeps the machine within its budget.
 */
export const heapMb = (memoryBytes: number | undefined): number | undefined => {
  if (memoryBytes === undefined || !Number.isFinite(memoryBytes) || memoryBytes <= 0) return undefined
  const mb = Math.max(1, Math.ceil(memoryBytes / 2 ** 20))
  return mb < 64 ? mb : 2 ** Math.ceil(Math.log2(mb))
}

/** Proving threads for a grant of `cores`: at least one, whole cores only. */
export const threadsFor = (cores: number): number => (Number.isFinite(cores) ? Math.max(1, Math.floor(cores)) : 1)
