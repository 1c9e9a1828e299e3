import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Option } from "effect"
import * as ModelStore from "../src/ModelStore.ts"
import { ModelStoreError } from "../src/ProvidentError.ts"
import * as ResourceMonitor from "../src/ResourceMonitor.ts"
import * as ResourcePredictor from "../src/ResourcePredictor.ts"
import * as SimulatedDevice from "../src/SimulatedDevice.ts"
import { capturingWarnings, completions, profile } from "./predictorFixtures.ts"

const monitor = ResourceMonitor.layerTest(SimulatedDevice.laptop)

/** A predictor over a store built on `backend`. */
const predictorOver = (backend: ModelStore.Backend, options?: { costModelHistorySize?: number }) =>
  ResourcePredictor.make(options).pipe(Effect.provideService(ModelStore.ModelStore, ModelStore.make(backend)))

const sha256 = { circuitFamily: "sha256" }

describe("ModelStore", () => {
  it.effect("learned cost models survive a restart", () =>
    Effect.gen(function*() {
      const backend = ModelStore.memoryBackend()
      const first = yield* predictorOver(backend)
      for (const c of completions({ count: 12 })) yield* first.observe(c)
      const second = yield* predictorOver(backend)
      assert.deepStrictEqual(yield* second.costModels, yield* first.costModels)
      yield* second.registerOperation("proof", profile(), sha256)
      const prediction = Option.getOrThrow(yield* second.predictOperation("proof"))
      assert.strictEqual(prediction.source, "learned")
      assert.strictEqual(prediction.samples, 12)
    }).pipe(Effect.provide(monitor)))

  it.effect("the store holds versioned JSON with ids and measurements only", () =>
    Effect.gen(function*() {
      const backend = ModelStore.memoryBackend()
      const p = yield* predictorOver(backend)
      for (const c of completions({ count: 3 })) yield* p.observe(c)
      const document = JSON.parse(Option.getOrThrow(yield* backend.read))
      assert.strictEqual(document.version, ModelStore.version)
      assert.strictEqual(document.completions.length, 3)
      assert.deepStrictEqual(Object.keys(document.completions[0]).sort(), [
        "circuitFamily",
        "circuitId",
        "circuitSize",
        "cores",
        "duration",
        "observedAt",
        "peakMemory",
        "prover",
        "strategy"
      ])
    }).pipe(Effect.provide(monitor)))

  it.effect("keeps the newest costModelHistorySize completions per model", () =>
    Effect.gen(function*() {
      const backend = ModelStore.memoryBackend()
      const p = yield* predictorOver(backend, { costModelHistorySize: 5 })
      const all = completions({ count: 8 })
      for (const c of all) yield* p.observe(c)
      const [model] = yield* p.costModels
      assert.strictEqual(model!.samples, 5)
      const stored = JSON.parse(Option.getOrThrow(yield* backend.read)).completions
      assert.deepStrictEqual(stored.map((c: { circuitId: string }) => c.circuitId), all.slice(3).map((c) => c.circuitId))
    }).pipe(Effect.provide(monitor)))

  const ignored: ReadonlyArray<readonly [string, string, RegExp]> = [
    ["text that is not JSON", "{\"version\": 1, \"completions\": [", /not valid JSON/],
    ["JSON without a version", "[1, 2, 3]", /not an object with a version/],
    ["an older version", JSON.stringify({ version: 0, models: [{ family: "sha256" }] }), /version 0, this code reads version 1/],
    ["a newer version", JSON.stringify({ version: 2, completions: [] }), /version 2/],
    [
      "a document failing its schema",
      JSON.stringify({ version: 1, completions: [{ ...completions({ count: 1 })[0], observedAt: 0, duration: -5 }] }),
      /completions\[0\]\.duration/
    ]
  ]
  for (const [what, text, why] of ignored) {
    it.effect(`${what} is ignored with a warning, and the predictor starts fresh`, () => {
      const warnings: Array<string> = []
      return Effect.gen(function*() {
        const backend = ModelStore.memoryBackend(text)
        const p = yield* predictorOver(backend)
        assert.deepStrictEqual(yield* p.costModels, [])
        assert.strictEqual(warnings.length, 1)
        assert.match(warnings[0]!, why)
        assert.match(warnings[0]!, /ignoring the stored cost models at memory/)
        // Learning afresh replaces the bad document.
        yield* p.observe(completions({ count: 1 })[0]!)
        assert.strictEqual(JSON.parse(Option.getOrThrow(yield* backend.read)).version, 1)
      }).pipe(Effect.provide(Layer.merge(monitor, capturingWarnings(warnings))))
    })
  }

  it.effect("a store that cannot be read or written is logged, and learning goes on in memory", () => {
    const warnings: Array<string> = []
    return Effect.gen(function*() {
      const broken: ModelStore.Backend = {
        location: "/nowhere/models.json",
        read: Effect.fail(new ModelStoreError({ operation: "read", message: "permission denied" })),
        write: () => Effect.fail(new ModelStoreError({ operation: "write", message: "disk full" }))
      }
      const p = yield* predictorOver(broken)
      yield* p.observe(completions({ count: 1 })[0]!)
      assert.strictEqual((yield* p.costModels).length, 1)
      assert.strictEqual(warnings.length, 2)
      assert.match(warnings[0]!, /\/nowhere\/models\.json: permission denied/)
      assert.match(warnings[1]!, /could not store the cost models \(disk full\)/)
    }).pipe(Effect.provide(Layer.merge(monitor, capturingWarnings(warnings))))
  })

  it.effect("layerNoop keeps nothing", () =>
    Effect.gen(function*() {
      const store = yield* ModelStore.ModelStore
      yield* store.save([{ ...completions({ count: 1 })[0]!, observedAt: 0 }])
      assert.deepStrictEqual(yield* store.load, [])
    }).pipe(Effect.provide(ModelStore.layerNoop)))
})
