/**
 * Runs a computation the best way the device allows: a fallback chain of
 * strategies (cached → full → progressive → partial → remote), built per
 * call from the enabled strategies, the profile's capabilities and what the
 * allocator can grant. Each strategy gets its own timeout and retries with
 * exponential backoff; every attempt, tried or skipped, is in the result with
 * its reason. `execute` never fails for an expected failure: the
 * `ExecutionResult` says what happened, defects included.
 *
 * Progressive attempts checkpoint each phase (`CheckpointStore`), so a pause,
 * a timeout or a crashed prover loses at most the phase in flight. The
 * checkpoints belong to the one `execute` call that made them (its run:
 * the id plus 128 random bits, since ids repeat) and are removed when it
 * ends, however it ends: success, failure, timeout, cancellation. Successes fill the `ResultCache` when the profile
 * allows caching; the remote prover is used only when the call allows inputs
 * to leave the device; every successful local attempt teaches the predictor
 * what the circuit costs.
 *
 * @since 0.1.0
 */
import { Clock, Context, Effect, Layer, Option, type Stream } from "effect"
import type { Scope } from "effect"
import { CheckpointStore, makeMemory as memoryCheckpoints } from "./CheckpointStore.ts"
import type { CircuitKey } from "./Completion.ts"
import type { Computation } from "./Computation.ts"
import * as ComputationProfile from "./ComputationProfile.ts"
import type { ComputationStrategy } from "./ComputationStrategy.ts"
import * as ExecutorConfig from "./ExecutorConfig.ts"
import { ComputationDied, NoStrategyAvailable } from "./ExecutorError.ts"
import type { Attempt, ExecutionFailure, ExecutionProgress, ExecutionResult } from "./ExecutionResult.ts"
import { runAttempt } from "./internal/attempt.ts"
import { chain, fullRequest, type RequestInput } from "./internal/chain.ts"
import * as metrics from "./internal/metrics.ts"
import * as ProgressBoard from "./internal/progressBoard.ts"
import * as Priority from "./Priority.ts"
import type { InvalidInput } from "./ProvidentError.ts"
import { RemoteProver } from "./RemoteProver.ts"
import { ResourceAllocator } from "./ResourceAllocator.ts"
import { ResourcePredictor } from "./ResourcePredictor.ts"
import { ResultCache } from "./ResultCache.ts"
import { decoder } from "./internal/decode.ts"
import { runOf } from "./internal/runId.ts"

export interface ExecuteOptions {
  /** Key of the result in the `ResultCache` (e.g. circuit and a hash of the inputs); without it nothing is cached. */
  readonly cacheKey?: string
  /** Whether inputs may leave the device for the remote prover (default: the executor's `allowRemote`, off). */
  readonly allowRemote?: boolean
  /** The phase plan handed to the computation (`ctx.phases`). */
  readonly phases?: ReadonlyArray<string>
  /** Which circuit this is, so the predictor can estimate it and learn from it. */
  readonly circuit?: CircuitKey
  /** Errors after which no other strategy is tried (e.g. inputs that violate the circuit). */
  readonly fatal?: (error: unknown) => boolean
  /** The strategies this call may use (default: the executor's `enabledStrategies`); chain order still applies. */
  readonly strategies?: ReadonlyArray<ComputationStrategy>
}

export interface Service {
  readonly config: ExecutorConfig.ExecutorConfig
  readonly execute: <A, E, R>(
    id: string,
    computation: Computation<A, E, R>,
    profile: ComputationProfile.ComputationProfile,
    priority: Priority.Priority,
    options?: ExecuteOptions
  ) => Effect.Effect<ExecutionResult<A, E>, InvalidInput, R>
  /** Where an execution is; none once a finished execution's progress has expired (or for an unknown id). */
  readonly progress: (id: string) => Effect.Effect<Option.Option<ExecutionProgress>>
  /** The current progress, then every change, ending when the execution finishes. */
  readonly progressChanges: (id: string) => Stream.Stream<ExecutionProgress>
}

