/**
 * The allocator's random-sequence property, shared by
 * `ResourceAllocator.property.test.ts` (against the real allocator) and
 * `ResourceAllocator.mutation.test.ts` (against deliberately broken ones, to
 * show that it can fail).
 *
 * A scenario runs random requests, allocations, runs, pauses, resumes,
 * cancellations, external interrupts, failing, dying and hanging work and
 * changes of the memory others use, on a simulated device under TestClock.
 * After every step, once every fiber has settled, `checkInvariants` reads
 * the allocator from outside (`status` of every operation, `budget`, the
 * `operations` events and the monitor's latest reading) and checks:
 *
 * - events: every operation's events follow the legal transitions (first
 *   `queued` or `failed`; `queued → running | paused | cancelled`;
 *   `running → completed | failed | cancelled | paused`;
 *   `paused → queued | cancelled`; nothing after a terminal state); each
 *   `running` event carries its grant, within the budget of its moment, and
 *   counts its restarts;
 * - `status` agrees with the events: the same state and restarts, the grant
 *   of the latest admission while running, `evicted` exactly when the last
 *   event is a pause by eviction;
 * - bookkeeping: `budget.granted` is the sum of the running operations'
 *   grants, paused, evicted, queued and finished operations hold nothing,
 *   `budget.queueLength` is the number of queued operations;
 * - no lost wake-up: the first waiter in admission order (priority with
 *   aging, then arrival) does not fit in what is free. The allocator plans at
 *   every release, enqueue, pause, cancel and reading, so a head that fits
 *   and still waits was not woken. (It is checked against what was free at
 *   the last plan, bounded below; see `headFits`.)
 *
 * Then the wind-down, which cancels nothing: the device is freed, hanging
 * bodies are let go, allocate() holds end as their time runs out, paused work
 * is resumed (evicted work must come back by itself), and the clock advances
 * in steps, with the invariants checked after each, until everything has
 * ended. Every operation must end `completed` or `failed` (or have been
 * cancelled before the wind-down), every caller settle, every grant come back.
 */
import { assert } from "@effect/vitest"
import { Cause, Deferred, Effect, Exit, Fiber, Scope, Stream } from "effect"
import { TestClock } from "effect/testing"
import fc from "fast-check"
import type { Resources } from "../src/AllocationDecision.ts"
import { effectiveRank } from "../src/internal/admission.ts"
import { fixed } from "../src/internal/budget.ts"
import type { OperationEvent, OperationStatus } from "../src/OperationStatus.ts"
import * as Priority from "../src/Priority.ts"
import * as ResourceAllocator from "../src/ResourceAllocator.ts"
import { ResourceMonitor } from "../src/ResourceMonitor.ts"
import * as SimulatedDevice from "../src/SimulatedDevice.ts"
import { allocatorOn, GiB, profile, testbox } from "./allocatorFixtures.ts"

const Allocator = ResourceAllocator.ResourceAllocator
export type PriorityName = "critical" | "high" | "medium" | "low" | "background"
const priority = fc.constantFrom<PriorityName>("critical", "high", "medium", "low", "background")
const size = fc.constantFrom(0.5, 1, 2, 3, 5, 9)

export const command = fc.oneof(
  fc.record({
    t: fc.constant("run" as const),
    gib: size,
    priority,
    pausable: fc.boolean(),
    duration: fc.integer({ min: 0, max: 5000 }),
    estimate: fc.integer({ min: 0, max: 5000 }),
    outcome: fc.constantFrom("ok", "fail", "die", "hang")
  }),
  fc.record({ t: fc.constant("allocate" as const), gib: size, priority, hold: fc.integer({ min: 0, max: 4000 }) }),
  fc.record({ t: fc.constant("request" as const), gib: size, priority }),
  fc.record({ t: fc.constantFrom("pause" as const, "resume" as const, "cancel" as const, "interrupt" as const), pick: fc.nat() }),
  // Up to the whole 10 GiB: 8.5 GiB raises the memory alert (eviction), 9.5 GiB is critical pressure.
  fc.record({ t: fc.constant("others" as const), gib: fc.integer({ min: 0, max: 10 }) }),
  fc.record({ t: fc.constant("advance" as const), ms: fc.integer({ min: 0, max: 3000 }) })
)
export type Command = typeof command extends fc.Arbitrary<infer A> ? A : never

