/**
 * The allocator's engine: admission, the lifecycle of each operation's
 * fiber, over the synchronous bookkeeping of `scheduler.ts` (operations as
 * `allocatorOperation.ts` makes them), the budgets of `budgets.ts` and a
 * custom strategy's `customVerdict.ts`; `followReadings.ts` acts on each
 * reading (admission under the new budget, eviction).
 * `ResourceAllocator.ts` puts the public API on top.
 *
 * Every state change happens in one synchronous stretch between two yields
 * (read the clock first, then check and change), so concurrent callers see
 * each other's changes whole; events are published within that stretch, so
 * the `operations` stream is in the order things happened.
 *
 * Cost. Each Effect step on the hot paths (allocate, run, release, settle)
 * costs more than the bookkeeping itself, so the stretches are plain
 * functions (`…Unsafe`) given the fiber they run on: its clock, and its
 * context for metrics, exactly as `Clock.currentTimeMillis` and
 * `Metric.update` would read them. Waiters are signalled only after the
 * bookkeeping, since completing a `Deferred` resumes its waiter at once.
 */
import { Cause, Clock, Context, Deferred, Effect, Exit, Fiber, FiberSet, PubSub, Tracer } from "effect"
import type { Allocation, AllocationDecision } from "../AllocationDecision.ts"
import { AllocationDenied, DuplicateOperation, OperationCancelled, QueueFull } from "../AllocatorError.ts"
import type { AllocatorConfig } from "../AllocatorConfig.ts"
import type * as CustomStrategy from "../CustomStrategy.ts"
import type * as OperationProfile from "../OperationProfile.ts"
import type { OperationEvent } from "../OperationStatus.ts"
import type { ProbeError } from "../ProvidentError.ts"
import { ResourceMonitor } from "../ResourceMonitor.ts"
import type { ResourceSnapshot } from "../ResourceSnapshot.ts"
import { annotateAdmission, annotateRefusal } from "./admissionSpan.ts"
import { type Handles, isOperation, make as makeOperation, type Operation } from "./allocatorOperation.ts"
import { report } from "./allocatorGauges.ts"
import type { Budget } from "./budget.ts"
import { makeBudgets } from "./budgets.ts"
import { customVerdict } from "./customVerdict.ts"
import { followReadings } from "./followReadings.ts"
import { decide, type Need, needOf } from "./grant.ts"
import * as metrics from "./metrics.ts"
import { isTerminal, Scheduler } from "./scheduler.ts"

/** Why an operation could not get in line. */
export type EnqueueError = OperationCancelled | AllocationDenied | QueueFull

/** Why an operation could not be registered and put in line. */
export type SubmitError = EnqueueError | DuplicateOperation | ProbeError

/** The fiber's clock, as `Clock.currentTimeMillis` reads it (so `TestClock` applies). */
export const nowOf = (fiber: Fiber.Fiber<unknown, unknown>): number => fiber.getRef(Clock.Clock).currentTimeMillisUnsafe()

