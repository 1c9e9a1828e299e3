import { assert, describe, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import { TestClock } from "effect/testing"
import * as DeviceScript from "../src/DeviceScript.ts"
import * as SimulatedDevice from "../src/SimulatedDevice.ts"
import { completions, GiB, predictor, predictorOn, profile } from "./predictorFixtures.ts"

const sha256 = { circuitFamily: "sha256", prover: "groth16" }

describe("ResourcePredictor operations", () => {
  it.effect("before any history, a registered operation is predicted from its declared profile, with low confidence", () =>
    Effect.gen(function*() {
      const p = yield* predictor
      yield* p.registerOperation("proof", profile({ memory: 2 * GiB, duration: 8000 }), sha256)
      const prediction = Option.getOrThrow(yield* p.predictOperation("proof"))
      assert.deepStrictEqual(prediction, {
        name: "proof",
        estimatedTimeToComplete: 8000,
        p95TimeToComplete: 8000,
        estimatedPeakMemory: 2 * GiB,
        p95PeakMemory: 2 * GiB,
        confidence: 0.1,
        source: "declared",
        samples: 0
      })
    }).pipe(Effect.provide(predictorOn(SimulatedDevice.laptop))))

  it.effect("completions of the operation's family turn it into a learned prediction near the truth", () =>
    Effect.gen(function*() {
      const p = yield* predictor
      yield* p.registerOperation("proof", profile({ circuitSize: 300_000, memory: 64 * GiB, duration: 1 }), sha256)
      for (const c of completions({ count: 30, noise: 0.05 })) yield* p.observe(c)
      const prediction = Option.getOrThrow(yield* p.predictOperation("proof"))
      assert.strictEqual(prediction.source, "learned")
      assert.strictEqual(prediction.samples, 30)
      const time = 0.002 * 300_000 ** 1.1
      const memory = 4000 * 300_000
      assert.closeTo(prediction.estimatedTimeToComplete, time, 0.05 * time)
      assert.closeTo(prediction.estimatedPeakMemory, memory, 0.05 * memory)
      assert.isAbove(prediction.p95PeakMemory, prediction.estimatedPeakMemory)
      assert.isBelow(prediction.p95PeakMemory, 1.25 * memory)
      assert.isAbove(prediction.confidence, 0.6)
    }).pipe(Effect.provide(predictorOn(SimulatedDevice.laptop))))

  it.effect("a known power law is recovered from completions (exponent within 5%), and confidence rises with samples", () =>
    Effect.gen(function*() {
      const p = yield* predictor
      const all = completions({ count: 60, timeA: 0.01, timeB: 1.25, memA: 900, memB: 0.9, noise: 0.15, seed: 5 })
      yield* p.registerOperation("proof", profile({ circuitSize: 100_000 }), { circuitFamily: "sha256" })
      const confidence: Array<number> = []
      for (const [i, c] of all.entries()) {
        yield* p.observe(c)
        if ([2, 5, 15, 60].includes(i + 1)) confidence.push(Option.getOrThrow(yield* p.predictOperation("proof")).confidence)
      }
      const [model] = yield* p.costModels
      assert.closeTo(model!.time.exponent, 1.25, 0.05 * 1.25)
      assert.closeTo(model!.memory.exponent, 0.9, 0.05 * 0.9)
      assert.strictEqual(model!.samples, 60)
      for (let i = 1; i < confidence.length; i++) assert.isAbove(confidence[i]!, confidence[i - 1]!, `${confidence}`)
      assert.isAbove(confidence[0]!, 0.1, "even two samples beat the declaration")
    }).pipe(Effect.provide(predictorOn(SimulatedDevice.laptop))))

  it.effect("only a matching model applies: family, prover, strategy and cores must agree where given", () =>
    Effect.gen(function*() {
      const p = yield* predictor
      for (const c of completions({ count: 10 })) yield* p.observe(c)
      const sourceFor = (key: Parameters<typeof p.registerOperation>[2]) =>
        p.registerOperation("x", profile(), key).pipe(
          Effect.andThen(p.predictOperation("x")),
          Effect.map((o) => Option.getOrThrow(o).source)
        )
      assert.strictEqual(yield* sourceFor({ circuitFamily: "sha256", cores: 4, strategy: "full" }), "learned")
      assert.strictEqual(yield* sourceFor({ circuitId: "sha256" }), "learned", "a circuit id naming the family")
      const [first] = completions({ count: 1 })
      assert.strictEqual(yield* sourceFor({ circuitId: first!.circuitId }), "learned", "a circuit id seen in the family")
      assert.strictEqual(yield* sourceFor({ circuitFamily: "sha256", prover: "plonk" }), "declared")
      assert.strictEqual(yield* sourceFor({ circuitFamily: "sha256", cores: 8 }), "declared")
      assert.strictEqual(yield* sourceFor({ circuitFamily: "poseidon" }), "declared")
      assert.strictEqual(yield* sourceFor(undefined), "declared", "nothing identifies the circuit")
    }).pipe(Effect.provide(predictorOn(SimulatedDevice.laptop))))

  it.effect("unregistering forgets an operation; an unknown one has no prediction", () =>
    Effect.gen(function*() {
      const p = yield* predictor
      yield* p.registerOperation("proof", profile())
      assert.isTrue(yield* p.unregisterOperation("proof"))
      assert.isFalse(yield* p.unregisterOperation("proof"))
      assert.isTrue(Option.isNone(yield* p.predictOperation("proof")))
      assert.isTrue(Option.isNone(yield* p.predictOperation("never")))
    }).pipe(Effect.provide(predictorOn(SimulatedDevice.laptop))))

  it.effect("bad profiles, keys and completions fail with InvalidInput naming the field", () =>
    Effect.gen(function*() {
      const p = yield* predictor
      const badProfile = yield* Effect.flip(p.registerOperation("proof", { ...profile(), circuitSize: 0 }))
      assert.strictEqual(badProfile.field, "circuitSize")
      const badKey = yield* Effect.flip(p.registerOperation("proof", profile(), { cores: -1 }))
      assert.strictEqual(badKey.field, "cores")
      const [good] = completions({ count: 1 })
      const badCompletion = yield* Effect.flip(p.observe({ ...good!, duration: 0 }))
      assert.strictEqual(badCompletion.subject, "Completion")
      assert.strictEqual(badCompletion.field, "duration")
      assert.deepStrictEqual(yield* p.costModels, [], "nothing was learned from it")
    }).pipe(Effect.provide(predictorOn(SimulatedDevice.laptop))))
})

describe("ResourcePredictor.bestStartTime", () => {
  // A 16 GiB laptop whose usage falls from 14 to 4 GiB over ten minutes:
  // 6 GiB are free once usage is at 10 GiB, four minutes in.
  const falling = SimulatedDevice.withScript(SimulatedDevice.laptop, {
    memoryUsed: DeviceScript.ramp({ from: 14 * GiB, to: 4 * GiB, over: "10 minutes" })
  })

  it.effect("finds when a falling memory use will leave enough free", () =>
    Effect.gen(function*() {
      const p = yield* predictor
      yield* TestClock.adjust("3 minutes")
      const start = Option.getOrThrow(yield* p.bestStartTime(profile({ memory: 6 * GiB })))
      assert.closeTo(start.timestamp, 240_000, 20_000, `${start.timestamp}`)
      assert.strictEqual(start.waitMillis, start.timestamp - 180_000)
      assert.strictEqual(start.requiredMemory, 6 * GiB)
      assert.isTrue(Option.isNone(yield* p.bestStartTime(profile({ memory: 15 * GiB }))), "never within the window")
      const now = Option.getOrThrow(yield* p.bestStartTime(profile({ memory: 1 * GiB })))
      assert.deepStrictEqual([now.timestamp, now.waitMillis], [180_000, 0], "enough is free already")
    }).pipe(Effect.provide(predictorOn(falling))))

  it.effect("a scripted drop: nothing in the window before it, now once it has happened", () =>
    Effect.gen(function*() {
      const p = yield* predictor
      const big = profile({ memory: 8 * GiB })
      yield* TestClock.adjust("2 minutes")
      assert.isTrue(Option.isNone(yield* p.bestStartTime(big)), "14 GiB used, flat: 2 GiB free")
      yield* TestClock.adjust("1 minute")
      const start = Option.getOrThrow(yield* p.bestStartTime(big))
      assert.strictEqual(start.timestamp, 180_000)
      assert.strictEqual(start.predictedFreeMemory, 12 * GiB)
    }).pipe(Effect.provide(predictorOn(SimulatedDevice.withScript(SimulatedDevice.laptop, {
      memoryUsed: DeviceScript.steps(14 * GiB, [["150 seconds", 4 * GiB]])
    })))))

  it.effect("uses the learned p95 peak, not the declared one, once the circuit has history", () =>
    Effect.gen(function*() {
      const p = yield* predictor
      yield* TestClock.adjust("3 minutes")
      // Declared 1 GiB, but this family really needs ~6 GiB at this size.
      const size = 2 ** 17
      for (const c of completions({ count: 20, memA: (6 * GiB) / size, memB: 1, noise: 0.02 })) yield* p.observe(c)
      const start = Option.getOrThrow(yield* p.bestStartTime(profile({ circuitSize: size, memory: GiB }), sha256))
      assert.isAbove(start.requiredMemory, 6 * GiB)
      assert.isAbove(start.timestamp, 240_000, "later than a 6 GiB need would start")
    }).pipe(Effect.provide(predictorOn(falling))))
})
