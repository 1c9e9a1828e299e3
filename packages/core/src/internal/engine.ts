/**
 * The allocator's engine: admission, the lifecycle of each operation's
 * fiber, and eviction, over the synchronous bookkeeping of `scheduler.ts`.
 * `ResourceAllocator.ts` puts the public API on top.
 *
 * Every state change happens in one synchronous stretch between two yields
 * (read the clock first, then check and change), so concurrent callers see
 * each other's changes whole; events are published within that stretch, so
 * the `operations` stream is in the order things happened.
 */
import { Cause, Clock, type Context, Deferred, Effect, Exit, Fiber, FiberSet, Metric, Option, PubSub, Schema, Stream } from "effect"
import type { Allocation, AllocationDecision, Resources } from "../AllocationDecision.ts"
import { AllocationDenied, DuplicateOperation, OperationCancelled, QueueFull } from "../AllocatorError.ts"
import type { AllocatorConfig } from "../AllocatorConfig.ts"
import * as CustomStrategy from "../CustomStrategy.ts"
import * as OperationProfile from "../OperationProfile.ts"
import type { OperationEvent } from "../OperationStatus.ts"
import * as Priority from "../Priority.ts"
import { ResourceMonitor } from "../ResourceMonitor.ts"
import { ResourcePredictor } from "../ResourcePredictor.ts"
import type { ResourceSnapshot } from "../ResourceSnapshot.ts"
import { type Budget, adaptive, capacityOf, fixed, forecastFree } from "./budget.ts"
import { victims } from "./eviction.ts"
import { decide, type Need, needOf } from "./grant.ts"
import * as metrics from "./metrics.ts"
import { isTerminal, type Op, Scheduler } from "./scheduler.ts"

export interface Handles {
  readonly body: ((allocation: Allocation) => Effect.Effect<unknown, unknown>) | undefined
  readonly context: Context.Context<never>
  readonly result: Deferred.Deferred<unknown, unknown>
  admitted: Deferred.Deferred<Allocation, OperationCancelled>
  fiber: Fiber.Fiber<unknown, unknown> | undefined
}

export type Operation = Op<Handles>

const decodeCustomDecision = Schema.decodeUnknownEffect(CustomStrategy.Decision)

