/**
 * Property tests of the allocator's invariants over random sequences of
 * requests, allocations, runs, pauses, resumes, cancellations, external
 * interrupts, failing and dying work and budget changes, on a simulated
 * device under TestClock (100 runs × 100 steps = 10,000 steps, plus the
 * targeted properties below).
 */
import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Exit, Fiber, Ref, Scope, Stream } from "effect"
import { TestClock } from "effect/testing"
import fc from "fast-check"
import type { OperationEvent } from "../src/OperationStatus.ts"
import * as ResourceAllocator from "../src/ResourceAllocator.ts"
import * as SimulatedDevice from "../src/SimulatedDevice.ts"
import { allocatorOn, GiB, profile, testbox } from "./allocatorFixtures.ts"

const Allocator = ResourceAllocator.ResourceAllocator
type Priority = "critical" | "high" | "medium" | "low" | "background"
const priority = fc.constantFrom<Priority>("critical", "high", "medium", "low", "background")
const size = fc.constantFrom(0.5, 1, 2, 3, 5, 9)

const command = fc.oneof(
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
  fc.record({ t: fc.constant("others" as const), gib: fc.integer({ min: 0, max: 6 }) }),
  fc.record({ t: fc.constant("advance" as const), ms: fc.integer({ min: 0, max: 3000 }) })
)
type Command = typeof command extends fc.Arbitrary<infer A> ? A : never

const terminal = new Set(["completed", "failed", "cancelled"])

const runScenario = (commands: ReadonlyArray<Command>) =>
  Effect.gen(function*() {
    const allocator = yield* Allocator
    const device = yield* SimulatedDevice.SimulatedDevice
    const events = yield* Ref.make<ReadonlyArray<OperationEvent>>([])
    yield* allocator.operations.pipe(
      Stream.runForEach((e) => Ref.update(events, (xs) => [...xs, e])),
      Effect.forkScoped({ startImmediately: true })
    )
    const fibers: Array<{ readonly name: string; readonly fiber: Fiber.Fiber<unknown, unknown>; readonly mayDie: boolean }> = []
    const names: Array<string> = []
    const ignoreFailures = <A, E>(effect: Effect.Effect<A, E>) => Effect.catch(effect, () => Effect.void)

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
            : Effect.never
          const body = Effect.sleep(cmd.duration).pipe(Effect.andThen(outcome))
          const p = { ...profile(name, cmd.gib, { priority: cmd.priority, canBePaused: cmd.pausable, estimatedDuration: cmd.estimate }) }
          fibers.push({ name, fiber: yield* Effect.forkChild(allocator.run(p, () => body), { startImmediately: true }), mayDie: cmd.outcome === "die" })
          names.push(name)
          break
        }
        case "allocate": {
          const hold = Effect.scoped(allocator.allocate(profile(name, cmd.gib, { priority: cmd.priority })).pipe(Effect.andThen(Effect.sleep(cmd.hold))))
          fibers.push({ name, fiber: yield* Effect.forkChild(hold, { startImmediately: true }), mayDie: false })
          names.push(name)
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
          const target = names[cmd.pick % Math.max(1, names.length)]
          if (target !== undefined) yield* ignoreFailures(allocator[cmd.t](target))
          break
        }
        case "interrupt": {
          const target = fibers[cmd.pick % Math.max(1, fibers.length)]
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
      yield* Effect.yieldNow
    }

    // Wind down: free the device, resume what is paused, cancel what would never end.
    yield* device.setScript({ memoryUsed: () => 0 })
    yield* TestClock.adjust("1 second")
    for (const name of names) yield* ignoreFailures(allocator.resume(name))
    yield* TestClock.adjust("30 seconds")
    for (const name of names) yield* ignoreFailures(allocator.cancel(name))
    for (let i = 0; i < 10; i++) yield* TestClock.adjust("10 seconds")

    // Every caller is settled, with nothing unexpected.
    for (const { name, fiber, mayDie } of fibers) {
      const exit = fiber.pollUnsafe()
      assert.isDefined(exit, `${name}'s caller is settled`)
      if (exit !== undefined && Exit.isFailure(exit) && !mayDie) {
        assert.isFalse(Cause.hasDies(exit.cause), `${name} died: ${Cause.pretty(exit.cause)}`)
      }
    }
    // Every permit came back.
    const budget = yield* allocator.budget
    assert.deepStrictEqual(budget.granted, { memory: 0, cores: 0 })
    assert.strictEqual(budget.queueLength, 0)
    // No admission ever exceeded the budget of its moment.
    const seen = yield* Ref.get(events)
    for (const e of seen) {
      if (e.state === "running") {
        assert.isAtMost(e.granted!.memory, e.budget!.memory + 1, `${e.name} admitted over the memory budget`)
        assert.isAtMost(e.granted!.cores, e.budget!.cores + 1e-9, `${e.name} admitted over the core budget`)
      }
    }
    // Every operation ended in exactly one terminal state, and it was its last.
    for (const name of names) {
      const mine = seen.filter((e) => e.name === name)
      assert.strictEqual(mine.filter((e) => terminal.has(e.state)).length, 1, `${name}: ${mine.map((e) => e.state)}`)
      assert.isTrue(terminal.has(mine[mine.length - 1]!.state), `${name} ends with ${mine.map((e) => e.state)}`)
    }
    return seen.length
  })

