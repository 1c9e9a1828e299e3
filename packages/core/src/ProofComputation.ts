/**
 * A zero-knowledge proof as an executor computation: witness and proving
 * are the two phases (so under `PROGRESSIVE_COMPUTATION` the witness is the
 * checkpoint and a paused proof resumes at proving), each run by the
 * `Prover` under the phase's grant (its cores become the prover's threads,
 * its memory the worker's limit), and every proof is verified before it is
 * returned. Under `FALLBACK_COMPUTATION` the remote prover proves it, and the
 * remote prover verifies what it gets back and checks that it is a proof of
 * this input (`statementUnchecked` says why, where it could not).
 *
 * The input is private: it goes to the prover (or, when the caller allowed
 * it, the remote prover) and nowhere else.
 *
 * @since 0.1.0
 */
import { Effect } from "effect"
import type { Allocation } from "./AllocationDecision.ts"
import type { Computation, PhaseError } from "./Computation.ts"
import type { ComputationProfile } from "./ComputationProfile.ts"
import { type CircuitArtifacts, type Limits, type Proof, type Protocol, Prover, type WorkerUsage } from "./Prover.ts"
import { canonicalJson } from "./internal/canonicalJson.ts"
import { ProverError } from "./ProverError.ts"
import type { RemoteProofInvalid, RemoteProverError } from "./RemoteProver.ts"

export interface ProofResult {
  readonly proof: Proof
  /** Where it was proved: `local`, or the remote endpoint. */
  readonly provedBy: string
  /** Whether the witness came from a checkpoint rather than being computed by this attempt. */
  readonly witnessRestored: boolean
  /**
   * Why the proof's public signals could not be checked to be this input's,
   * when they could not: a remote proof whose witness the client could not
   * compute itself (`RemoteProver.Statement`). Such a proof only shows that
   * *some* statement of the circuit holds: report a proof as verified only
   * when this is absent. Absent for every local proof (its witness is the
   * input's) and for every checked remote one.
   */
  readonly statementUnchecked?: string
}

export type ProofError = ProverError | RemoteProverError | RemoteProofInvalid | PhaseError

const MiB = 1024 ** 2

/**
 * A starting profile for a circuit, before the predictor has learned it:
 * what a snarkjs prover process needed on a 2-core machine, the whole
 * process's peak resident memory (a prover child with its curve loaded is
 * ~110 MiB before any circuit): measured Groth16 peaks ~150 MB at 1k
 * constraints, ~180 MB at 4k, ~225 MB at 16k; PLONK ~205 MB at 1k–4k, so
 * PLONK's proving phase is declared 48 MiB larger. Times ~1 s at 1k and ~3 s
 * at 10k (measured with snarkjs 0.7 on a 2-core machine). Memory grows much more slowly than
 * the constraint count: most of it is the process and the curve. The
 * predictor's learned models replace these figures as proofs complete.
 */
export const defaultProfile = (circuit: CircuitArtifacts, protocol: Protocol = "groth16"): ComputationProfile => {
  const n = circuit.constraints
  return {
    circuitSize: n,
    expectedWitnessDuration: Math.round(50 + n * 0.02),
    expectedProvingDuration: Math.round(800 + n * 0.25),
    circuitMemoryRequirements: Math.round(110 * MiB + n * 1024),
    witnessMemoryRequirements: Math.round(20 * MiB + n * 512),
    provingMemoryRequirements: Math.round((protocol === "plonk" ? 88 : 40) * MiB + n * 4096),
    canSplitComputation: true,
    supportsFallbackMode: true,
    supportsPartialResults: false,
    supportsCachedResults: true
  }
}

/**
 * What a proof states: the circuit (by content hash), the protocol and the
 * input, as one canonical string. A proof's checkpoints are bound to it.
 */
export const statementOf = (circuit: CircuitArtifacts, protocol: Protocol, input: Readonly<Record<string, unknown>>): string =>
  canonicalJson({ circuit: circuit.hash, id: circuit.id, protocol, input })

/** Errors no other strategy can fix: the input itself violates the circuit. */
export const isFatal = (error: unknown): boolean => error instanceof ProverError && error.reason === "InvalidWitnessInput"

/** The proof of `input` for `circuit` with `protocol`, as a computation for `AdaptiveExecutor.execute`. */
export const computation = (
  circuit: CircuitArtifacts,
  protocol: Protocol,
  input: Readonly<Record<string, unknown>>
): Computation<ProofResult, ProofError, Prover> =>
(ctx) =>
  Effect.gen(function*() {
    if (ctx.strategy === "FALLBACK_COMPUTATION" && ctx.remote !== undefined) {
      yield* ctx.progress("fallback", 0)
      const remote = yield* ctx.remote.prove({ circuit, protocol, input })
      yield* ctx.progress("fallback", 100)
      const unchecked = remote.statement.checked ? {} : { statementUnchecked: remote.statement.reason }
      return { proof: remote.proof, provedBy: remote.endpoint, witnessRestored: false, ...unchecked }
    }
    const prover = yield* Prover
    const context = yield* Effect.context<never>()
    const limits = (phase: "witness" | "proving", allocation: Allocation | undefined): Limits => ({
      cores: Math.max(1, Math.floor(allocation?.cores ?? 1)),
      ...(allocation === undefined ? {} : { memoryBytes: allocation.memory }),
      // The prover calls back synchronously from its worker's messages.
      onProgress: (p) => void Effect.runForkWith(context)(ctx.progress(phase, p.percent))
    })
    const report = (usage: WorkerUsage) =>
      Effect.andThen(
        usage.peakMemoryBytes === undefined ? Effect.void : ctx.reportPeakMemory(usage.peakMemoryBytes),
        usage.cpuMs === undefined ? Effect.void : ctx.reportCpuTime(usage.cpuMs)
      )
    // A checkpointed witness or proof is restored only for this very statement.
    const binding = { binding: statementOf(circuit, protocol, input) }
    let computed = false
    const witness = yield* ctx.phase("witness", (allocation) =>
      prover.computeWitness(circuit, input, limits("witness", allocation)).pipe(
        Effect.tap((w) => report(w.usage)),
        Effect.map((w) => {
          computed = true
          return w.witness
        })
      ), binding)
    const proof = yield* ctx.phase("proving", (allocation) =>
      prover.prove(circuit, protocol, witness, limits("proving", allocation)).pipe(
        Effect.tap((p) => report(p.usage)),
        Effect.map((p) => p.proof)
      ), binding)
    const valid = yield* prover.verify(circuit, proof)
    if (!valid) {
      return yield* new ProverError({ reason: "Failed", circuit: circuit.id, phase: "verifying", message: `the proof of ${circuit.id} did not verify` })
    }
    return { proof, provedBy: "local", witnessRestored: !computed }
  })
