import { assert, describe, it } from "@effect/vitest"
import { Context, Effect, Layer } from "effect"
import { TestClock } from "effect/testing"
import * as DeviceScript from "../src/DeviceScript.ts"
import type { ForecastResource, Prediction } from "../src/Forecast.ts"
import * as ModelStore from "../src/ModelStore.ts"
import * as ResourceMonitor from "../src/ResourceMonitor.ts"
import * as ResourcePredictor from "../src/ResourcePredictor.ts"
import * as SimulatedDevice from "../src/SimulatedDevice.ts"
import { GiB, predictor, predictorOn, uniform } from "./predictorFixtures.ts"

const trendOf = (resource: ForecastResource) =>
  predictor.use((p) => p.trends).pipe(Effect.map((ts) => ts.find((t) => t.resource === resource)))

const width = (p: Prediction, resource: ForecastResource) => p[resource]!.upper - p[resource]!.lower

describe("ResourcePredictor trends and forecasts", () => {
  // 8 → 40 GiB over an hour on a 64 GiB workstation: 91 MiB per 10-second step.
  const ramp = DeviceScript.ramp({ from: 8 * GiB, to: 40 * GiB, over: "60 minutes" })
  const rampDevice = SimulatedDevice.withScript(SimulatedDevice.workstation, { memoryUsed: ramp })

  it.effect("a linear memory ramp is rising, and the window's forecasts are within 5% of the truth", () =>
    Effect.gen(function*() {
      yield* TestClock.adjust("10 minutes")
      const memory = yield* trendOf("memory")
      assert.strictEqual(memory?.direction, "rising")
      const slope = (32 * GiB) / 3600
      assert.closeTo(memory!.slopePerSecond, slope, 0.12 * slope)
      assert.isAbove(memory!.confidence, 0.7)
      const predictions = yield* predictor.use((p) => p.predictions)
      assert.strictEqual(predictions.length, 30)
      for (const p of predictions) {
        const truth = ramp(p.timestamp)
        assert.closeTo(p.memory!.predicted, truth, 0.05 * truth, `step ${p.step}`)
        assert.isTrue(p.memory!.lower <= p.memory!.predicted && p.memory!.predicted <= p.memory!.upper)
      }
      assert.strictEqual(predictions[0]!.timestamp, 600_000 + 10_000)
      assert.strictEqual(predictions[29]!.timestamp, 600_000 + 300_000)
      assert.strictEqual((yield* trendOf("cpu"))?.direction, "stable", "the other resources are flat")
    }).pipe(Effect.provide(predictorOn(rampDevice))))

  it.effect("a flat series is stable, forecast exactly, with no spread", () =>
    Effect.gen(function*() {
      yield* TestClock.adjust("5 minutes")
      const trends = yield* predictor.use((p) => p.trends)
      assert.deepStrictEqual(trends.map((t) => `${t.resource}:${t.direction}`), [
        "memory:stable",
        "cpu:stable",
        "battery:stable",
        "storage:stable"
      ])
      assert.isTrue(trends.every((t) => t.slopePerSecond === 0 && t.confidence > 0.8))
      const last = (yield* predictor.use((p) => p.predictions))[29]!
      assert.deepStrictEqual(last.memory, { predicted: 6 * GiB, lower: 6 * GiB, upper: 6 * GiB })
      assert.deepStrictEqual(last.cpu, { predicted: 10, lower: 10, upper: 10 })
    }).pipe(Effect.provide(predictorOn(SimulatedDevice.laptop))))

  it.effect("a noisy flat series stays stable at every check", () =>
    Effect.gen(function*() {
      for (let minute = 1; minute <= 30; minute++) {
        yield* TestClock.adjust("1 minute")
        const cpu = yield* trendOf("cpu")
        assert.strictEqual(cpu?.direction, "stable", `minute ${minute}: ${JSON.stringify(cpu)}`)
        assert.closeTo(cpu!.level, 40, 5)
      }
    }).pipe(Effect.provide(predictorOn(SimulatedDevice.withScript(SimulatedDevice.laptop, {
      cpuUsage: DeviceScript.noise(DeviceScript.constant(40), { amplitude: 15, seed: 9 })
    })))))

  it.effect("a falling battery is falling", () =>
    Effect.gen(function*() {
      yield* TestClock.adjust("20 minutes")
      const battery = yield* trendOf("battery")
      assert.strictEqual(battery?.direction, "falling")
      // The damped trend settles at ~91% of the slope (see internal/holt.ts).
      assert.closeTo(battery!.slopePerSecond, -0.5 / 60, 0.12 * (0.5 / 60))
    }).pipe(Effect.provide(predictorOn(SimulatedDevice.phone))))

  it.effect("after a spike the forecasts come back: damped, they do not run away", () =>
    Effect.gen(function*() {
      // 6 GiB, 12 GiB for 30 s from 5 minutes, then 6 GiB again, on a 16 GiB laptop.
      yield* TestClock.adjust("329 seconds")
      const during = yield* predictor.use((p) => p.predictions)
      assert.isTrue(during.every((p) => p.memory!.upper <= 16 * GiB), "clamped to the capacity")
      yield* TestClock.adjust("61 seconds")
      for (const p of yield* predictor.use((p) => p.predictions)) {
        assert.isTrue(p.memory!.predicted > 4 * GiB && p.memory!.predicted < 7 * GiB, `step ${p.step}: ${p.memory!.predicted / GiB}`)
      }
      yield* TestClock.adjust("4 minutes")
      for (const p of yield* predictor.use((p) => p.predictions)) assert.closeTo(p.memory!.predicted, 6 * GiB, 0.05 * 6 * GiB)
      assert.strictEqual((yield* trendOf("memory"))?.direction, "stable")
    }).pipe(Effect.provide(predictorOn(SimulatedDevice.withScript(SimulatedDevice.laptop, {
      memoryUsed: DeviceScript.spike({ base: 6 * GiB, peak: 12 * GiB, at: "5 minutes", duration: "30 seconds" })
    })))))

  it.effect("intervals widen with the horizon and with noise", () =>
    Effect.gen(function*() {
      // Two devices side by side, each with its monitor, both on TestClock.
      const quiet = Context.get(yield* Layer.build(predictorOn(noisy(0.05 * GiB))), ResourcePredictor.ResourcePredictor)
      const loud = Context.get(yield* Layer.build(predictorOn(noisy(0.5 * GiB))), ResourcePredictor.ResourcePredictor)
      yield* TestClock.adjust("15 minutes")
      const q = yield* quiet.predictions
      const l = yield* loud.predictions
      assert.isAbove(width(q[29]!, "memory"), width(q[0]!, "memory"))
      assert.isAbove(width(l[0]!, "memory"), 4 * width(q[0]!, "memory"))
      assert.isAbove(width(l[29]!, "memory"), 4 * width(q[29]!, "memory"))
    }))

  it.effect("a monitor sampling every 250 ms and one sampling every 5 s smooth noise alike", () =>
    Effect.gen(function*() {
      // 6 GiB ± 1 GiB of noise that changes every second.
      const spec = noisy(GiB)
      const fast = Context.get(yield* Layer.build(ResourcePredictor.layerTest(spec, {}, { sampleInterval: 250 })), ResourcePredictor.ResourcePredictor)
      const slow = Context.get(yield* Layer.build(ResourcePredictor.layerTest(spec, {}, { sampleInterval: 5000 })), ResourcePredictor.ResourcePredictor)
      yield* TestClock.adjust("2 minutes")
      const deviation = { fast: 0, slow: 0 }
      for (let i = 0; i < 40; i++) {
        yield* TestClock.adjust("15 seconds")
        deviation.fast += Math.abs((yield* fast.trends)[0]!.level - 6 * GiB) / 40
        deviation.slow += Math.abs((yield* slow.trends)[0]!.level - 6 * GiB) / 40
      }
      // α = 0.3 per 10-second step for both: a ~30 s average, not the latest reading.
      assert.isBelow(deviation.fast, 0.15 * GiB, `${deviation.fast / GiB}`)
      assert.isBelow(deviation.slow, 0.25 * GiB, `${deviation.slow / GiB}`)
    }))

  it.effect("irregular readings give the same trend and forecasts as regular ones", () =>
    Effect.gen(function*() {
      const regular = yield* ResourcePredictor.make({ enableAutomaticModelUpdate: false })
      const irregular = yield* ResourcePredictor.make({ enableAutomaticModelUpdate: false })
      const next = uniform(3)
      const reading = (t: number) => SimulatedDevice.readingAt(rampDevice, rampDevice.script, t, t, { memory: 0, cores: 0 })
      for (let t = 0; t <= 600_000; t += 1000) yield* regular.update(reading(t))
      for (let t = 0; t <= 600_000; t += Math.round(500 + next() * 25_000)) yield* irregular.update(reading(t))
      yield* irregular.update(reading(600_000))
      yield* TestClock.setTime(600_000)
      const [r, i] = [(yield* regular.trends)[0]!, (yield* irregular.trends)[0]!]
      assert.strictEqual(i.direction, "rising")
      assert.closeTo(i.slopePerSecond, r.slopePerSecond, 0.05 * r.slopePerSecond)
      const [rp, ip] = [yield* regular.predictions, yield* irregular.predictions]
      for (let k = 0; k < 30; k++) {
        const truth = ramp(ip[k]!.timestamp)
        assert.closeTo(ip[k]!.memory!.predicted, truth, 0.05 * truth)
        assert.closeTo(ip[k]!.memory!.predicted, rp[k]!.memory!.predicted, 0.02 * truth)
      }
    }).pipe(Effect.provide(predictorOn(rampDevice))))
})

