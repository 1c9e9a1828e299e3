/**
 * Admits work against a memory/CPU budget, by priority: a fiber scheduler.
 *
 * - `request(profile)` decides now, without queueing or reserving.
 * - `allocate(profile)` waits its turn and holds the grant until the caller's
 *   scope closes; `run(profile, f)` waits its turn and runs `f` under the grant.
 * - Named operations: `queue`, `start`, `pause`, `resume`, `cancel`, `status`,
 *   and `operations`, the stream of their state changes. Pausing interrupts
 *   the operation's fiber and releases its resources; resuming queues it
 *   again and, once admitted, calls `f` anew (`allocation.restarts` counts),
 *   which is expected to restore from its last checkpoint.
 * - Eviction: when the monitor's memory threshold is crossed, the
 *   lowest-priority pausable work is paused until projected usage falls
 *   under it; it resumes when the crossing clears.
 *
 * Invariants: an admission never takes the granted total above the budget
 * of that moment, and every grant is returned exactly once, after success,
 * failure, interruption or cancellation. Budgets: `internal/budget.ts`;
 * admission order: `internal/admission.ts`.
 *
 * @since 0.1.0
 */
import { Clock, Context, Deferred, Effect, type Fiber, Layer, Metric, Scope, Stream } from "effect"
import type { SchemaAST } from "effect"
import type { Allocation, AllocationDecision, Resources } from "./AllocationDecision.ts"
import {
  type AllocationDenied,
  type DuplicateOperation,
  InvalidOperationState,
  type OperationCancelled,
  type QueueFull,
  UnknownOperation
} from "./AllocatorError.ts"
import * as AllocatorConfig from "./AllocatorConfig.ts"
import type * as CustomStrategy from "./CustomStrategy.ts"
import { shadowTime } from "./internal/admission.ts"
import { annotateAdmission, spanOf } from "./internal/admissionSpan.ts"
import { type Handles, isOperation, type Operation } from "./internal/allocatorOperation.ts"
import { makeEngine, nowOf } from "./internal/engine.ts"
import { needOf } from "./internal/grant.ts"
import * as metrics from "./internal/metrics.ts"
import * as OperationProfile from "./OperationProfile.ts"
import type { OperationEvent, OperationStatus } from "./OperationStatus.ts"
import { InvalidInput, type ProbeError } from "./ProvidentError.ts"
import type { ResourceMonitor } from "./ResourceMonitor.ts"

/** Errors of waiting for admission. */
export type AdmissionError = InvalidInput | ProbeError | AllocationDenied | QueueFull | DuplicateOperation | OperationCancelled

/** The budget in force and why. */
export interface BudgetView {
  readonly strategy: string
  readonly why: string
  readonly memory: number
  readonly cores: number
  readonly granted: Resources
  readonly queueLength: number
}

export interface Service {
  readonly config: AllocatorConfig.AllocatorConfig
  /** The budget from the latest snapshot and what is granted of it. */
  readonly budget: Effect.Effect<BudgetView, ProbeError>
  /** Decides now, without queueing or reserving anything. */
  readonly request: (profile: OperationProfile.OperationProfileInput) => Effect.Effect<AllocationDecision, InvalidInput | ProbeError>
  /** Waits for admission; the grant is held until the caller's scope closes. Not pausable. */
  readonly allocate: (profile: OperationProfile.OperationProfileInput) => Effect.Effect<Allocation, AdmissionError, Scope.Scope>
  /** Waits for admission and runs `f` under the grant, registered by `profile.name`. */
  readonly run: <A, E, R>(
    profile: OperationProfile.OperationProfileInput,
    f: (allocation: Allocation) => Effect.Effect<A, E, R>
  ) => Effect.Effect<A, E | AdmissionError, R>
  /** Registers a named operation without starting it. */
  readonly queue: <A, E, R>(
    profile: OperationProfile.OperationProfileInput,
    f: (allocation: Allocation) => Effect.Effect<A, E, R>
  ) => Effect.Effect<void, InvalidInput | DuplicateOperation | OperationCancelled, R>
  /** Puts a queued operation in line for admission and waits until it runs. */
  readonly start: (name: string) => Effect.Effect<Allocation, AdmissionError | UnknownOperation | InvalidOperationState>
  readonly pause: (name: string) => Effect.Effect<void, UnknownOperation | InvalidOperationState>
  readonly resume: (name: string) => Effect.Effect<void, AdmissionError | UnknownOperation | InvalidOperationState>
  readonly cancel: (name: string) => Effect.Effect<void, UnknownOperation | InvalidOperationState>
  readonly status: (name: string) => Effect.Effect<OperationStatus, UnknownOperation>
  /** Every state change of every operation from now on. */
  readonly operations: Stream.Stream<OperationEvent>
}