export class AdaptiveExecutor extends Context.Service<AdaptiveExecutor, Service>()("@provident/core/AdaptiveExecutor") {}

const decodePriority = decoder(Priority.Priority, "Priority")

const describe = (error: unknown): string =>
  typeof error === "object" && error !== null && "message" in error && typeof error.message === "string" && error.message !== ""
    ? error.message
    : typeof error === "object" && error !== null && "_tag" in error
    ? String(error._tag)
    : "failed"

export const make: (
  options?: ExecutorConfig.ExecutorConfigInput
) => Effect.Effect<Service, InvalidInput, ResourceAllocator | Scope.Scope> = Effect.fnUntraced(function*(options) {
  const config = yield* ExecutorConfig.decode(options ?? {})
  const allocator = yield* ResourceAllocator
  const checkpoints = Option.getOrElse(yield* Effect.serviceOption(CheckpointStore), memoryCheckpoints)
  const cache = yield* Effect.serviceOption(ResultCache)
  const remote = yield* Effect.serviceOption(RemoteProver)
  const predictor = yield* Effect.serviceOption(ResourcePredictor)
  const board = yield* ProgressBoard.make(config.progressRetention)

  const timeoutOf = (s: ComputationStrategy) => config.strategyTimeouts[s] ?? config.timeout
  const retriesOf = (s: ComputationStrategy) => config.strategyRetries[s] ?? config.retries

  const execute = <A, E, R>(
    id: string,
    computation: Computation<A, E, R>,
    profileInput: ComputationProfile.ComputationProfile,
    priorityInput: Priority.Priority,
    opts: ExecuteOptions = {}
  ): Effect.Effect<ExecutionResult<A, E>, InvalidInput, R> =>
    Effect.gen(function*() {
      const profile = yield* ComputationProfile.decode(profileInput)
      const priority = yield* decodePriority(priorityInput)
      const run = runOf(id)
      return yield* executeRun(id, run, computation, profile, priority, opts).pipe(
        // Whatever the end, nothing this run saved outlives it (checkpoints hold private witnesses).
        Effect.ensuring(checkpoints.clear(run).pipe(Effect.ignore))
      )
    }).pipe(
      Effect.onInterrupt(() => cancelled(id)),
      Effect.withSpan("AdaptiveExecutor.execute", { attributes: { "provident.execution": id } })
    )

  const executeRun = <A, E, R>(
    id: string,
    run: string,
    computation: Computation<A, E, R>,
    profile: ComputationProfile.ComputationProfile,
    priority: Priority.Priority,
    opts: ExecuteOptions
  ): Effect.Effect<ExecutionResult<A, E>, never, R> =>
    Effect.gen(function*() {
      const startedAt = yield* Clock.currentTimeMillis
      const key = opts.circuit
      const setProgress = (phase: string, percent: number, strategy: ComputationStrategy | undefined, attempt: number) =>
        Effect.map(Clock.currentTimeMillis, (now) => board.set({ id, phase, percent, strategy, attempt, updatedAt: now }))
      yield* setProgress("queued", 0, undefined, 0)

      // The predictor's estimate, when there is one, sizes the allocator's expectations.
      const estimate = yield* Option.match(predictor, {
        onNone: () => Effect.succeed(Option.none<number>()),
        onSome: (p) =>
          p.registerOperation(id, profile, key).pipe(
            Effect.andThen(p.estimate(profile, key)),
            Effect.map((e) => Option.some(e.estimatedTimeToComplete)),
            Effect.orElseSucceed(() => Option.none<number>())
          )
      })
      const request: RequestInput = {
        id,
        profile,
        priority,
        cores: Math.max(1, Math.floor((yield* allocator.budget.pipe(Effect.map((b) => b.cores), Effect.orElseSucceed(() => 1))))),
        estimatedDuration: Option.getOrElse(estimate, () => ComputationProfile.expectedDuration(profile))
      }
      const steps = chain({
        enabled: opts.strategies ?? config.enabledStrategies,
        profile,
        cacheKey: opts.cacheKey,
        hasCache: Option.isSome(cache),
        allowRemote: opts.allowRemote ?? config.allowRemote,
        hasRemote: Option.isSome(remote)
      })

      const attempts: Array<Attempt> = []
      let lastError: E | ExecutionFailure | undefined
      let lastStrategy: ComputationStrategy | undefined
      const finish = (result: Omit<ExecutionResult<A, E>, "id" | "elapsedTime" | "attempts" | "waitTime"> & { readonly waitTime?: number }) =>
        Effect.gen(function*() {
          const now = yield* Clock.currentTimeMillis
          yield* setProgress(result.success ? "done" : "failed", result.success ? 100 : 0, result.strategy, attempts.length)
          yield* Metrics.execution(result.strategy, result.success)
          if (Option.isSome(predictor)) yield* predictor.value.unregisterOperation(id)
          return { ...result, waitTime: result.waitTime ?? 0, id, elapsedTime: now - startedAt, attempts } satisfies ExecutionResult<A, E>
        })

      for (const [index, step] of steps.entries()) {
        const stepStart = yield* Clock.currentTimeMillis
        if (step.skip !== undefined) {
          attempts.push({ strategy: step.strategy, attempt: 0, outcome: "skipped", elapsed: 0, reason: step.skip })
          continue
        }
        lastStrategy = step.strategy
        if (step.strategy === "CACHED_COMPUTATION") {
          const hit = yield* cache.pipe(Option.getOrThrow).get(opts.cacheKey!)
          const elapsed = (yield* Clock.currentTimeMillis) - stepStart
          if (Option.isSome(hit)) {
            attempts.push({ strategy: step.strategy, attempt: 1, outcome: "succeeded", elapsed })
            return yield* finish({ success: true, strategy: step.strategy, resourcesUsed: { memory: 0, cores: 0 }, result: hit.value as A })
          }
          attempts.push({ strategy: step.strategy, attempt: 1, outcome: "cache-miss", elapsed, reason: `nothing cached under ${opts.cacheKey}` })
          continue
        }
        if (step.strategy === "FULL_COMPUTATION") {
          const lighter = steps.slice(index + 1).some((s) => s.skip === undefined && s.strategy !== "FALLBACK_COMPUTATION")
          const decision = yield* allocator.request(fullRequest(request)).pipe(Effect.option)
          const wait = Option.flatMap(decision, (d) => Option.fromUndefinedOr(d.fallbackOptions.find((o) => o.kind === "wait")?.estimatedWaitMs))
          const oversized = Option.exists(decision, (d) => d.reasons.some((r) => r.code.startsWith("oversized")))
          const tooLong = Option.isNone(wait) || wait.value > config.fullWaitLimit
          if (Option.isSome(decision) && !decision.value.approved && (oversized || (lighter && tooLong))) {
            attempts.push({
              strategy: step.strategy,
              attempt: 0,
              outcome: "skipped",
              elapsed: 0,
              reason: `its memory cannot be had now: ${decision.value.reasons.map((r) => r.message).join("; ")}`
            })
            continue
          }
        }

        const tries = 1 + retriesOf(step.strategy)
        for (let attempt = 1; attempt <= tries; attempt++) {
          const outcome = yield* runAttempt({
            id,
            run,
            strategy: step.strategy,
            attempt,
            timeoutMs: timeoutOf(step.strategy),
            computation,
            request,
            phases: opts.phases ?? [],
            allocator,
            checkpoints,
            remote: Option.getOrUndefined(remote),
            setProgress
          })
          attempts.push({
            strategy: step.strategy,
            attempt,
            outcome: outcome.outcome,
            elapsed: outcome.elapsed,
            ...(outcome.outcome === "succeeded" ? {} : { reason: describe(outcome.error) })
          })
          yield* Metrics.attempt(step.strategy, outcome.outcome, outcome.elapsed)
          if (outcome.outcome === "succeeded") {
            if (config.cacheResults && profile.supportsCachedResults && opts.cacheKey !== undefined && Option.isSome(cache)) {
              yield* cache.value.set(opts.cacheKey, outcome.value)
            }
            if (Option.isSome(predictor) && key !== undefined && step.strategy !== "FALLBACK_COMPUTATION" && outcome.held.cores > 0) {
              yield* predictor.value.observe({
                circuitId: key.circuitId ?? key.circuitFamily ?? id,
                circuitFamily: key.circuitFamily ?? key.circuitId ?? id,
                prover: key.prover ?? "unknown",
                circuitSize: profile.circuitSize,
                strategy: step.strategy,
                cores: outcome.held.cores,
                // What the work took, not what it waited for admission.
                duration: Math.max(1, outcome.elapsed - outcome.waited),
                peakMemory: Math.max(1, outcome.peakMemory ?? outcome.held.memory)
              }).pipe(Effect.ignore)
            }
            return yield* finish({
              success: true,
              strategy: step.strategy,
              waitTime: outcome.waited,
              resourcesUsed: {
                memory: outcome.held.memory,
                cores: outcome.held.cores,
                ...(outcome.peakMemory === undefined ? {} : { peakMemory: outcome.peakMemory }),
                ...(outcome.cpuMs === undefined ? {} : { cpuMs: outcome.cpuMs })
              },
              result: outcome.value as A
            })
          }
          lastError = outcome.outcome === "died"
            ? new ComputationDied({ strategy: step.strategy, defect: outcome.error, message: `the computation died under ${step.strategy}` })
            : outcome.error as E | ExecutionFailure
          if (opts.fatal?.(outcome.error) === true) {
            return yield* finish({ success: false, strategy: step.strategy, resourcesUsed: { memory: 0, cores: 0 }, error: lastError })
          }
          if (attempt < tries) yield* Effect.sleep(config.retryDelay * 2 ** (attempt - 1))
        }
        yield* Metrics.fallback(step.strategy)
      }

      const error = lastError ?? new NoStrategyAvailable({
        reasons: attempts.map((a) => `${a.strategy}: ${a.reason ?? a.outcome}`),
        message: `no strategy could run ${id}: ${attempts.map((a) => `${a.strategy} ${a.reason ?? a.outcome}`).join("; ")}`
      })
      return yield* finish({ success: false, strategy: lastStrategy, resourcesUsed: { memory: 0, cores: 0 }, error })
    })

  /**
   * An execution its caller interrupted: its progress becomes `cancelled`
   * (so watchers' streams end and the entry expires like a finished one)
   * and the predictor forgets it. Its checkpoints are removed with its run.
   */
  const cancelled = (id: string) =>
    Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      const last = board.get(id, now)
      if (Option.isNone(last) || ProgressBoard.finished(last.value.phase)) return
      board.set({ ...last.value, phase: "cancelled", updatedAt: now })
      if (Option.isSome(predictor)) yield* predictor.value.unregisterOperation(id)
    })

  return AdaptiveExecutor.of({
    config,
    execute,
    progress: Effect.fn("AdaptiveExecutor.progress")(function*(id: string) {
      return board.get(id, yield* Clock.currentTimeMillis)
    }),
    progressChanges: board.changes
  })
})

const Metrics = {
  execution: (strategy: ComputationStrategy | undefined, success: boolean) =>
    metrics.executorExecutions(strategy ?? "none", success ? "succeeded" : "failed"),
  attempt: (strategy: ComputationStrategy, outcome: string, elapsed: number) =>
    Effect.andThen(metrics.executorAttempts(strategy, outcome), metrics.executorStrategyTime(strategy, elapsed)),
  fallback: (strategy: ComputationStrategy) => metrics.executorFallbacks(strategy)
}

/** The executor over the allocator in context (and, when present, a checkpoint store, result cache, remote prover and predictor). */
export const layer = (
  options?: ExecutorConfig.ExecutorConfigInput
): Layer.Layer<AdaptiveExecutor, InvalidInput, ResourceAllocator> => Layer.effect(AdaptiveExecutor, make(options))