const inTestClock = <A, E>(effect: Effect.Effect<A, E, ResourceAllocator.ResourceAllocator | SimulatedDevice.SimulatedDevice | Scope.Scope>) =>
  Effect.runPromise(
    effect.pipe(
      Effect.scoped,
      Effect.provide(allocatorOn(testbox, { queueCapacity: 20, maxBackfill: 3, evictionCooldown: 2000 }, { memoryThresholdPercent: 85 })),
      Effect.provide(TestClock.layer())
    ) as Effect.Effect<A, E>
  )

describe("ResourceAllocator invariants (fast-check)", () => {
  it("random operation sequences keep the budget, return every permit and settle every waiter", async () => {
    let steps = 0
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 100, maxLength: 100 }), async (commands) => {
        steps += commands.length
        await inTestClock(runScenario(commands))
      }),
      { numRuns: 100 }
    )
    assert.isAtLeast(steps, 10_000)
  }, 240_000)

  it("waiting critical work of the same size is always admitted before waiting background work", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom<Priority>("critical", "background"), { minLength: 2, maxLength: 12 }), fc.constantFrom(1, 2, 4), async (priorities, gib) => {
        const order = await inTestClock(Effect.gen(function*() {
          const allocator = yield* Allocator
          const admitted = yield* Ref.make<ReadonlyArray<Priority>>([])
          const blocker = yield* Scope.make()
          yield* allocator.allocate(profile("blocker", 8)).pipe(Scope.provide(blocker))
          const fibers = []
          for (const [i, p] of priorities.entries()) {
            fibers.push(yield* Effect.forkChild(allocator.run(profile(`w${i}`, gib, { priority: p }), () => Ref.update(admitted, (xs) => [...xs, p])), { startImmediately: true }))
          }
          yield* Effect.yieldNow
          yield* Scope.close(blocker, Exit.void)
          yield* Fiber.joinAll(fibers)
          return yield* Ref.get(admitted)
        }))
        const firstBackground = order.indexOf("background")
        return firstBackground === -1 || !order.slice(firstBackground).includes("critical")
      }),
      { numRuns: 200 }
    )
  }, 60_000)

  it("a large head is admitted within a bounded time while small work keeps arriving", async () => {
    const maxBackfill = 3
    const smallMax = 4000
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1000, max: 20_000 }),
        fc.boolean(),
        fc.array(fc.record({ every: fc.integer({ min: 100, max: 1000 }), run: fc.integer({ min: 100, max: smallMax }), estimate: fc.integer({ min: 0, max: smallMax }) }), { minLength: 60, maxLength: 60 }),
        async (blockerMs, honest, smalls) => {
          const waited = await inTestClock(Effect.gen(function*() {
            const allocator = yield* Allocator
            // The blocker runs `blockerMs`, and may say it takes a tenth of that.
            yield* Effect.forkChild(allocator.run(profile("blocker", 6, { estimatedDuration: honest ? blockerMs : blockerMs / 10 }), () => Effect.sleep(blockerMs)), { startImmediately: true })
            yield* Effect.yieldNow
            const head = yield* Effect.forkChild(allocator.run(profile("head", 7, { priority: "high" }), (a) => Effect.succeed(a.waitedMs)), { startImmediately: true })
            yield* Effect.yieldNow
            for (const [i, s] of smalls.entries()) {
              yield* Effect.forkChild(allocator.run(profile(`s${i}`, 1, { estimatedDuration: s.estimate }), () => Effect.sleep(s.run)), { startImmediately: true })
              yield* TestClock.adjust(s.every)
              if (head.pollUnsafe() !== undefined) break
            }
            for (let i = 0; i < 20 && head.pollUnsafe() === undefined; i++) yield* TestClock.adjust("5 seconds")
            return yield* Fiber.join(head)
          }))
          // The blocker's end, then at most maxBackfill small runs overtaking it, then the polling step.
          return waited <= blockerMs + maxBackfill * smallMax + 1000
        }
      ),
      { numRuns: 100 }
    )
  }, 120_000)
})