export class ResourceAllocator extends Context.Service<ResourceAllocator, Service>()("@provident/core/ResourceAllocator") {}

/** Allocator options: the configuration, plus the function when `strategy` is `custom`. */
export interface Options extends AllocatorConfig.AllocatorConfigInput {
  readonly customStrategy?: CustomStrategy.CustomStrategy
}

/**
 * Checks the options `make` takes: the configuration (decoded with Schema;
 * `parseOptions` reach the parser) and, with `strategy: custom`, a
 * `customStrategy` function. The Promise facade runs it in its constructor.
 */
export const decodeOptions = (
  options?: Options,
  parseOptions?: SchemaAST.ParseOptions
): Effect.Effect<{ readonly config: AllocatorConfig.AllocatorConfig; readonly customStrategy: CustomStrategy.CustomStrategy | undefined }, InvalidInput> =>
  Effect.gen(function*() {
    const { customStrategy, ...rest } = options ?? {}
    const config = yield* AllocatorConfig.decode(rest, parseOptions)
    const problem = customStrategy !== undefined && typeof customStrategy !== "function"
      ? "must be a function"
      : config.strategy === "custom" && customStrategy === undefined
      ? "a function is required when strategy is custom"
      : undefined
    if (problem !== undefined) {
      return yield* new InvalidInput({
        subject: "AllocatorConfig",
        field: "customStrategy",
        issues: [{ path: "customStrategy", message: problem }],
        message: `Invalid AllocatorConfig: customStrategy: ${problem}`
      })
    }
    return { config, customStrategy }
  })

