/**
 * One attempt of one strategy: build the computation's context, get the
 * resources the strategy needs from the allocator, run the computation
 * under the strategy's deadline, and say how it went. Interrupting the
 * attempt (its deadline, a pause, a cancellation) aborts the context's
 * signal so Promise-based work stops too.
 *
 * Checkpoints are kept under the execution's run (unique to one `execute`
 * call, never its caller-chosen id) and each records what it is bound to,
 * so a checkpoint is restored only into the run and the statement that
 * saved it. A store that cannot save (a read-only cache) costs the
 * checkpoint, not the attempt: the phase's value is still used, and would
 * be recomputed after an interruption.
 */
import { Cause, Clock, Effect, Exit, Option } from "effect"
import type { Allocation } from "../AllocationDecision.ts"
import type * as CheckpointStore from "../CheckpointStore.ts"
import type { Computation, ComputationContext } from "../Computation.ts"
import type { ComputationStrategy } from "../ComputationStrategy.ts"
import type { AttemptOutcome } from "../ExecutionResult.ts"
import { StrategyTimeout } from "../ExecutorError.ts"
import type * as RemoteProver from "../RemoteProver.ts"
import type * as ResourceAllocator from "../ResourceAllocator.ts"
import { makeAbortController } from "./abort.ts"
import { fullRequest, partialRequest, phaseRequest, type RequestInput } from "./chain.ts"

export interface AttemptInput<A, E, R> {
  readonly id: string
  /** The execution's run: the namespace of its checkpoints. */
  readonly run: string
  readonly strategy: ComputationStrategy
  readonly attempt: number
  readonly timeoutMs: number
  readonly computation: Computation<A, E, R>
  readonly request: RequestInput
  readonly phases: ReadonlyArray<string>
  readonly allocator: ResourceAllocator.Service
  readonly checkpoints: CheckpointStore.Service
  readonly remote: RemoteProver.Service | undefined
  readonly setProgress: (phase: string, percent: number, strategy: ComputationStrategy, attempt: number) => Effect.Effect<void>
}

export interface AttemptResult<A> {
  readonly outcome: Exclude<AttemptOutcome, "skipped" | "cache-miss">
  readonly value?: A
  readonly error?: unknown
  readonly elapsed: number
  /** The largest grant held during the attempt. */
  readonly held: { readonly memory: number; readonly cores: number }
  /** Time spent waiting for admission (all phases of a progressive attempt). */
  readonly waited: number
  readonly peakMemory: number | undefined
  readonly cpuMs: number | undefined
}

