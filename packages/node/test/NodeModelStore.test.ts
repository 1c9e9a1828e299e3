import { assert, describe, it } from "@effect/vitest"
import { ResourceMonitor } from "@provident/core"
import * as ModelStore from "@provident/core/ModelStore"
import * as ResourcePredictor from "@provident/core/ResourcePredictor"
import { SimulatedDevice } from "@provident/core/testing"
import { Effect, Layer, Logger } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as NodeModelStore from "../src/NodeModelStore.ts"

const completion = (i: number) => ({
  circuitId: `sha256-${1000 * (i + 1)}`,
  circuitFamily: "sha256",
  prover: "groth16",
  circuitSize: 1000 * (i + 1),
  strategy: "full",
  cores: 4,
  duration: 2 * 1000 * (i + 1),
  peakMemory: 4000 * 1000 * (i + 1)
})

/** A fresh directory, removed when the test's scope closes. */
const tempDir = Effect.acquireRelease(
  Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), "provident-models-"))),
  (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
)

/** A predictor over the file store at `file`. */
const predictorAt = (file: string) =>
  ResourcePredictor.make({ enableAutomaticModelUpdate: false }).pipe(
    Effect.provide(Layer.merge(NodeModelStore.layer({ file }), ResourceMonitor.layerTest(SimulatedDevice.laptop)))
  )

/** Runs `test` with its warnings collected into `warnings`. */
const collectingWarnings = (warnings: Array<string>) =>
  Effect.provide(Logger.layer([Logger.make((o) => void (o.logLevel === "Warn" && warnings.push(String(o.message))))]))

describe("NodeModelStore", () => {
  it.effect("cost models survive a restart through the file, in a directory created on demand", () =>
    Effect.gen(function*() {
      const file = path.join(yield* tempDir, "nested", "deeper", "cost-models.json")
      const first = yield* predictorAt(file)
      for (let i = 0; i < 6; i++) yield* first.observe(completion(i))
      const second = yield* predictorAt(file)
      assert.deepStrictEqual(yield* second.costModels, yield* first.costModels)
      assert.strictEqual((yield* second.costModels)[0]!.samples, 6)
      const document = JSON.parse(fs.readFileSync(file, "utf8"))
      assert.strictEqual(document.version, ModelStore.version)
      assert.strictEqual(document.completions.length, 6)
    }))

  it.effect("writes atomically: no temporary file is left, and every save replaces the whole document", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const file = path.join(dir, "cost-models.json")
      const p = yield* predictorAt(file)
      yield* Effect.forEach([0, 1, 2, 3, 4, 5, 6, 7], (i) => p.observe(completion(i)), { concurrency: "unbounded" })
      assert.deepStrictEqual(fs.readdirSync(dir), ["cost-models.json"])
      assert.strictEqual(JSON.parse(fs.readFileSync(file, "utf8")).completions.length, 8, "the last write has them all")
    }))

  it.effect("no file yet is a first run: nothing learned, nothing logged", () => {
    const warnings: Array<string> = []
    return Effect.gen(function*() {
      const p = yield* predictorAt(path.join(yield* tempDir, "cost-models.json"))
      assert.deepStrictEqual(yield* p.costModels, [])
      assert.deepStrictEqual(warnings, [])
    }).pipe(collectingWarnings(warnings))
  })

  for (
    const [what, text, why] of [
      ["a corrupt file", "{\"version\":1,\"completions\":[{\"circ", /not valid JSON/],
      ["an old-version file", JSON.stringify({ version: 0, models: {} }), /version 0/]
    ] as const
  ) {
    it.effect(`${what} is ignored with a warning and replaced on the next save`, () => {
      const warnings: Array<string> = []
      return Effect.gen(function*() {
        const file = path.join(yield* tempDir, "cost-models.json")
        fs.writeFileSync(file, text)
        const p = yield* predictorAt(file)
        assert.deepStrictEqual(yield* p.costModels, [])
        assert.strictEqual(warnings.length, 1)
        assert.match(warnings[0]!, why)
        assert.include(warnings[0]!, file)
        yield* p.observe(completion(0))
        assert.strictEqual(JSON.parse(fs.readFileSync(file, "utf8")).version, ModelStore.version)
      }).pipe(collectingWarnings(warnings))
    })
  }

  it.effect("an unreadable or unwritable location is logged, never a crash", () => {
    const warnings: Array<string> = []
    return Effect.gen(function*() {
      const dir = yield* tempDir
      // A directory where the file should be: reading and renaming over it both fail.
      const file = path.join(dir, "cost-models.json")
      fs.mkdirSync(path.join(file, "occupied"), { recursive: true })
      const p = yield* predictorAt(file)
      yield* p.observe(completion(0))
      assert.strictEqual((yield* p.costModels).length, 1, "learned in memory all the same")
      assert.strictEqual(warnings.length, 2, warnings.join("\n"))
      assert.match(warnings[0]!, /ignoring the stored cost models/)
      assert.match(warnings[1]!, /could not store the cost models/)
      assert.deepStrictEqual(fs.readdirSync(dir), ["cost-models.json"], "the temporary file was removed")
    }).pipe(collectingWarnings(warnings))
  })

  it("lives in Provident's cache directory by default", () => {
    assert.strictEqual(
      NodeModelStore.defaultFile({ XDG_CACHE_HOME: "/var/cache/me" }, "linux"),
      "/var/cache/me/provident/cost-models.json"
    )
    assert.match(NodeModelStore.defaultFile({}, "darwin"), /Library\/Caches\/provident\/cost-models\.json$/)
  })

  it.effect("building the layer touches nothing: the directory appears with the first save", () =>
    Effect.gen(function*() {
      const dir = path.join(yield* tempDir, "later")
      const store = yield* Effect.provide(ModelStore.ModelStore, NodeModelStore.layer({ file: path.join(dir, "m.json") }))
      assert.deepStrictEqual(yield* store.load, [])
      assert.isFalse(fs.existsSync(dir))
      yield* store.save([])
      assert.deepStrictEqual(fs.readdirSync(dir), ["m.json"])
    }))
})