export const make: (options?: Options) => Effect.Effect<Service, InvalidInput, ResourceMonitor | Scope.Scope> =
  Effect.fnUntraced(function*(options?: Options) {
    const { config, customStrategy } = yield* decodeOptions(options)
    const engine = yield* makeEngine(config, customStrategy)
    const {
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
      customNeed
    } = engine

    const lookup = (name: string): Effect.Effect<Operation, UnknownOperation | InvalidOperationState> => {
      const op = sched.live.get(name)
      if (op !== undefined) return Effect.succeed(op)
      const finished = sched.finished.get(name)
      return finished === undefined
        ? Effect.fail(new UnknownOperation({ name, message: `no operation is named ${name}` }))
        : Effect.fail(invalid(name, finished.state, "address", `it has ${finished.state}`))
    }

    const invalid = (name: string, state: string, action: string, why: string) =>
      new InvalidOperationState({ name, state, action, message: `cannot ${action} ${name}: ${why}` })

    const annotate = (op: Operation, allocation: Allocation) =>
      Effect.withFiber((fiber) => {
        annotateAdmission(spanOf(fiber), op, allocation)
        return Effect.succeed(allocation)
      })

    const request = Effect.fn("ResourceAllocator.request")(function*(input: OperationProfile.OperationProfileInput) {
      const profile = yield* OperationProfile.decode(input)
      const snapshot = yield* monitor.latest
      const now = yield* Clock.currentTimeMillis
      const budget = budgetOf(snapshot)
      const need = needOf(profile, monitor.device)
      let decision: AllocationDecision
      if (customStrategy !== undefined && config.strategy === "custom") {
        const custom = yield* customNeed(profile, need, snapshot, budget)
        decision = custom.decision ?? decideFor(profile.name, custom.need, budget, undefined, false)
      } else {
        const shadow = shadowTime({ memory: need.memory.min, cores: need.cores.min }, freeOf(budget), sched.holders(), now)
        const blocked = snapshot.pressure.state === "critical" && profile.priority !== "critical"
        // Our own running work tells when it ends; for memory others use, ask the forecast.
        const wait = shadow !== undefined ? shadow.at - now : forecastWait(snapshot, need, now)
        decision = decideFor(profile.name, need, budget, wait, blocked)
      }
      yield* Effect.annotateCurrentSpan({
        "provident.priority": profile.priority,
        "provident.requested_memory": need.memory.rec,
        "provident.requested_cores": need.cores.rec,
        "provident.granted_memory": decision.allocatedMemory,
        "provident.granted_cores": decision.allocatedCores,
        "provident.decision": decision.approved ? "approved" : "denied",
        "provident.reasons": decision.reasons.map((r) => r.code).join(",")
      })
      if (!decision.approved) {
        for (const r of decision.reasons) {
          yield* Metric.update(metrics.allocatorDenials(r.code), 1)
        }
      }
      return decision
    })

    // allocate and run register, queue and (when it fits) admit in one
    // synchronous stretch; they wait only when the operation must queue.
    // Everything from registration on is uninterruptible but the wait. The
    // helpers below are built here rather than inline so that what a waiting
    // caller keeps holds its operation only, not the scopes of the call.

    // An admitted `allocate` holds its grant until the caller's scope closes
    // (its span was annotated at admission).
    const hold = (op: Operation, allocation: Allocation, fiber: Fiber.Fiber<unknown, unknown>) =>
      Effect.as(Scope.addFinalizer(Context.getUnsafe(fiber.context, Scope.Scope), releaseHold(op)), allocation)
    const interruptedWaiting = (op: Operation) => () =>
      Effect.withFiber((fiber) => {
        if (sched.live.get(op.name) !== op) return Effect.void
        abandon(op, "interrupted while waiting", nowOf(fiber))
        return afterCancel
      })
    const holdWhenAdmitted = (
      op: Operation,
      restore: <X, Y, Z>(effect: Effect.Effect<X, Y, Z>) => Effect.Effect<X, Y, Z>
    ): Effect.Effect<Allocation, AdmissionError> =>
      op.state === "running"
        ? Effect.withFiber((fiber) => hold(op, op.grant!, fiber))
        : restore(Deferred.await(op.handles.admitted)).pipe(
          Effect.onInterrupt(interruptedWaiting(op)),
          Effect.flatMap((allocation) => Effect.withFiber((fiber) => hold(op, allocation, fiber)))
        )

    // `allocate` and `run` make their span with `Effect.useSpan`, not
    // `Effect.fn`: the same name, parent, timing and attributes (annotated at
    // the admission decision), without `Effect.fn`'s per-call stack capture
    // and context copies, which alone cost several uncontended admissions
    // (README, Benchmarks, "what admission costs"). Nothing runs inside an `allocate`
    // span but the admission; a `run` body runs under its span through the
    // context the operation keeps.
    const allocate = (input: OperationProfile.OperationProfileInput): Effect.Effect<Allocation, AdmissionError, Scope.Scope> =>
      Effect.useSpan("ResourceAllocator.allocate", (span) =>
        Effect.flatMap(OperationProfile.decode(input), (profile) =>
          Effect.flatMap(Effect.exit(monitor.latest), (latest) =>
            Effect.uninterruptibleMask((restore) =>
              Effect.withFiber((fiber) => {
                const submitted = submitUnsafe(profile, undefined, latest, span, fiber)
                if (!isOperation(submitted)) return Effect.flatMap(submitted, (op) => holdWhenAdmitted(op, restore))
                return submitted.state === "running" ? hold(submitted, submitted.grant!, fiber) : holdWhenAdmitted(submitted, restore)
              })
            )
          )
        ))

    // What a `run` caller waits on, and what its interruption does.
    const cancelledByCaller = (op: Operation) => () =>
      sched.live.get(op.name) === op ? stop(op, "cancel", "cancelled by its caller") : Effect.void
    const runResult = (op: Operation, restore: <X, Y, Z>(effect: Effect.Effect<X, Y, Z>) => Effect.Effect<X, Y, Z>) =>
      restore(Deferred.await(op.handles.result)).pipe(Effect.onInterrupt(cancelledByCaller(op)))

    const run = <A, E, R>(input: OperationProfile.OperationProfileInput, f: (allocation: Allocation) => Effect.Effect<A, E, R>) =>
      Effect.useSpan("ResourceAllocator.run", (span) =>
        Effect.flatMap(OperationProfile.decode(input), (profile) =>
          Effect.flatMap(Effect.exit(monitor.latest), (latest) =>
            Effect.uninterruptibleMask((restore) =>
              Effect.withFiber((fiber) => {
                const submitted = submitUnsafe(profile, f as Handles["body"], latest, span, fiber)
                return isOperation(submitted)
                  ? runResult(submitted, restore)
                  : Effect.flatMap(submitted, (op) => runResult(op, restore))
              })
            )
          )
        )) as Effect.Effect<A, E | AdmissionError, R>

    const queue = <A, E, R>(input: OperationProfile.OperationProfileInput, f: (allocation: Allocation) => Effect.Effect<A, E, R>) =>
      Effect.gen(function*() {
        const context = yield* Effect.context<R>()
        const profile = yield* OperationProfile.decode(input)
        const op = yield* register(profile, f as Handles["body"], context as Context.Context<never>)
        announce(op, op.queuedAt)
      }).pipe(Effect.withSpan("ResourceAllocator.queue"))

    const start = Effect.fn("ResourceAllocator.start")(function*(name: string) {
      const op = yield* lookup(name)
      if (op.state === "running") return op.grant!
      if (op.state === "paused") return yield* invalid(name, op.state, "start", "it is paused; resume it")
      if (!op.waiting) yield* enqueue(op)
      const allocation = yield* Deferred.await(op.handles.admitted)
      return yield* annotate(op, allocation)
    })

    const pause = Effect.fn("ResourceAllocator.pause")(function*(name: string) {
      const now = yield* Clock.currentTimeMillis
      const op = yield* lookup(name)
      if (op.state === "paused") return
      if (op.state === "running") {
        if (!op.hasBody) return yield* invalid(name, op.state, "pause", "allocate() holds end when their scope closes")
        if (!op.profile.canBePaused) return yield* invalid(name, op.state, "pause", "its profile says canBePaused: false")
        return yield* stop(op, "pause", "paused")
      }
      // Queued: leave the line, keep the registration.
      if (op.waiting) sched.dequeue(op)
      op.state = "paused"
      announce(op, now)
      yield* Metric.update(metrics.allocatorPauses, 1)
      yield* dispatch
    })

    const resume = Effect.fn("ResourceAllocator.resume")(function*(name: string) {
      const op = yield* lookup(name)
      if (op.state !== "paused") return
      const evicted = op.evicted
      op.evicted = false
      // Refused (the queue is full, say): evicted work stays evicted, to come back by itself.
      yield* enqueue(op).pipe(
        Effect.tapError(() =>
          Effect.sync(() => {
            if (op.state === "paused") op.evicted = evicted
          })
        )
      )
    })

    const cancel = Effect.fn("ResourceAllocator.cancel")(function*(name: string) {
      const op = yield* lookup(name)
      if (op.state === "running" && !op.hasBody) {
        return yield* invalid(name, op.state, "cancel", "allocate() holds end when their scope closes")
      }
      yield* stop(op, "cancel", "cancelled")
    })

    const status = Effect.fn("ResourceAllocator.status")(function*(name: string) {
      const op = sched.live.get(name)
      if (op !== undefined) {
        return {
          name,
          state: op.state,
          priority: op.priority,
          restarts: Math.max(0, op.runs - 1),
          evicted: op.evicted,
          ...(op.grant === undefined ? {} : { allocation: op.grant })
        } satisfies OperationStatus
      }
      const finished = sched.finished.get(name)
      if (finished === undefined) return yield* new UnknownOperation({ name, message: `no operation is named ${name}` })
      return { name, state: finished.state, priority: finished.priority, restarts: finished.restarts, evicted: false }
    })

    return ResourceAllocator.of({
      config,
      budget: Effect.gen(function*() {
        const budget = budgetOf(yield* monitor.latest)
        return {
          strategy: budget.strategy,
          why: budget.why,
          memory: budget.memory,
          cores: budget.cores,
          granted: sched.totalGranted,
          queueLength: sched.queueLength
        }
      }),
      request,
      allocate,
      run,
      queue,
      start,
      pause,
      resume,
      cancel,
      status,
      operations: Stream.fromPubSub(engine.events)
    })
  })

/** The allocator over the `ResourceMonitor` in context; invalid options fail the layer with `InvalidInput`. */
export const layer = (options?: Options): Layer.Layer<ResourceAllocator, InvalidInput, ResourceMonitor> =>
  Layer.effect(ResourceAllocator, make(options))