const terminal = new Set(["completed", "failed", "cancelled"])
const legal: Record<string, ReadonlyArray<string>> = {
  none: ["queued", "failed"],
  queued: ["running", "paused", "cancelled"],
  running: ["completed", "failed", "cancelled", "paused"],
  paused: ["queued", "cancelled"],
  completed: [],
  failed: [],
  cancelled: []
}
const evictedReason = "evicted under memory pressure"
const WIND_DOWN_STEP = 700

interface Tracked {
  readonly name: string
  readonly gib: number
  readonly priority: PriorityName
  readonly fiber: Fiber.Fiber<unknown, unknown>
  readonly mayDie: boolean
  /** Its events so far. */
  readonly events: Array<OperationEvent>
  /** How long it holds once admitted, for the wind-down's time bound. */
  readonly holdMs: number
  checkedFinal: boolean
}

const near = (a: number, b: number, eps: number) => Math.abs(a - b) <= eps

export const runScenario = (commands: ReadonlyArray<Command>) =>
  Effect.gen(function*() {
    const allocator = yield* Allocator
    const device = yield* SimulatedDevice.SimulatedDevice
    const monitor = yield* ResourceMonitor
    const { agingInterval, maxMemoryPercentage, maxCpuPercentage, strategy } = allocator.config
    // `headFits` recomputes budgets of this fixed strategy (`inTestClock`'s).
    assert.strictEqual(strategy, "aggressive")
    const log: Array<OperationEvent> = []
    yield* allocator.operations.pipe(
      Stream.runForEach((e) => Effect.sync(() => log.push(e))),
      Effect.forkScoped({ startImmediately: true })
    )
    // Bodies that "hang" wait for this, opened by the wind-down (which cancels nothing).
    const letGo = yield* Deferred.make<void>()
    const ops: Array<Tracked> = []
    const byName = new Map<string, Tracked>()
    const ignoreFailures = <A, E>(effect: Effect.Effect<A, E>) => Effect.catch(effect, () => Effect.void)
    let seen = 0

    // Lets every woken fiber run until the event log stops growing.
    const quiesce = Effect.gen(function*() {
      for (let i = 0; i < 50; i++) {
        const before = log.length
        yield* Effect.yieldNow
        if (log.length === before) return
      }
    })

    const lastOf = (op: Tracked) => op.events[op.events.length - 1]

    /**
     * Whether the head of the line fits, at every order the line had since
     * the last plan. That plan was at or after the latest reading (`since`),
     * and granted what the trailing `running` events of the log show; it
     * found the head too big for the budget of the granted total before them,
     * less the granted total now. The budget only grows with the granted
     * total (memory used by others is `used − granted`), so that budget from
     * the lowest granted total it could have started from bounds it below.
     */
    const headFits = (now: number, since: number, granted: Resources, budgetCores: number) =>
      Effect.gen(function*() {
        const waiting = ops.filter((op) => lastOf(op)?.state === "queued")
        if (waiting.length === 0) return undefined
        const snapshot = yield* monitor.latest
        let batch = 0
        for (let i = log.length - 1; i >= 0 && (log[i]!.state === "running" || log[i]!.state === "failed"); i--) {
          if (log[i]!.state === "running") batch += log[i]!.allocation!.memory
        }
        const budget = fixed(strategy as "aggressive", {
          snapshot,
          device: monitor.device,
          maxMemoryPercentage,
          maxCpuPercentage,
          granted: { memory: Math.max(0, granted.memory - batch), cores: 0 }
        })
        const free = { memory: budget.memory - granted.memory, cores: budgetCores - granted.cores }
        const criticalOnly = snapshot.pressure.state === "critical"
        const queuedAt = (op: Tracked) => lastOf(op)!.at
        const rank = (op: Tracked) => Priority.rank(op.priority)
        // The order changes only where some waiter ages a level.
        const times = new Set([Math.max(since, ...waiting.map(queuedAt)), now])
        for (const op of waiting) {
          for (let t = queuedAt(op) + agingInterval; t <= now && rank(op) < 3; t += agingInterval) if (t > since) times.add(t)
        }
        // Ties (same effective rank and arrival time) may go either way: all tied heads must fit.
        const effective = (op: Tracked, t: number) => effectiveRank({ rank: rank(op), queuedAt: queuedAt(op) }, t, agingInterval)
        const eligible = waiting.filter((op) => !criticalOnly || op.priority === "critical")
        if (eligible.length === 0 || free.cores < 1) return undefined
        let fits: string | undefined
        for (const t of times) {
          const top = Math.max(...eligible.map((op) => effective(op, t)))
          const first = Math.min(...eligible.filter((op) => effective(op, t) === top).map(queuedAt))
          const heads = eligible.filter((op) => effective(op, t) === top && queuedAt(op) === first)
          const head = heads.find((op) => op.gib * GiB <= free.memory)
          if (heads.some((op) => op.gib * GiB > free.memory)) return undefined
          fits ??= `${head!.name} (${head!.gib} GiB, ${head!.priority}, queued at ${queuedAt(head!)}) still waits at ${now} ` +
            `though ${(free.memory / GiB).toFixed(2)} GiB and ${free.cores} cores are free`
        }
        return fits
      })

    /** Every invariant, after `step` (a function: messages are built only on failure). */
    const checkInvariants = (step: () => string) =>
      Effect.gen(function*() {
        yield* quiesce
        const at = (name: string) => `after ${step()}, ${name}`
        const states = (op: Tracked) => op.events.map((x) => x.reason === undefined ? x.state : `${x.state} (${x.reason})`).join(" → ")
        // Events: legal transitions, grants within the budget, restarts counted.
        for (; seen < log.length; seen++) {
          const e = log[seen]!
          const op = byName.get(e.name)
          if (op === undefined) assert.fail(`after ${step()}: an event of an unknown operation ${e.name}`)
          const from = lastOf(op)?.state ?? "none"
          if (!legal[from]!.includes(e.state)) assert.fail(`${at(e.name)}: illegal transition ${from} → ${e.state} after ${states(op)}`)
          if (e.state === "running") {
            const runs = op.events.reduce((n, x) => x.state === "running" ? n + 1 : n, 0)
            if (e.allocation === undefined || e.granted === undefined || e.budget === undefined) assert.fail(`${at(e.name)}: admitted without its grant`)
            if (e.granted.memory > e.budget.memory + 1 || e.granted.cores > e.budget.cores + 1e-9) {
              assert.fail(`${at(e.name)}: admitted to a total of ${JSON.stringify(e.granted)} over the budget ${JSON.stringify(e.budget)}`)
            }
            if (!near(e.allocation.memory, op.gib * GiB, 1)) assert.fail(`${at(e.name)}: granted ${e.allocation.memory} bytes for ${op.gib} GiB`)
            if (e.restarts !== runs) assert.fail(`${at(e.name)}: admission ${runs + 1} counts ${e.restarts} restarts`)
          }
          op.events.push(e)
        }
        // Status agrees with the events; only running work holds anything.
        const budget = yield* allocator.budget
        let sum = { memory: 0, cores: 0 }
        let queued = 0
        for (const op of ops) {
          // A finished operation's status was checked when it finished, and does not change.
          if (op.checkedFinal) continue
          const last = lastOf(op)
          const s: OperationStatus | undefined = yield* allocator.status(op.name).pipe(Effect.catchTag("UnknownOperation", () => Effect.succeed(undefined)))
          if (last === undefined) {
            if (s !== undefined) assert.fail(`${at(op.name)}: status ${s.state} without any event`)
            continue
          }
          if (s === undefined) assert.fail(`${at(op.name)}: unknown to status after ${states(op)}`)
          if (s.state !== last.state) assert.fail(`${at(op.name)}: status ${s.state}, events ${states(op)}`)
          if (s.restarts !== last.restarts) assert.fail(`${at(op.name)}: status counts ${s.restarts} restarts, events ${last.restarts}`)
          const evicted = last.state === "paused" && last.reason === evictedReason
          if (s.evicted !== evicted) assert.fail(`${at(op.name)}: status says evicted: ${s.evicted}, events ${states(op)}`)
          if (s.state === "running") {
            const admission = op.events.findLast((x) => x.state === "running")!
            if (JSON.stringify(s.allocation) !== JSON.stringify(admission.allocation)) {
              assert.fail(`${at(op.name)}: holds ${JSON.stringify(s.allocation)}, was granted ${JSON.stringify(admission.allocation)}`)
            }
            sum = { memory: sum.memory + s.allocation!.memory, cores: sum.cores + s.allocation!.cores }
          } else if (s.allocation !== undefined) {
            assert.fail(`${at(op.name)} is ${s.state}${s.evicted ? " (evicted)" : ""} yet holds ${JSON.stringify(s.allocation)} (${states(op)})`)
          }
          if (s.state === "queued") queued++
          if (terminal.has(s.state)) op.checkedFinal = true
        }
        if (!near(budget.granted.memory, sum.memory, 1) || !near(budget.granted.cores, sum.cores, 1e-9)) {
          assert.fail(`after ${step()}: granted ${JSON.stringify(budget.granted)}, but running work holds ${JSON.stringify(sum)}`)
        }
        if (budget.queueLength !== queued) assert.fail(`after ${step()}: queue length ${budget.queueLength}, ${queued} queued`)
        // No lost wake-up.
        const now = yield* TestClock.testClockWith((clock) => Effect.succeed(clock.currentTimeMillisUnsafe()))
        const snapshot = yield* monitor.latest
        const stuck = yield* headFits(now, snapshot.timestamp, budget.granted, budget.cores)
        if (stuck !== undefined) {
          const holding = ops.filter((op) => lastOf(op)?.state === "running").map((op) => `${op.name} ${op.gib} GiB`).join(", ")
          const recent = log.slice(-6).map((e) => `${e.name} ${e.state} at ${e.at}`).join(", ")
          assert.fail(`after ${step()}: lost wake-up: ${stuck} (reading at ${snapshot.timestamp}; running: ${holding}; last events: ${recent})`)
        }
      })

    const track = (name: string, gib: number, p: PriorityName, fiber: Fiber.Fiber<unknown, unknown>, mayDie: boolean, holdMs: number) => {
      const op: Tracked = { name, gib, priority: p, fiber, mayDie, events: [], holdMs, checkedFinal: false }
      ops.push(op)
      byName.set(name, op)
    }

    for (const [i, cmd] of commands.entries()) {
      const name = `op${i}`
      switch (cmd.t) {
        case "run": {
          const outcome = cmd.outcome === "ok"
            ? Effect.void
            : cmd.outcome === "fail"
            ? Effect.fail("failed")
            : cmd.outcome === "die"
            ? Effect.die("died")
            : Deferred.await(letGo)
          const body = Effect.sleep(cmd.duration).pipe(Effect.andThen(outcome))
          const p = profile(name, cmd.gib, { priority: cmd.priority, canBePaused: cmd.pausable, estimatedDuration: cmd.estimate })
          track(name, cmd.gib, cmd.priority, yield* Effect.forkChild(allocator.run(p, () => body), { startImmediately: true }), cmd.outcome === "die", cmd.duration)
          break
        }
        case "allocate": {
          const hold = Effect.scoped(allocator.allocate(profile(name, cmd.gib, { priority: cmd.priority })).pipe(Effect.andThen(Effect.sleep(cmd.hold))))
          track(name, cmd.gib, cmd.priority, yield* Effect.forkChild(hold, { startImmediately: true }), false, cmd.hold)
          break
        }
        case "request": {
          const decision = yield* allocator.request(profile(name, cmd.gib, { priority: cmd.priority }))
          if (decision.approved) {
            assert.isAtMost(decision.allocatedMemory, decision.free.memory + 1)
            assert.isAtMost(decision.allocatedCores, decision.free.cores + 1e-9)
            assert.isAtLeast(decision.allocatedMemory, cmd.gib * GiB)
          } else {
            assert.isAbove(decision.reasons.length, 0)
            assert.isAbove(decision.recommendations.length + decision.fallbackOptions.length, 0)
          }
          break
        }
        case "pause":
        case "resume":
        case "cancel": {
          const target = ops[cmd.pick % Math.max(1, ops.length)]
          if (target !== undefined) yield* ignoreFailures(allocator[cmd.t](target.name))
          break
        }
        case "interrupt": {
          const target = ops[cmd.pick % Math.max(1, ops.length)]
          if (target !== undefined) yield* Fiber.interrupt(target.fiber)
          break
        }
        case "others":
          yield* device.setScript({ memoryUsed: () => cmd.gib * GiB })
          break
        case "advance":
          yield* TestClock.adjust(cmd.ms)
          break
      }
      yield* checkInvariants(() => `step ${i} (${JSON.stringify(cmd)})`)
    }

    // Wind-down, cancelling nothing: free the device, let hanging bodies end,
    // resume what was paused by hand (evicted work must resume by itself),
    // and advance the clock until everything has ended.
    const cancelledBefore = new Set(ops.filter((op) => lastOf(op)?.state === "cancelled").map((op) => op.name))
    yield* device.setScript({ memoryUsed: () => 0 })
    yield* Deferred.succeed(letGo, undefined)
    const settled = () => ops.every((op) => op.fiber.pollUnsafe() !== undefined && terminal.has(lastOf(op)?.state ?? "none"))
    // Everything fits alone once the device is free: one after the other, it all ends by then.
    const bound = ops.reduce((total, op) => total + op.holdMs + WIND_DOWN_STEP, 0) + 10 * WIND_DOWN_STEP
    for (let elapsed = 0; !settled(); elapsed += WIND_DOWN_STEP) {
      if (elapsed > bound) {
        const unsettled = ops.filter((op) => !terminal.has(lastOf(op)?.state ?? "none") || op.fiber.pollUnsafe() === undefined)
        assert.fail(`starvation: ${elapsed} ms into the wind-down, still waiting: ${unsettled.map((op) => `${op.name} (${op.gib} GiB, ${op.priority}): ${op.events.map((x) => x.reason === undefined ? x.state : `${x.state} (${x.reason})`).join(" → ")}`).join("; ")}`)
      }
      for (const op of ops) {
        const last = lastOf(op)
        if (last?.state === "paused" && last.reason !== evictedReason) yield* ignoreFailures(allocator.resume(op.name))
      }
      yield* checkInvariants(() => `the wind-down's resumes at ${elapsed} ms`)
      yield* TestClock.adjust(WIND_DOWN_STEP)
      yield* checkInvariants(() => `${elapsed + WIND_DOWN_STEP} ms of wind-down`)
    }

    // Every caller is settled, with nothing unexpected; the wind-down cancelled nothing.
    for (const { events, fiber, mayDie, name } of ops) {
      const exit = fiber.pollUnsafe()!
      if (Exit.isFailure(exit) && !mayDie) {
        assert.isFalse(Cause.hasDies(exit.cause), `${name} died: ${Cause.pretty(exit.cause)}`)
      }
      const last = events[events.length - 1]!
      if (!cancelledBefore.has(name)) assert.notStrictEqual(last.state, "cancelled", `${name} was cancelled in the wind-down: ${last.reason}`)
    }
    // Every permit came back.
    const budget = yield* allocator.budget
    assert.deepStrictEqual(budget.granted, { memory: 0, cores: 0 })
    assert.strictEqual(budget.queueLength, 0)
    return log.length
  })

/** Runs `effect` on the test box under TestClock, with the property's allocator options (and `options` over them). */
export const inTestClock = <A, E>(
  effect: Effect.Effect<A, E, ResourceAllocator.ResourceAllocator | SimulatedDevice.SimulatedDevice | ResourceMonitor | Scope.Scope>,
  options: ResourceAllocator.Options = {}
) =>
  Effect.runPromise(
    effect.pipe(
      Effect.scoped,
      Effect.provide(allocatorOn(testbox, { queueCapacity: 20, maxBackfill: 3, evictionCooldown: 2000, ...options }, { memoryThresholdPercent: 85 })),
      Effect.provide(TestClock.layer())
    ) as Effect.Effect<A, E>
  )

/**
 * The property: random sequences of `length` commands keep every invariant,
 * and the wind-down ends everything. The queue holds 20 or, to make it full
 * often, 3.
 */
export const randomSequences = (length: number, onRun?: (commands: ReadonlyArray<Command>) => void) =>
  fc.asyncProperty(fc.constantFrom(20, 3), fc.array(command, { minLength: length, maxLength: length }), async (queueCapacity, commands) => {
    onRun?.(commands)
    await inTestClock(runScenario(commands), { queueCapacity })
  })