export const makeEngine = Effect.fnUntraced(function*(
  config: AllocatorConfig,
  customStrategy: CustomStrategy.CustomStrategy | undefined
) {
  const monitor = yield* ResourceMonitor
  const fibers = yield* FiberSet.make<unknown, unknown>()
  const events = yield* PubSub.sliding<OperationEvent>(4096)
  const sched = new Scheduler<Handles>(config)
  const custom = customStrategy !== undefined && config.strategy === "custom"
  let shuttingDown = false

  const { budgetOf, forecastWait, freeOf, refreshForecast } = yield* makeBudgets(config, monitor.device, () => sched.totalGranted)

  // Published synchronously at the transition it reports, so the stream's
  // order is the order things happened (the sliding hub never blocks).
  const announce = (op: Operation, at: number, extra?: Partial<OperationEvent>): void => {
    const event: OperationEvent = {
      name: op.name,
      state: op.state,
      priority: op.priority,
      at,
      restarts: Math.max(0, op.runs - 1)
    }
    PubSub.publishUnsafe(events, extra === undefined ? event : { ...event, ...extra })
  }

  yield* report({
    grantedMemory: () => sched.totalGranted.memory,
    grantedCores: () => sched.totalGranted.cores,
    queueLength: () => sched.queueLength,
    running: () => sched.runningCount
  })

  // Runs an admitted operation's body in its own fiber, started at once so
  // `pause` and `cancel` always find it; the body itself starts after a
  // yield, outside the admission bookkeeping.
  const fork = (op: Operation, allocation: Allocation) => {
    const body = op.handles.body!
    const fiber = Effect.runForkWith(op.handles.context)(
      Effect.yieldNow.pipe(
        Effect.andThen(Effect.suspend(() => body(allocation))),
        Effect.onExit((exit) => settle(op, exit))
      )
    )
    op.handles.fiber = fiber
    FiberSet.addUnsafe(fibers, fiber)
  }

  /**
   * Admits whatever the policy allows under `snapshot`, synchronously:
   * plan, grant, announce, fork, then signal the waiters.
   */
  const dispatchUnsafe = (snapshot: ResourceSnapshot, fiber: Fiber.Fiber<unknown, unknown>, now: number): void => {
    if (shuttingDown) return
    if (sched.queueLength > 0) {
      const budget = budgetOf(snapshot)
      const admitted = sched.admit(budget, now, snapshot.pressure.state === "critical")
      if (admitted.length > 0) {
        const shownBudget = { memory: budget.memory, cores: budget.cores }
        for (const op of admitted) {
          announce(op, now, { allocation: op.grant!, granted: sched.totalGranted, budget: shownBudget })
          if (op.hasBody) fork(op, op.grant!)
          metrics.allocatorAdmissions(op.priority).updateUnsafe(1, fiber.context)
          if (op.handles.span !== undefined) {
            annotateAdmission(op.handles.span, op, op.grant!)
            op.handles.span = undefined
          }
        }
        for (const op of admitted) Deferred.doneUnsafe(op.handles.admitted, Exit.succeed(op.grant!))
      }
    }
  }

  /**
   * Admits what can start now, on `fiber` (the fiber running this), then
   * runs `after`. A failed reading admits nothing: the next good one will.
   */
  const dispatchFrom = (fiber: Fiber.Fiber<unknown, unknown>, after?: () => void): Effect.Effect<void> => {
    if (shuttingDown || sched.queueLength === 0) {
      after?.()
      return Effect.void
    }
    return Effect.flatMap(Effect.exit(monitor.latest), (latest) => {
      if (Exit.isSuccess(latest)) dispatchUnsafe(latest.value, fiber, nowOf(fiber))
      after?.()
      return Effect.void
    })
  }
  const dispatch: Effect.Effect<void> = Effect.withFiber((fiber) => dispatchFrom(fiber))

  const cancelledError = (op: Operation, why: string) =>
    new OperationCancelled({ name: op.name, message: `operation ${op.name} was cancelled: ${why}` })

  /**
   * Ends an operation that is not running (queued, paused) or a running
   * hold, synchronously: call it right after reading the clock, with no
   * yield between the caller's checks and this.
   */
  const abandon = (op: Operation, why: string, now: number): void => {
    if (op.state === "running") sched.release(op)
    sched.finish(op, "cancelled", now)
    announce(op, now, { reason: why })
    const error = Exit.fail(cancelledError(op, why))
    Deferred.doneUnsafe(op.handles.admitted, error)
    Deferred.doneUnsafe(op.handles.result, error)
  }
  const afterCancel = Effect.withFiber((fiber) => {
    metrics.allocatorCancellations.updateUnsafe(1, fiber.context)
    return dispatch
  })

  /** Ends an `allocate()` hold when its scope closes, and lets waiters in. */
  const releaseHold = (op: Operation) =>
    Effect.withFiber((fiber) => {
      if (sched.live.get(op.name) !== op || op.state !== "running") return Effect.void
      const now = nowOf(fiber)
      sched.release(op)
      sched.finish(op, "completed", now)
      announce(op, now)
      Deferred.doneUnsafe(op.handles.result, Exit.void)
      return dispatchFrom(fiber)
    })

  // The end of a run of an operation's body, whatever ended it. The caller
  // is told after the freed resources went to whoever waits.
  const settle = (op: Operation, exit: Exit.Exit<unknown, unknown>) =>
    Effect.withFiber((fiber) => {
      const now = nowOf(fiber)
      const stopping = op.stopping
      op.stopping = undefined
      op.handles.fiber = undefined
      sched.release(op)
      const interrupted = Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause)
      let outcome: Exit.Exit<unknown, unknown> | undefined
      if (Exit.isSuccess(exit)) {
        sched.finish(op, "completed", now)
        announce(op, now)
        outcome = exit
      } else if (interrupted && (stopping === "pause" || stopping === "evict")) {
        op.state = "paused"
        op.evicted = stopping === "evict"
        op.handles.admitted = Deferred.makeUnsafe<Allocation, OperationCancelled>()
        announce(op, now, stopping === "evict" ? { reason: "evicted under memory pressure" } : undefined)
        const counter = stopping === "evict" ? metrics.allocatorEvictions : metrics.allocatorPauses
        counter.updateUnsafe(1, fiber.context)
      } else if (interrupted) {
        const why = stopping === "shutdown" ? "the allocator shut down" : stopping === "cancel" ? "cancelled" : "interrupted"
        sched.finish(op, "cancelled", now)
        announce(op, now, { reason: why })
        metrics.allocatorCancellations.updateUnsafe(1, fiber.context)
        outcome = Exit.fail(cancelledError(op, why))
      } else {
        sched.finish(op, "failed", now)
        announce(op, now)
        outcome = exit
      }
      if (outcome === undefined) return dispatchFrom(fiber)
      const result = op.handles.result
      return dispatchFrom(fiber, () => Deferred.doneUnsafe(result, outcome))
    })

  /** The refusal of an operation that can never fit, with the denial metrics. */
  const denyUnsafe = (op: Operation, decision: AllocationDecision, context: Context.Context<never>): AllocationDenied => {
    for (const r of decision.reasons) metrics.allocatorDenials(r.code).updateUnsafe(1, context)
    return new AllocationDenied({
      name: op.name,
      reasons: decision.reasons.map((r) => r.message),
      recommendations: decision.recommendations,
      message: `${op.name} denied: ${decision.reasons.map((r) => r.message).join("; ")}`
    })
  }

  /** What the custom strategy grants a request: a fixed need, or a refusal to report. */
  const customNeed = (profile: OperationProfile.OperationProfile, need: Need, snapshot: ResourceSnapshot, budget: Budget) =>
    customVerdict(customStrategy!, { profile, need, snapshot, device: monitor.device, budget, free: freeOf(budget) })

  /**
   * Puts an operation in line for admission under `snapshot`, synchronously:
   * the oversized check, capacity, then dispatch. The custom strategy's
   * verdict, an effect, must already be in `op.need`. Returns why it could
   * not, or `undefined`.
   */
  const enqueueUnsafe = (
    op: Operation,
    snapshot: ResourceSnapshot,
    fiber: Fiber.Fiber<unknown, unknown>,
    now: number
  ): EnqueueError | undefined => {
    if (shuttingDown) return cancelledError(op, "the allocator shut down")
    const budget = budgetOf(snapshot)
    if (op.need.memory.min > budget.ceiling.memory || op.need.cores.min > budget.ceiling.cores) {
      return denyUnsafe(op, decideFor(op.name, op.need, budget, undefined, false), fiber.context)
    }
    if (sched.queueLength >= config.queueCapacity) {
      return new QueueFull({
        name: op.name,
        capacity: config.queueCapacity,
        message: `${op.name} cannot wait: ${config.queueCapacity} operations are queued already`
      })
    }
    // A caller may have yielded since it looked the operation up: it may have been cancelled, or started by another caller.
    if (sched.live.get(op.name) !== op || isTerminal(op.state)) return cancelledError(op, "cancelled while queueing")
    if (op.waiting || op.state === "running") return undefined
    if (Deferred.isDoneUnsafe(op.handles.admitted)) op.handles.admitted = Deferred.makeUnsafe()
    sched.enqueue(op, now)
    announce(op, now, op.runs > 0 ? { reason: "resumed" } : undefined)
    dispatchUnsafe(snapshot, fiber, now)
    return undefined
  }

  /** Puts an operation in line for admission: custom and oversized checks, capacity, then dispatch. */
  const enqueue = (op: Operation): Effect.Effect<void, EnqueueError | ProbeError> => {
    const inLine = Effect.flatMap(monitor.latest, (snapshot) =>
      Effect.withFiber((fiber) => {
        const error = enqueueUnsafe(op, snapshot, fiber, nowOf(fiber))
        return error === undefined ? Effect.void : Effect.fail(error)
      }))
    if (!custom) return inLine
    return Effect.suspend(() => {
      if (shuttingDown) return Effect.fail(cancelledError(op, "the allocator shut down"))
      return Effect.flatMap(monitor.latest, (snapshot) =>
        Effect.flatMap(customNeed(op.profile, op.need, snapshot, budgetOf(snapshot)), (verdict) => {
          if (verdict.decision !== undefined) {
            return Effect.withFiber((fiber) => Effect.fail(denyUnsafe(op, verdict.decision, fiber.context)))
          }
          op.need = verdict.need
          return inLine
        }))
    })
  }

  const decideFor = (name: string, need: Need, budget: Budget, waitMs: number | undefined, blocked: boolean) =>
    decide({
      name,
      need,
      strategy: budget.strategy,
      budget: { memory: budget.memory, cores: budget.cores },
      ceiling: budget.ceiling,
      free: freeOf(budget),
      blockedByPressure: blocked,
      estimatedWaitMs: waitMs
    })

  /**
   * Registers a decoded operation under its name, synchronously; returns the
   * operation or why it cannot be registered.
   */
  const registerUnsafe = (
    profile: OperationProfile.OperationProfile,
    body: Handles["body"],
    context: Context.Context<never>,
    now: number
  ): Operation | OperationCancelled | DuplicateOperation => {
    if (shuttingDown) return new OperationCancelled({ name: profile.name, message: "the allocator shut down" })
    const existing = sched.live.get(profile.name)
    if (existing !== undefined) {
      return new DuplicateOperation({ name: profile.name, message: `an operation named ${profile.name} is ${existing.state} already` })
    }
    const op = makeOperation({ id: sched.newId(), profile, need: needOf(profile, monitor.device), body, context, now })
    sched.live.set(op.name, op)
    return op
  }

  /** Registers a decoded operation under its name. */
  const register = (profile: OperationProfile.OperationProfile, body: Handles["body"], context: Context.Context<never>) =>
    Effect.withFiber((fiber) => {
      const op = registerUnsafe(profile, body, context, nowOf(fiber))
      return isOperation(op) ? Effect.succeed(op) : Effect.fail(op)
    })

  /** Marks an operation that failed to get in line as failed. */
  const failedToQueueUnsafe = (op: Operation, error: unknown, now: number): void => {
    if (sched.live.get(op.name) === op && !isTerminal(op.state)) {
      annotateRefusal(op.handles.span, op, error)
      op.handles.span = undefined
      sched.finish(op, "failed", now)
      announce(op, now, { reason: error instanceof Error ? error.message : String(error) })
      Deferred.doneUnsafe(op.handles.result, Exit.fail(error))
    }
  }
  const failedToQueue = (op: Operation) => (error: unknown) =>
    Effect.withFiber((fiber) => Effect.succeed(failedToQueueUnsafe(op, error, nowOf(fiber))))

  /**
   * Registers an operation and puts it in line, in one synchronous stretch
   * (the common case) or, with a custom strategy, around its effect. The
   * probe's latest reading is taken by the caller, as an `Exit`, so that an
   * invalid profile or a duplicate name is reported before a probe failure.
   * Gives the operation, admitted already if it fit, or an effect that fails
   * or (custom strategy) succeeds with it.
   */
  const submitUnsafe = (
    profile: OperationProfile.OperationProfile,
    body: Handles["body"],
    latest: Exit.Exit<ResourceSnapshot, ProbeError>,
    span: Tracer.Span | undefined,
    fiber: Fiber.Fiber<unknown, unknown>
  ): Operation | Effect.Effect<Operation, SubmitError> => {
    const now = nowOf(fiber)
    // A body runs under the caller's span: its context is the one place that span must be the parent.
    const context = body !== undefined && span !== undefined ? Context.add(fiber.context, Tracer.ParentSpan, span) : fiber.context
    const op = registerUnsafe(profile, body, context, now)
    if (!isOperation(op)) return Effect.fail(op)
    op.handles.span = span
    if (Exit.isFailure(latest)) {
      failedToQueueUnsafe(op, Cause.squash(latest.cause), now)
      return Effect.failCause(latest.cause)
    }
    if (custom) return enqueue(op).pipe(Effect.tapError(failedToQueue(op)), Effect.as(op))
    const error = enqueueUnsafe(op, latest.value, fiber, now)
    if (error === undefined) return op
    failedToQueueUnsafe(op, error, now)
    return Effect.fail(error)
  }

  /** Interrupts a running body for `reason`, or (cancelling) ends a waiting or paused operation. */
  const stop = (op: Operation, reason: "pause" | "evict" | "cancel", why: string): Effect.Effect<void> =>
    Effect.withFiber((fiber) => {
      if (sched.live.get(op.name) !== op) return Effect.void
      if (op.state === "running" && op.handles.fiber !== undefined) {
        op.stopping = reason
        return Fiber.interrupt(op.handles.fiber)
      }
      if (reason !== "cancel") return Effect.void
      abandon(op, why, nowOf(fiber))
      return afterCancel
    })

  // Eviction and budget changes follow the monitor.
  yield* followReadings({
    config,
    monitor,
    running: () => sched.running,
    live: () => [...sched.live.values()],
    refreshForecast,
    dispatch,
    evict: (op) => stop(op, "evict", "evicted"),
    enqueue
  })

  yield* Effect.addFinalizer(() =>
    Effect.gen(function*() {
      shuttingDown = true
      const running = sched.running.filter((op) => op.handles.fiber !== undefined)
      for (const op of running) op.stopping = "shutdown"
      yield* Fiber.interruptAll(running.map((op) => op.handles.fiber!))
      const now = yield* Clock.currentTimeMillis
      for (const op of [...sched.live.values()]) {
        if (op.state !== "running") abandon(op, "the allocator shut down", now)
      }
      yield* PubSub.shutdown(events)
    })
  )

  return {
    monitor,
    sched,
    announce,
    dispatch,
    enqueue,
    register,
    submitUnsafe,
    releaseHold,
    stop,
    abandon,
    afterCancel,
    budgetOf,
    forecastWait,
    freeOf,
    decideFor,
    customNeed,
    failedToQueue,
    events
  }
})

export type Engine = Effect.Success<ReturnType<typeof makeEngine>>