export const runAttempt = <A, E, R>(input: AttemptInput<A, E, R>): Effect.Effect<AttemptResult<A>, never, R> =>
  Effect.gen(function*() {
    const { allocator, id, run, strategy, attempt } = input
    const checkpoints = boundCheckpoints(input.checkpoints, run)
    const startedAt = yield* Clock.currentTimeMillis
    const abort = makeAbortController()
    let held = { memory: 0, cores: 0 }
    let waited = 0
    let peak: number | undefined
    let cpu: number | undefined
    const hold = (a: Allocation) => {
      held = { memory: Math.max(held.memory, a.memory), cores: Math.max(held.cores, a.cores) }
      waited += a.waitedMs
    }
    const progress = (phase: string, percent: number) => input.setProgress(phase, percent, strategy, attempt)
    const progressive = strategy === "PROGRESSIVE_COMPUTATION"

    // A progressive phase: restored if an earlier attempt finished it, otherwise
    // admitted on its own (pausable), run, and checkpointed.
    const progressivePhase = <B, E2, R2>(
      name: string,
      body: (allocation: Allocation | undefined) => Effect.Effect<B, E2, R2>,
      binding: string
    ) =>
      Effect.gen(function*() {
        const key = `phase:${name}`
        const restored = yield* checkpoints.restore(key, binding)
        if (Option.isSome(restored)) {
          yield* progress(name, 100)
          return restored.value as B
        }
        yield* progress("allocating", 0)
        const value = yield* allocator.run(phaseRequest(input.request, name), (allocation) =>
          Effect.sync(() => hold(allocation)).pipe(Effect.andThen(progress(name, 0)), Effect.andThen(body(allocation))))
        yield* progress("checkpointing", 100)
        yield* checkpoints.save(key, binding, value)
        return value
      })

    const context = (allocation: Allocation | undefined): ComputationContext => ({
      id,
      strategy,
      attempt,
      allocation,
      progressive,
      phases: input.phases,
      phase: (name, body, options) =>
        (progressive
          ? progressivePhase(name, body, options?.binding ?? "")
          : progress(name, 0).pipe(Effect.andThen(body(allocation)), Effect.tap(() => progress(name, 100)))).pipe(
            Effect.withSpan("AdaptiveExecutor.phase", { attributes: { "provident.phase": name } })
          ),
      progress,
      checkpoint: {
        save: (key, value) => checkpoints.save(`user:${key}`, "", value),
        restore: (key) => checkpoints.restore(`user:${key}`, "")
      },
      remote: strategy === "FALLBACK_COMPUTATION" ? input.remote : undefined,
      reportPeakMemory: (bytes) => Effect.sync(() => void (peak = Math.max(peak ?? 0, bytes))),
      reportCpuTime: (ms) => Effect.sync(() => void (cpu = (cpu ?? 0) + ms)),
      signal: abort.signal
    })

    const underGrant = (request: typeof fullRequest) =>
      progress("allocating", 0).pipe(Effect.andThen(allocator.run(request(input.request), (allocation) =>
        Effect.sync(() => hold(allocation)).pipe(
          Effect.andThen(progress("running", 0)),
          Effect.andThen(input.computation(context(allocation)))
        ))))
    const work: Effect.Effect<A, unknown, R> = strategy === "FULL_COMPUTATION"
      ? underGrant(fullRequest)
      : strategy === "PARTIAL_COMPUTATION"
      ? underGrant(partialRequest)
      : progress(progressive ? "running" : "fallback", 0).pipe(Effect.andThen(input.computation(context(undefined))))

    const exit = yield* Effect.gen(function*() {
      const exit = yield* work.pipe(
        Effect.onInterrupt(() => Effect.sync(() => abort.abort())),
        Effect.timeoutOrElse({
          duration: input.timeoutMs,
          orElse: () =>
            Effect.fail(new StrategyTimeout({ strategy, timeoutMs: input.timeoutMs, message: `${strategy} ran past its ${input.timeoutMs} ms deadline` }))
        }),
        Effect.exit
      )
      yield* Effect.annotateCurrentSpan({ "provident.outcome": outcomeOf(exit) ?? "interrupted" })
      return exit
    }).pipe(Effect.withSpan("AdaptiveExecutor.attempt", { attributes: { "provident.strategy": strategy, "provident.attempt": attempt } }))

    const elapsed = (yield* Clock.currentTimeMillis) - startedAt
    const outcome = outcomeOf(exit)
    // The execution itself was interrupted: so is this attempt.
    if (outcome === undefined) return yield* Effect.interrupt
    const base = { elapsed, held, waited, peakMemory: peak, cpuMs: cpu }
    if (Exit.isSuccess(exit)) return { ...base, outcome, value: exit.value }
    const error = Option.getOrElse(Cause.findErrorOption(exit.cause), () => {
      const defect = Cause.findDefect(exit.cause)
      return defect._tag === "Success" ? defect.success : Cause.squash(exit.cause)
    })
    return { ...base, outcome, error }
  })

/**
 * The checkpoints of one run. Each is stored with what it is bound to and
 * restored only for the same binding, whatever the store hands back. Saving
 * fails soft (logged, without the value): the work goes on uncheckpointed.
 */
const boundCheckpoints = (store: CheckpointStore.Service, run: string) => ({
  save: (key: string, binding: string, value: unknown): Effect.Effect<void> =>
    store.save(run, key, { binding, value } satisfies Bound).pipe(
      Effect.catch((error) => Effect.logWarning(`checkpoint ${key} not saved, the work goes on without it: ${error.message}`))
    ),
  restore: (key: string, binding: string): Effect.Effect<Option.Option<unknown>> =>
    store.restore(run, key).pipe(
      Effect.map(Option.flatMap((stored) => isBound(stored) && stored.binding === binding ? Option.some(stored.value) : Option.none())),
      Effect.catch((error) => Effect.as(Effect.logWarning(`checkpoint ${key} not restored, the work is redone: ${error.message}`), Option.none()))
    )
})

interface Bound {
  readonly binding: string
  readonly value: unknown
}

const isBound = (stored: unknown): stored is Bound =>
  typeof stored === "object" && stored !== null && "binding" in stored && typeof stored.binding === "string" && "value" in stored

const outcomeOf = (exit: Exit.Exit<unknown, unknown>): AttemptResult<unknown>["outcome"] | undefined => {
  if (Exit.isSuccess(exit)) return "succeeded"
  if (Cause.hasInterruptsOnly(exit.cause)) return undefined
  const error = Cause.findErrorOption(exit.cause)
  if (Option.isSome(error)) return error.value instanceof StrategyTimeout ? "timed-out" : "failed"
  return "died"
}
