import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { TestClock } from "effect/testing"
import * as DeviceScript from "../src/DeviceScript.ts"
import * as ResourceAllocator from "../src/ResourceAllocator.ts"
import * as ResourceMonitor from "../src/ResourceMonitor.ts"
import * as ResourcePredictor from "../src/ResourcePredictor.ts"
import * as SimulatedDevice from "../src/SimulatedDevice.ts"
import { GiB, profile, testbox } from "./allocatorFixtures.ts"

const withPredictor = (spec: SimulatedDevice.DeviceSpec) =>
  ResourceAllocator.layer({ strategy: "adaptive", maxMemoryPercentage: 100 }).pipe(
    Layer.provideMerge(ResourcePredictor.layerTest(spec, { predictionInterval: 10_000 }, { sampleInterval: 1000 }))
  )
const Allocator = ResourceAllocator.ResourceAllocator
// Others hold 10 GiB at first and give back 1 GiB a minute, down to 1 GiB.
const falling = SimulatedDevice.withScript(testbox, { memoryUsed: (t) => Math.max(1 * GiB, 10 * GiB - (t / 60_000) * GiB) })

describe("the allocator with a predictor", () => {
  it.effect("adaptive budgets shrink ahead of memory others are forecast to take", () =>
    Effect.gen(function*() {
      const allocator = yield* Allocator
      yield* TestClock.adjust("2 minutes")
      const budget = yield* allocator.budget
      // Now others use 2 GiB of 10: without a forecast the budget would be 0.9 · 8 GiB.
      assert.match(budget.why, /predicted headroom/)
      assert.isBelow(budget.memory, 0.9 * 8 * GiB * 0.9)
      assert.isAbove(budget.memory, 0)
    }).pipe(Effect.provide(withPredictor(SimulatedDevice.withScript(testbox, {
      memoryUsed: DeviceScript.ramp({ from: 0, to: 9 * GiB, over: "9 minutes" })
    })))))

  it.effect("a request blocked by others' memory is told how long to wait when it is forecast to fall", () =>
    Effect.gen(function*() {
      const allocator = yield* Allocator
      yield* TestClock.adjust("2 minutes")
      // Others now hold 8 GiB and are giving back 1 GiB a minute.
      const decision = yield* allocator.request(profile("big", 3))
      assert.isFalse(decision.approved)
      assert.strictEqual(decision.reasons[0]?.code, "insufficient-memory")
      const wait = decision.fallbackOptions[0]?.estimatedWaitMs
      assert.isDefined(wait)
      // At 80% use the pressure is fair, so adaptive is balanced: 3 GiB fits once 0.7 · (10 − used) ≥ 3,
      // that is once others are down to ~5.7 GiB, in ~2.3 minutes (a little more: damping slows the forecast).
      assert.isTrue(wait! > 60_000 && wait! < 300_000, `waits ${wait} ms`)
      assert.match(decision.recommendations[0]!, /^wait ~\d+s$/)
    }).pipe(Effect.provide(withPredictor(falling))))

  it.effect("without a predictor the same request cannot say", () =>
    Effect.gen(function*() {
      const allocator = yield* Allocator
      yield* TestClock.adjust("2 minutes")
      const decision = yield* allocator.request(profile("big", 5))
      assert.strictEqual(decision.recommendations[0], "wait for running work to finish")
    }).pipe(Effect.provide(ResourceAllocator.layer({ strategy: "adaptive", maxMemoryPercentage: 100 }).pipe(
      Layer.provideMerge(ResourceMonitor.layerTest(falling))
    ))))
})
