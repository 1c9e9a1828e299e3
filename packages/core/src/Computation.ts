/**
 * The computation contract: what the executor calls and what it hands over.
 * A computation is `(ctx) => Effect`, called once per attempt with the
 * attempt's strategy; `fromPromise` adapts the spec's `async (resources) => …`
 * functions (they get an `AbortSignal` that fires when the attempt is
 * interrupted).
 *
 * Phases are the unit of progress and of checkpoints: `ctx.phase(name, body)`
 * runs `body` under the attempt's allocation (full and partial attempts), or
 * under an allocation of its own that is checkpointed afterwards
 * (progressive attempts: a phase done by any earlier attempt of the same
 * execution is restored, not re-run, and a paused phase releases its
 * resources and re-runs when resumed).
 *
 * Checkpoints live as long as their execution: they belong to one
 * `execute` call (not to its id, which callers may reuse), are restored
 * only for the same phase binding (`ctx.phase(name, body, { binding })`,
 * e.g. the statement a proof's witness was computed for), and are removed
 * when the execution ends, however it ends.
 *
 * @since 0.1.0
 */
import { Effect, Option } from "effect"
import type { Allocation } from "./AllocationDecision.ts"
import type { AdmissionError } from "./ResourceAllocator.ts"
import type { ComputationStrategy } from "./ComputationStrategy.ts"
import type { AbortSignalLike } from "./internal/abort.ts"
import type * as RemoteProver from "./RemoteProver.ts"

/** What a phase can fail with besides the body's own errors. */
export type PhaseError = AdmissionError

export interface PhaseOptions {
  /**
   * What the phase's result depends on besides the execution: a checkpoint
   * is restored only for the binding it was saved with. A proof binds its
   * phases to its statement (circuit hash, protocol, input).
   */
  readonly binding?: string
}

export interface ComputationContext {
  readonly id: string
  readonly strategy: ComputationStrategy
  /** 1 for the first attempt of this strategy. */
  readonly attempt: number
  /** The attempt's allocation (full and partial); phases of progressive attempts get their own. */
  readonly allocation: Allocation | undefined
  /** Whether this attempt checkpoints its phases. */
  readonly progressive: boolean
  /** The phase plan the caller gave (`ExecuteOptions.phases`), for computations that follow it. */
  readonly phases: ReadonlyArray<string>
  /** Runs a phase; see the module comment. The body's result is the phase's checkpoint, so it should be serialisable. */
  readonly phase: <B, E, R>(
    name: string,
    body: (allocation: Allocation | undefined) => Effect.Effect<B, E, R>,
    options?: PhaseOptions
  ) => Effect.Effect<B, E | PhaseError, R>
  /** Reports progress within the current phase (percent 0..100). */
  readonly progress: (phase: string, percent: number) => Effect.Effect<void>
  /**
   * Raw checkpoint access for finer-grained progress than phases, in this
   * execution only. A checkpoint that cannot be saved or read is logged and
   * treated as none: the work goes on without it.
   */
  readonly checkpoint: {
    readonly save: (key: string, value: unknown) => Effect.Effect<void>
    readonly restore: (key: string) => Effect.Effect<Option.Option<unknown>>
  }
  /** The remote prover, on `FALLBACK_COMPUTATION` attempts only. */
  readonly remote: RemoteProver.Service | undefined
  /** Reports the peak memory the work measured (a prover worker's RSS), for the result and the predictor. */
  readonly reportPeakMemory: (bytes: number) => Effect.Effect<void>
  /** Reports CPU time the work measured (summed over the attempt), for the result. */
  readonly reportCpuTime: (ms: number) => Effect.Effect<void>
  /** Fires when the attempt is interrupted (pause, cancel, timeout), for Promise-based work. */
  readonly signal: AbortSignalLike
}

export type Computation<A, E = never, R = never> = (ctx: ComputationContext) => Effect.Effect<A, E, R>

/** What a Promise-based computation receives (the spec's `resources`). */
export interface PromiseResources {
  /** Memory granted in bytes (0 when none is, as on a remote attempt). */
  readonly memory: number
  /** Cores granted. */
  readonly cpu: number
  readonly strategy: ComputationStrategy
  readonly progressive: boolean
  readonly phases: ReadonlyArray<string>
  readonly attempt: number
  readonly signal: AbortSignalLike
  readonly progress: (phase: string, percent: number) => void
  readonly phase: <B>(name: string, body: (resources: { readonly memory: number; readonly cpu: number }) => Promise<B>) => Promise<B>
  readonly checkpoint: {
    readonly save: (key: string, value: unknown) => Promise<void>
    readonly restore: (key: string) => Promise<unknown>
  }
  /** The remote prover, on `FALLBACK_COMPUTATION` attempts only: a verified proof and the endpoint that made it. */
  readonly remote: { readonly prove: (request: RemoteProver.Request) => Promise<RemoteProver.Proved> } | undefined
  readonly reportPeakMemory: (bytes: number) => void
  readonly reportCpuTime: (ms: number) => void
}

/**
 * Adapts `async (resources) => result`. A rejected promise is the
 * computation's failure; interruption aborts `resources.signal` (and any
 * phase in flight).
 */
export const fromPromise = <A>(f: (resources: PromiseResources) => Promise<A>): Computation<A, unknown> => (ctx) =>
  Effect.gen(function*() {
    const context = yield* Effect.context<never>()
    const run = <B, E>(effect: Effect.Effect<B, E>) => Effect.runPromiseWith(context)(effect, { signal: ctx.signal })
    const resources: PromiseResources = {
      memory: ctx.allocation?.memory ?? 0,
      cpu: ctx.allocation?.cores ?? 0,
      strategy: ctx.strategy,
      progressive: ctx.progressive,
      phases: ctx.phases,
      attempt: ctx.attempt,
      signal: ctx.signal,
      progress: (phase, percent) => void run(ctx.progress(phase, percent)),
      phase: (name, body) =>
        run(ctx.phase(name, (allocation) =>
          Effect.tryPromise({
            try: () => body({ memory: allocation?.memory ?? 0, cpu: allocation?.cores ?? 0 }),
            catch: (error) => error
          }))),
      checkpoint: {
        save: (key, value) => run(ctx.checkpoint.save(key, value)),
        restore: (key) => run(ctx.checkpoint.restore(key).pipe(Effect.map(Option.getOrUndefined)))
      },
      remote: ctx.remote === undefined ? undefined : {
        prove: (request) => run(ctx.remote!.prove(request))
      },
      reportPeakMemory: (bytes) => void run(ctx.reportPeakMemory(bytes)),
      reportCpuTime: (ms) => void run(ctx.reportCpuTime(ms))
    }
    return yield* Effect.tryPromise({ try: () => f(resources), catch: (error) => error })
  })