const noisy = (amplitude: number) =>
  SimulatedDevice.withScript(SimulatedDevice.laptop, {
    memoryUsed: DeviceScript.noise(DeviceScript.constant(6 * GiB), { amplitude, seed: 4 })
  })

describe("ResourcePredictor updates", () => {
  it.effect("follows the monitor automatically: N intervals give N + 1 readings", () =>
    Effect.gen(function*() {
      assert.strictEqual((yield* trendOf("memory"))?.samples, 1, "seeded from the monitor's first reading")
      yield* TestClock.adjust("1 minute")
      assert.strictEqual((yield* trendOf("memory"))?.samples, 61)
    }).pipe(Effect.provide(predictorOn(SimulatedDevice.laptop))))

  it.effect("seeds from the monitor's history when built later", () =>
    Effect.gen(function*() {
      yield* TestClock.adjust("30 seconds")
      const late = yield* ResourcePredictor.make()
      assert.strictEqual((yield* late.trends)[0]?.samples, 31)
    }).pipe(Effect.provide(Layer.merge(ResourceMonitor.layerTest(SimulatedDevice.laptop), ModelStore.layerMemory()))))

  it.effect("with automatic updates off, only update feeds the models", () =>
    Effect.gen(function*() {
      const p = yield* predictor
      yield* TestClock.adjust("1 minute")
      assert.deepStrictEqual(yield* p.trends, [])
      assert.isUndefined((yield* p.predictions)[0]!.memory)
      const snapshot = yield* ResourceMonitor.ResourceMonitor.use((m) => m.latest)
      yield* p.update(snapshot)
      yield* p.update(snapshot) // the same reading again is not a new one
      assert.strictEqual((yield* trendOf("memory"))?.samples, 1)
      // A hand-made reading with a broken value leaves that resource alone.
      yield* p.update({ ...snapshot, timestamp: snapshot.timestamp + 1000, memory: { ...snapshot.memory, used: Number.NaN } })
      assert.strictEqual((yield* trendOf("memory"))?.samples, 1)
      assert.strictEqual((yield* trendOf("cpu"))?.samples, 2)
      assert.isTrue(Number.isFinite((yield* trendOf("memory"))!.level))
    }).pipe(Effect.provide(predictorOn(SimulatedDevice.laptop, { enableAutomaticModelUpdate: false }))))

  it.effect("stale readings are skipped, and resources a device lacks are absent", () =>
    Effect.gen(function*() {
      const device = yield* SimulatedDevice.SimulatedDevice
      yield* device.injectFault("fail", 5)
      yield* TestClock.adjust("10 seconds")
      const trends = yield* predictor.use((p) => p.trends)
      assert.deepStrictEqual(trends.map((t) => t.resource), ["memory", "cpu", "storage"], "the container has no battery")
      assert.strictEqual(trends[0]!.samples, 6, "11 readings, 5 of them stale repeats")
      assert.isUndefined((yield* predictor.use((p) => p.predictions))[0]!.battery)
    }).pipe(Effect.provide(predictorOn(SimulatedDevice.container))))

  it.effect("an invalid configuration fails the layer with the field named", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Effect.scoped(Layer.build(predictorOn(SimulatedDevice.laptop, { smoothingFactor: 0 }))))
      assert.strictEqual(error._tag, "InvalidInput")
      assert.strictEqual(error.field, "smoothingFactor")
      const interval = yield* Effect.flip(Effect.scoped(Layer.build(predictorOn(SimulatedDevice.laptop, { predictionInterval: 1 }))))
      assert.match(interval.message, /predictionInterval: must be at least 10 ms/)
    }))
})
