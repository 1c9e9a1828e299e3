/**
 * What an execution reports: the outcome, each attempt of the fallback
 * chain with its reason, and progress while it runs.
 *
 * @since 0.1.0
 */
import type { ComputationStrategy } from "./ComputationStrategy.ts"

export type AttemptOutcome =
  /** It produced the result. */
  | "succeeded"
  /** The computation (or the allocator, or the remote prover) failed. */
  | "failed"
  /** It ran past the strategy's timeout. */
  | "timed-out"
  /** The computation threw or died. */
  | "died"
  /** The chain did not try it; `reason` says why. */
  | "skipped"
  /** The cache had nothing under the key. */
  | "cache-miss"

export interface Attempt {
  readonly strategy: ComputationStrategy
  /** 1 for a strategy's first attempt; 0 for a strategy that was skipped. */
  readonly attempt: number
  readonly outcome: AttemptOutcome
  /** Milliseconds, by the Effect `Clock`. */
  readonly elapsed: number
  readonly reason?: string
}

export interface ResourcesUsed {
  /** The largest memory grant the successful attempt held (0 for cached and remote results). */
  readonly memory: number
  readonly cores: number
  /** What the work measured, where the platform can measure it. */
  readonly peakMemory?: number
  /** CPU time the work measured (all threads), where the platform can measure it. */
  readonly cpuMs?: number
}

export interface ExecutionResult<A, E> {
  readonly id: string
  readonly success: boolean
  /** The strategy that produced the result, or the last one tried. */
  readonly strategy: ComputationStrategy | undefined
  /** Milliseconds from the call to the answer, by the Effect `Clock`. */
  readonly elapsedTime: number
  /** Of `elapsedTime`, the milliseconds the successful attempt waited for admission (0 on failure). */
  readonly waitTime: number
  readonly resourcesUsed: ResourcesUsed
  readonly result?: A
  /** On failure: the last attempt's error. */
  readonly error?: E | ExecutionFailure
  readonly attempts: ReadonlyArray<Attempt>
}

/** The executor's own reasons for a failed execution (see `ExecutorError.ts` and the allocator's errors). */
export type ExecutionFailure =
  | import("./ExecutorError.ts").StrategyTimeout
  | import("./ExecutorError.ts").NoStrategyAvailable
  | import("./ExecutorError.ts").ComputationDied
  | import("./Computation.ts").PhaseError
  | import("./RemoteProver.ts").RemoteProverError
  | import("./RemoteProver.ts").RemoteProofInvalid

/**
 * Where an execution is. `phase` is `queued`, `allocating`, `running`,
 * `checkpointing`, `fallback`, `done`, `failed` or `cancelled` (its caller
 * interrupted it), or a phase the computation reported (`witness`,
 * `proving`, …).
 */
export interface ExecutionProgress {
  readonly id: string
  readonly phase: string
  readonly percent: number
  readonly strategy: ComputationStrategy | undefined
  readonly attempt: number
  readonly updatedAt: number
}
