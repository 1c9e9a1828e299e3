/** Stopping and restarting the monitor's sampling fiber (the Promise facade's continuous monitoring). */
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { TestClock } from "effect/testing"
import * as ResourceMonitor from "../src/ResourceMonitor.ts"
import * as SimulatedDevice from "../src/SimulatedDevice.ts"

const monitor = ResourceMonitor.ResourceMonitor

describe("ResourceMonitor sampling control", () => {
  it.effect("stopSampling stops the fiber, sample still reads on demand, startSampling resumes an interval later", () =>
    Effect.gen(function*() {
      const m = yield* monitor
      assert.isTrue(yield* m.sampling, "the layer starts sampling")
      yield* TestClock.adjust("2 seconds")
      assert.strictEqual((yield* m.stats).samples, 3)
      yield* m.stopSampling
      assert.isFalse(yield* m.sampling)
      yield* TestClock.adjust("10 seconds")
      assert.strictEqual((yield* m.stats).samples, 3, "no reading while stopped")
      const onDemand = yield* m.sample
      assert.strictEqual(onDemand.timestamp, 12_000)
      assert.strictEqual((yield* m.stats).samples, 4)
      yield* m.startSampling
      yield* m.startSampling // idempotent: one fiber, not two
      assert.isTrue(yield* m.sampling)
      yield* TestClock.adjust("999 millis")
      assert.strictEqual((yield* m.stats).samples, 4, "the first reading comes an interval after starting")
      yield* TestClock.adjust("3001 millis")
      assert.strictEqual((yield* m.stats).samples, 8)
      assert.strictEqual((yield* m.latest).timestamp, 16_000)
    }).pipe(Effect.provide(ResourceMonitor.layerTest(SimulatedDevice.laptop))))

  it.effect("stopping twice is harmless; starting after a stop samples again", () =>
    Effect.gen(function*() {
      const m = yield* monitor
      yield* m.stopSampling
      yield* m.stopSampling
      assert.isFalse(yield* m.sampling)
      yield* m.startSampling
      yield* TestClock.adjust("1 second")
      assert.strictEqual((yield* m.stats).samples, 2)
    }).pipe(Effect.provide(ResourceMonitor.layerTest(SimulatedDevice.laptop))))
})
