/**
 * Regressions for evicted work that could not get back in line: found by the
 * random-sequence property (`allocatorProperty.ts`, `status` agreeing with
 * the events) with a small queue. An evicted operation whose way back failed
 * (the queue was full when the memory alert cleared, or when its caller
 * resumed it) lost its `evicted` mark, so it was never resumed again.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Scope } from "effect"
import { TestClock } from "effect/testing"
import * as ResourceAllocator from "../src/ResourceAllocator.ts"
import * as SimulatedDevice from "../src/SimulatedDevice.ts"
import { allocatorOn, GiB, profile, testbox } from "./allocatorFixtures.ts"

const Allocator = ResourceAllocator.ResourceAllocator
const Device = SimulatedDevice.SimulatedDevice

/**
 * A 7.5 GiB hold, pausable 0.5 GiB work beside it, and two 1 GiB waiters
 * that fill the two places of the queue; then others take 9 GiB (90%, over
 * the 85% threshold) and the pausable work is evicted.
 */
const evictedWithQueueFull = Effect.gen(function*() {
  const allocator = yield* Allocator
  const device = yield* Device
  const hold = yield* Scope.make()
  yield* allocator.allocate(profile("hold", 7.5)).pipe(Scope.provide(hold))
  const work = yield* Effect.forkChild(allocator.run(profile("work", 0.5, { canBePaused: true }), () => Effect.never), { startImmediately: true })
  const waiters = [
    yield* Effect.forkChild(allocator.run(profile("w1", 1), () => Effect.void), { startImmediately: true }),
    yield* Effect.forkChild(allocator.run(profile("w2", 1), () => Effect.void), { startImmediately: true })
  ]
  yield* Effect.yieldNow
  assert.strictEqual((yield* allocator.budget).queueLength, 2)
  yield* device.setScript({ memoryUsed: () => 9 * GiB })
  yield* TestClock.adjust("1 second")
  const evicted = yield* allocator.status("work")
  assert.strictEqual(evicted.state, "paused")
  assert.isTrue(evicted.evicted)
  return { hold, work, waiters }
})

const config = allocatorOn(testbox, { queueCapacity: 2 }, { memoryThresholdPercent: 85 })

describe("evicted work that cannot get back in line at once", () => {
  it.effect("stays evicted while the queue is full when the alert clears, and resumes once there is room", () =>
    Effect.gen(function*() {
      const allocator = yield* Allocator
      const device = yield* Device
      const { hold, work, waiters } = yield* evictedWithQueueFull
      // The alert clears, but both places in the queue are taken (the waiters do not fit beside the hold).
      yield* device.setScript({ memoryUsed: () => 0 })
      yield* TestClock.adjust("1 second")
      const waiting = yield* allocator.status("work")
      assert.strictEqual(waiting.state, "paused")
      assert.isTrue(waiting.evicted, "still evicted: it comes back by itself")
      // The hold ends, the waiters run, and the next reading brings the evicted work back.
      yield* Scope.close(hold, Exit.void)
      yield* Fiber.joinAll(waiters)
      yield* TestClock.adjust("1 second")
      const back = yield* allocator.status("work")
      assert.strictEqual(back.state, "running")
      assert.strictEqual(back.restarts, 1)
      assert.isFalse(back.evicted)
      yield* Fiber.interrupt(work)
    }).pipe(Effect.provide(config)))

  it.effect("stays evicted when resuming it fails because the queue is full", () =>
    Effect.gen(function*() {
      const allocator = yield* Allocator
      const device = yield* Device
      const { hold, work, waiters } = yield* evictedWithQueueFull
      const refused = yield* Effect.flip(allocator.resume("work"))
      assert.strictEqual(refused._tag, "QueueFull")
      const waiting = yield* allocator.status("work")
      assert.strictEqual(waiting.state, "paused")
      assert.isTrue(waiting.evicted, "a refused resume leaves it evicted")
      // No more alert, then room in the queue: it comes back by itself.
      yield* device.setScript({ memoryUsed: () => 0 })
      yield* TestClock.adjust("1 second")
      yield* Scope.close(hold, Exit.void)
      yield* Fiber.joinAll(waiters)
      yield* TestClock.adjust("1 second")
      assert.strictEqual((yield* allocator.status("work")).state, "running")
      yield* Fiber.interrupt(work)
    }).pipe(Effect.provide(config)))
})
