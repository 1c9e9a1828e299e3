import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Fiber, Ref, Scope, Exit } from "effect"
import { TestClock } from "effect/testing"
import * as ResourceAllocator from "../src/ResourceAllocator.ts"
import * as SimulatedDevice from "../src/SimulatedDevice.ts"
import { allocatorOn, GiB, profile, testbox } from "./allocatorFixtures.ts"
import { collecting, nextMatching } from "./utils.ts"

const Allocator = ResourceAllocator.ResourceAllocator
const Device = SimulatedDevice.SimulatedDevice

/** Work that occupies its grant on the simulated device while it runs, forever. */
const occupying = (allocation: { memory: number; cores: number }) =>
  Effect.gen(function*() {
    const device = yield* Device
    yield* Effect.scoped(device.occupy({ memory: allocation.memory, cores: allocation.cores }).pipe(Effect.andThen(Effect.never)))
  })

describe("eviction under memory pressure", () => {
  it.effect("pauses the lowest-priority pausable work, newest first, and resumes it when pressure clears", () =>
    Effect.gen(function*() {
      const allocator = yield* Allocator
      const device = yield* Device
      const events = yield* collecting(allocator.operations)
      const start = (name: string, priority: "high" | "low", canBePaused = true) =>
        Effect.forkChild(allocator.run(profile(name, 2, { priority, canBePaused }), occupying), { startImmediately: true })
      yield* start("high", "high")
      yield* start("low-old", "low")
      yield* TestClock.adjust("1 second")
      yield* start("low-new", "low")
      yield* start("pinned", "low", false)
      yield* Effect.yieldNow
      // 8 GiB granted and occupied of 10 GiB; others push usage to 85%: over the 80% threshold.
      const evicted = yield* nextMatching(allocator.operations, (e) => e.state === "paused")
      yield* device.setScript({ memoryUsed: () => 0.5 * GiB })
      yield* TestClock.adjust("1 second")
      assert.strictEqual((yield* evicted)?.name, "low-new")
      assert.strictEqual((yield* allocator.status("low-new")).state, "paused")
      assert.isTrue((yield* allocator.status("low-new")).evicted)
      assert.strictEqual((yield* allocator.status("low-old")).state, "running", "one eviction brings usage to 65%")
      assert.strictEqual((yield* allocator.status("pinned")).state, "running", "canBePaused: false is never evicted")
      assert.strictEqual((yield* allocator.status("high")).state, "running")
      // Others shrink: usage falls below 75%, the crossing clears, the evicted work comes back.
      const resumed = yield* nextMatching(allocator.operations, (e) => e.name === "low-new" && e.state === "running")
      yield* device.setScript({ memoryUsed: () => 0 })
      yield* TestClock.adjust("1 second")
      yield* resumed
      const back = yield* allocator.status("low-new")
      assert.strictEqual(back.state, "running")
      assert.strictEqual(back.restarts, 1)
      const lowNew = (yield* events).filter((e) => e.name === "low-new").map((e) => `${e.state}${e.reason ? `(${e.reason})` : ""}`)
      assert.deepStrictEqual(lowNew, ["queued", "running", "paused(evicted under memory pressure)", "queued(resumed)", "running"])
    }).pipe(Effect.provide(allocatorOn(testbox, {}, { memoryThresholdPercent: 80 }))))

  it.effect("eviction can be turned off", () =>
    Effect.gen(function*() {
      const allocator = yield* Allocator
      const device = yield* Device
      yield* Effect.forkChild(allocator.run(profile("low", 6, { priority: "low", canBePaused: true }), occupying), { startImmediately: true })
      yield* Effect.yieldNow
      yield* device.setScript({ memoryUsed: () => 3 * GiB })
      yield* TestClock.adjust("5 seconds")
      assert.strictEqual((yield* allocator.status("low")).state, "running")
    }).pipe(Effect.provide(allocatorOn(testbox, { eviction: false }))))
})

describe("budget changes", () => {
  it.effect("a shrinking budget kills nothing and admits nothing beyond it", () =>
    Effect.gen(function*() {
      const allocator = yield* Allocator
      const device = yield* Device
      const running = yield* Effect.forkChild(allocator.run(profile("running", 4), () => Effect.never), { startImmediately: true })
      yield* Effect.yieldNow
      // Something else takes 6 GiB: the budget becomes min(0.9 · (10 − 6), 8) = 3.6 GiB, below what is granted.
      yield* device.setScript({ memoryUsed: () => 10 * GiB })
      yield* TestClock.adjust("1 second")
      const budget = yield* allocator.budget
      assert.isBelow(budget.memory, budget.granted.memory)
      assert.strictEqual((yield* allocator.status("running")).state, "running")
      const waiter = yield* Effect.forkChild(allocator.run(profile("small", 0.5), () => Effect.void), { startImmediately: true })
      yield* TestClock.adjust("1 second")
      assert.strictEqual((yield* allocator.status("small")).state, "queued")
      // Memory comes back: the waiter is admitted at the next reading.
      yield* device.setScript({ memoryUsed: () => 4 * GiB })
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(waiter)
      assert.strictEqual((yield* allocator.status("small")).state, "completed")
      yield* Fiber.interrupt(running)
    }).pipe(Effect.provide(allocatorOn(testbox, { eviction: false }))))
})