export const makeEngine = Effect.fnUntraced(function*(
  config: AllocatorConfig,
  customStrategy: CustomStrategy.CustomStrategy | undefined
) {
  const monitor = yield* ResourceMonitor
  const fibers = yield* FiberSet.make<unknown, unknown>()
  const events = yield* PubSub.sliding<OperationEvent>(4096)
  const sched = new Scheduler<Handles>(config)
  let shuttingDown = false
  let lastEviction = Number.NEGATIVE_INFINITY

  // The predictor, when one is provided, lets adaptive budgets look ahead and
  // requests say how long to wait for memory used outside the allocator.
  const predictor = yield* Effect.serviceOption(ResourcePredictor)
  let forecast: ReadonlyArray<{ readonly at: number; readonly used: number }> = []
  const refreshForecast = Option.match(predictor, {
    onNone: () => Effect.void,
    onSome: (p) =>
      p.predictions.pipe(
        Effect.map((points) => {
          forecast = points.flatMap((point) => point.memory === undefined ? [] : [{ at: point.timestamp, used: point.memory.predicted }])
        })
      )
  })

  /** The budget now; `lookAhead: false` leaves the forecast out (for "when will it fit"). */
  const budgetOf = (snapshot: ResourceSnapshot, lookAhead = true): Budget => {
    const input = {
      snapshot,
      device: monitor.device,
      maxMemoryPercentage: config.maxMemoryPercentage,
      maxCpuPercentage: config.maxCpuPercentage,
      granted: sched.totalGranted
    }
    switch (config.strategy) {
      case "adaptive": {
        const ahead = lookAhead
          ? forecastFree(capacityOf(snapshot), sched.totalGranted.memory, forecast.map((f) => f.used))
          : undefined
        return adaptive(ahead === undefined ? input : { ...input, forecastFreeMemory: ahead }, config.batteryLowPercent)
      }
      default:
        return fixed(config.strategy, input)
    }
  }

  /**
   * When memory used outside the allocator is forecast to fall far enough
   * for `need` to fit: the first forecast point where it would; `undefined`
   * without a forecast or if no point in the window does.
   */
  const forecastWait = (snapshot: ResourceSnapshot, need: Need, now: number): number | undefined => {
    for (const point of forecast) {
      const then = budgetOf({ ...snapshot, memory: { ...snapshot.memory, used: point.used } }, false)
      if (then.memory - sched.totalGranted.memory >= need.memory.min) return Math.max(0, point.at - now)
    }
    return undefined
  }
  const freeOf = (budget: Budget): Resources => ({
    memory: budget.memory - sched.totalGranted.memory,
    cores: budget.cores - sched.totalGranted.cores
  })

  // Published synchronously at the transition it reports, so the stream's
  // order is the order things happened (the sliding hub never blocks).
  const announce = (op: Operation, at: number, extra: Partial<OperationEvent> = {}): void => {
    PubSub.publishUnsafe(events, {
      name: op.name,
      state: op.state,
      priority: op.priority,
      at,
      restarts: Math.max(0, op.runs - 1),
      ...extra
    })
  }

  // Gauges are set only when a value changed: dispatch runs on every event.
  let shown = [-1, -1, -1, -1]
  const gauges = Effect.suspend(() => {
    const now = [sched.totalGranted.memory, sched.totalGranted.cores, sched.queueLength, sched.runningCount]
    if (now.every((v, i) => v === shown[i])) return Effect.void
    shown = now
    return Effect.all([
      Metric.update(metrics.allocatorGrantedMemory, now[0]!),
      Metric.update(metrics.allocatorGrantedCores, now[1]!),
      Metric.update(metrics.allocatorQueueLength, now[2]!),
      Metric.update(metrics.allocatorRunning, now[3]!)
    ], { discard: true })
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

  const dispatch: Effect.Effect<void> = Effect.gen(function*() {
    if (shuttingDown) return
    // Nothing waits: only the gauges can have changed.
    if (sched.queueLength === 0) return yield* gauges
    const snapshot = yield* Effect.option(monitor.latest)
    if (Option.isNone(snapshot)) return
    const now = yield* Clock.currentTimeMillis
    const budget = budgetOf(snapshot.value)
    // One synchronous step: plan, grant, fork, signal.
    const admitted = sched.admit(budget, now, snapshot.value.pressure.state === "critical")
    for (const op of admitted) {
      announce(op, now, { allocation: op.grant!, granted: sched.totalGranted, budget: { memory: budget.memory, cores: budget.cores } })
      if (op.hasBody) fork(op, op.grant!)
      Deferred.doneUnsafe(op.handles.admitted, Exit.succeed(op.grant!))
    }
    for (const op of admitted) {
      yield* Metric.update(metrics.allocatorAdmissions(op.priority), 1)
    }
    yield* gauges
  })

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
    const error = cancelledError(op, why)
    Deferred.doneUnsafe(op.handles.admitted, Exit.fail(error))
    Deferred.doneUnsafe(op.handles.result, Exit.fail(error))
    announce(op, now, { reason: why })
  }
  const afterCancel = Metric.update(metrics.allocatorCancellations, 1).pipe(Effect.andThen(dispatch))

  // The end of a run of an operation's body, whatever ended it.
  const settle = (op: Operation, exit: Exit.Exit<unknown, unknown>) =>
    Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      const stopping = op.stopping
      op.stopping = undefined
      op.handles.fiber = undefined
      sched.release(op)
      const interrupted = Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause)
      if (Exit.isSuccess(exit)) {
        sched.finish(op, "completed", now)
        Deferred.doneUnsafe(op.handles.result, exit)
        announce(op, now)
      } else if (interrupted && (stopping === "pause" || stopping === "evict")) {
        op.state = "paused"
        op.evicted = stopping === "evict"
        op.handles.admitted = Deferred.makeUnsafe<Allocation, OperationCancelled>()
        announce(op, now, stopping === "evict" ? { reason: "evicted under memory pressure" } : {})
        yield* Metric.update(stopping === "evict" ? metrics.allocatorEvictions : metrics.allocatorPauses, 1)
      } else if (interrupted) {
        const why = stopping === "shutdown" ? "the allocator shut down" : stopping === "cancel" ? "cancelled" : "interrupted"
        sched.finish(op, "cancelled", now)
        Deferred.doneUnsafe(op.handles.result, Exit.fail(cancelledError(op, why)))
        announce(op, now, { reason: why })
        yield* Metric.update(metrics.allocatorCancellations, 1)
      } else {
        sched.finish(op, "failed", now)
        Deferred.doneUnsafe(op.handles.result, exit)
        announce(op, now)
      }
      yield* dispatch
    })

  const deny = (op: Operation, decision: AllocationDecision) =>
    Effect.gen(function*() {
      for (const r of decision.reasons) {
        yield* Metric.update(metrics.allocatorDenials(r.code), 1)
      }
      return yield* new AllocationDenied({
        name: op.name,
        reasons: decision.reasons.map((r) => r.message),
        recommendations: decision.recommendations,
        message: `${op.name} denied: ${decision.reasons.map((r) => r.message).join("; ")}`
      })
    })

  /** What a custom strategy grants a request: a fixed need, or a refusal to report. */
  const customNeed = Effect.fnUntraced(function*(
    profile: OperationProfile.OperationProfile,
    need: Need,
    snapshot: ResourceSnapshot,
    budget: Budget
  ) {
    const free = freeOf(budget)
    const refuse = (reason: string): AllocationDecision => ({
      name: profile.name,
      approved: false,
      allocatedMemory: 0,
      allocatedCores: 0,
      strategy: "custom",
      budget: { memory: budget.memory, cores: budget.cores },
      free,
      reasons: [{ code: "custom", message: reason }],
      recommendations: [],
      fallbackOptions: []
    })
    const answer = yield* customStrategy!({
      profile,
      snapshot,
      device: monitor.device,
      budget: { memory: budget.memory, cores: budget.cores },
      free
    }).pipe(
      Effect.flatMap(decodeCustomDecision),
      Effect.catchCause((cause) =>
        Effect.succeed<CustomStrategy.Decision>({ approved: false, reason: `the custom strategy failed: ${Cause.pretty(cause)}` })
      )
    )
    if (!answer.approved) return { decision: refuse(answer.reason ?? "refused by the custom strategy") }
    const memory = Math.min(answer.allocatedMemory ?? need.memory.rec, budget.ceiling.memory)
    const cores = Math.min(answer.allocatedCores ?? need.cores.rec, budget.ceiling.cores)
    return { need: { memory: { min: memory, rec: memory }, cores: { min: cores, rec: cores } } satisfies Need }
  })

  /** Puts an operation in line for admission: oversized and custom checks, capacity, then dispatch. */
  const enqueue = Effect.fnUntraced(function*(op: Operation) {
    if (shuttingDown) return yield* cancelledError(op, "the allocator shut down")
    const snapshot = yield* monitor.latest
    const budget = budgetOf(snapshot)
    if (customStrategy !== undefined && config.strategy === "custom") {
      const custom = yield* customNeed(op.profile, op.need, snapshot, budget)
      if (custom.decision !== undefined) return yield* deny(op, custom.decision)
      op.need = custom.need
    }
    if (op.need.memory.min > budget.ceiling.memory || op.need.cores.min > budget.ceiling.cores) {
      return yield* deny(op, decideFor(op.name, op.need, budget, undefined, false))
    }
    if (sched.queueLength >= config.queueCapacity) {
      return yield* new QueueFull({
        name: op.name,
        capacity: config.queueCapacity,
        message: `${op.name} cannot wait: ${config.queueCapacity} operations are queued already`
      })
    }
    const now = yield* Clock.currentTimeMillis
    // The checks above yielded: the operation may have been cancelled, or started by another caller.
    if (sched.live.get(op.name) !== op || isTerminal(op.state)) return yield* cancelledError(op, "cancelled while queueing")
    if (op.waiting || op.state === "running") return
    if (Deferred.isDoneUnsafe(op.handles.admitted)) op.handles.admitted = Deferred.makeUnsafe()
    sched.enqueue(op, now)
    announce(op, now, op.runs > 0 ? { reason: "resumed" } : {})
    yield* dispatch
  })

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

  const register = Effect.fnUntraced(function*(
    input: OperationProfile.OperationProfileInput,
    body: Handles["body"],
    context: Context.Context<never>
  ) {
    const profile = yield* OperationProfile.decode(input)
    if (shuttingDown) {
      return yield* new OperationCancelled({ name: profile.name, message: "the allocator shut down" })
    }
    if (sched.live.has(profile.name)) {
      return yield* new DuplicateOperation({
        name: profile.name,
        message: `an operation named ${profile.name} is ${sched.live.get(profile.name)!.state} already`
      })
    }
    const op: Operation = {
      id: sched.newId(),
      name: profile.name,
      profile,
      priority: profile.priority,
      rank: Priority.rank(profile.priority),
      estimatedDuration: profile.estimatedDuration,
      need: needOf(profile, monitor.device),
      hasBody: body !== undefined,
      state: "queued",
      waiting: false,
      queuedAt: yield* Clock.currentTimeMillis,
      startedAt: undefined,
      runs: 0,
      evicted: false,
      grant: undefined,
      stopping: undefined,
      handles: {
        body,
        context,
        result: Deferred.makeUnsafe(),
        admitted: Deferred.makeUnsafe(),
        fiber: undefined
      }
    }
    sched.live.set(op.name, op)
    return op
  })

  /** Marks an operation that failed to get in line as failed. */
  const failedToQueue = (op: Operation) => (error: unknown) =>
    Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      if (sched.live.get(op.name) === op && !isTerminal(op.state)) {
        sched.finish(op, "failed", now)
        Deferred.doneUnsafe(op.handles.result, Exit.fail(error))
        announce(op, now, { reason: error instanceof Error ? error.message : String(error) })
      }
    })

  /** Interrupts a running body for `reason`, or (cancelling) ends a waiting or paused operation. */
  const stop = (op: Operation, reason: "pause" | "evict" | "cancel", why: string): Effect.Effect<void> =>
    Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      if (sched.live.get(op.name) !== op) return
      if (op.state === "running" && op.handles.fiber !== undefined) {
        op.stopping = reason
        return yield* Fiber.interrupt(op.handles.fiber)
      }
      if (reason !== "cancel") return
      abandon(op, why, now)
      yield* afterCancel
    })

  // Eviction and budget changes follow the monitor.
  const onSnapshot = Effect.fnUntraced(function*(snapshot: ResourceSnapshot) {
    yield* refreshForecast
    yield* dispatch
    if (!config.eviction || snapshot.stale) return
    const alerts = yield* monitor.alerts
    const now = yield* Clock.currentTimeMillis
    if (alerts.memory && now - lastEviction >= config.evictionCooldown) {
      const chosen = victims(
        sched.running.filter((op) => op.hasBody && op.profile.canBePaused).map((op) => ({
          id: op.id,
          rank: op.rank,
          startedAt: op.startedAt ?? 0,
          memory: op.grant?.memory ?? 0
        })),
        snapshot.memory.used,
        capacityOf(snapshot),
        monitor.config.memoryThresholdPercent
      )
      if (chosen.length > 0) {
        lastEviction = now
        const byId = new Map(sched.running.map((op) => [op.id, op]))
        yield* Effect.forEach(chosen, (id) => stop(byId.get(id)!, "evict", "evicted"), { concurrency: "unbounded", discard: true })
      }
    } else if (!alerts.memory) {
      for (const op of [...sched.live.values()]) {
        if (op.state === "paused" && op.evicted) {
          op.evicted = false
          yield* enqueue(op).pipe(Effect.ignore)
        }
      }
    }
  })
  yield* monitor.changes.pipe(Stream.runForEach(onSnapshot), Effect.forkScoped({ startImmediately: true }))

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