describe("strategies over devices", () => {
  it.effect("adaptive is conservative on a phone and aggressive on a workstation", () =>
    Effect.gen(function*() {
      const budget = yield* (yield* Allocator).budget
      assert.strictEqual(budget.strategy, "conservative")
      assert.match(budget.why, /mobile device/)
      // (3 GiB limit − 1.2 GiB used) · 0.5
      assert.closeTo(budget.memory, 0.5 * 1.8 * GiB, 1)
    }).pipe(Effect.provide(allocatorOn(SimulatedDevice.phone, { strategy: "adaptive" }))))

  it.effect("adaptive on a workstation", () =>
    Effect.gen(function*() {
      const budget = yield* (yield* Allocator).budget
      assert.strictEqual(budget.strategy, "aggressive")
      assert.strictEqual(budget.cores, 16)
    }).pipe(Effect.provide(allocatorOn(SimulatedDevice.workstation, { strategy: "adaptive", maxMemoryPercentage: 80 }))))
})

describe("custom strategy", () => {
  it.effect("its decision is used, clamped to the caps", () =>
    Effect.gen(function*() {
      const allocator = yield* Allocator
      const decision = yield* allocator.request(profile("p", 4))
      assert.isTrue(decision.approved)
      assert.strictEqual(decision.allocatedMemory, GiB)
      assert.strictEqual(decision.allocatedCores, 2)
      const allocation = yield* Effect.scoped(allocator.allocate(profile("q", 4)))
      assert.strictEqual(allocation.memory, GiB)
      const refused = yield* Effect.flip(Effect.scoped(allocator.allocate(profile("nightly-batch", 1))))
      assert.strictEqual(refused._tag, "AllocationDenied")
      assert.include(refused.message, "no batch work in the day")
    }).pipe(Effect.provide(allocatorOn(testbox, {
      strategy: "custom",
      customStrategy: ({ profile: p }) =>
        Effect.succeed(p.name.includes("batch")
          ? { approved: false, reason: "no batch work in the day" }
          : { approved: true, allocatedMemory: GiB, allocatedCores: 2 })
    }))))

  it.effect("a failing or malformed custom strategy refuses instead of crashing", () =>
    Effect.gen(function*() {
      const decision = yield* (yield* Allocator).request(profile("p", 1))
      assert.isFalse(decision.approved)
      assert.strictEqual(decision.reasons[0]?.code, "custom")
      assert.include(decision.reasons[0]?.message ?? "", "custom strategy failed")
    }).pipe(Effect.provide(allocatorOn(testbox, {
      strategy: "custom",
      customStrategy: () => Effect.succeed({ approved: "yes" } as never)
    }))))

  it.effect("strategy custom without a function is a typed configuration error", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Effect.scoped(Effect.gen(function*() {
        yield* Allocator
      }).pipe(Effect.provide(allocatorOn(testbox, { strategy: "custom" })))))
      assert.strictEqual(error._tag, "InvalidInput")
      if (error._tag === "InvalidInput") assert.strictEqual(error.field, "customStrategy")
    }))
})

describe("shutdown", () => {
  it.effect("closing the allocator cancels running and waiting work and settles every caller", () =>
    Effect.gen(function*() {
      const scope = yield* Scope.make()
      const context = yield* Effect.provide(Effect.context<ResourceAllocator.ResourceAllocator>(), allocatorOn()).pipe(Scope.provide(scope))
      const allocator = context.pipe((c) => c)
      const run = (name: string, gib: number) =>
        Effect.forkChild(
          Effect.flatMap(Allocator, (a) => a.run(profile(name, gib), () => Effect.never)).pipe(Effect.provide(allocator)),
          { startImmediately: true }
        )
      const running = yield* run("running", 6)
      const waiting = yield* run("waiting", 6)
      yield* Effect.yieldNow
      yield* Scope.close(scope, Exit.void)
      assert.strictEqual((yield* Effect.flip(Fiber.join(running)))._tag, "OperationCancelled")
      assert.strictEqual((yield* Effect.flip(Fiber.join(waiting)))._tag, "OperationCancelled")
    }))
})

describe("backfill", () => {
  it.effect("small short work starts behind a blocked large head only if it ends before the head can start", () =>
    Effect.gen(function*() {
      const allocator = yield* Allocator
      const order = yield* Ref.make<ReadonlyArray<string>>([])
      const log = (name: string) => Ref.update(order, (xs) => [...xs, name])
      const gate = yield* Deferred.make<void>()
      // 5 GiB running, expected to end in 60 s; the 7 GiB head must wait for it.
      yield* Effect.forkChild(allocator.run(profile("running", 5, { estimatedDuration: 60_000 }), () => Deferred.await(gate)), { startImmediately: true })
      yield* Effect.yieldNow
      const head = yield* Effect.forkChild(allocator.run(profile("head", 7, { priority: "high" }), () => log("head")), { startImmediately: true })
      yield* Effect.yieldNow
      const short = yield* Effect.forkChild(
        allocator.run(profile("short", 1, { estimatedDuration: 10_000 }), () => log("short")),
        { startImmediately: true }
      )
      const long = yield* Effect.forkChild(
        allocator.run(profile("long", 2, { estimatedDuration: 120_000 }), () => log("long")),
        { startImmediately: true }
      )
      yield* Effect.yieldNow
      yield* Fiber.join(short)
      // At 60 s the head takes 7 of 8 GiB: short (1 GiB, ends at 10 s) is done by then; long (2 GiB, 120 s) would not fit beside it.
      assert.deepStrictEqual(yield* Ref.get(order), ["short"], "short ends before the head's start; long would delay it")
      assert.strictEqual((yield* allocator.status("long")).state, "queued")
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.join(head)
      yield* Fiber.join(long)
      assert.deepStrictEqual(yield* Ref.get(order), ["short", "head", "long"])
    }).pipe(Effect.provide(allocatorOn())))
})
