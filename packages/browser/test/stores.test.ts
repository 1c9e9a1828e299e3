/**
 * The IndexedDB stores in real Chromium: values round-trip (bytes stay
 * bytes), models and results survive the layer (a reload) while sealed
 * checkpoints do not, LRU eviction, and each store falls back to memory,
 * with a warning, without IndexedDB.
 */
import { assert, describe, it } from "@effect/vitest"
import { ResourceMonitor } from "@provident/core"
import { CheckpointStore } from "@provident/core/CheckpointStore"
import * as ModelStore from "@provident/core/ModelStore"
import * as ResourcePredictor from "@provident/core/ResourcePredictor"
import { ResultCache } from "@provident/core/ResultCache"
import { SimulatedDevice } from "@provident/core/testing"
import { Effect, Layer, Logger, Option } from "effect"
import * as BrowserCheckpointStore from "../src/BrowserCheckpointStore.ts"
import * as BrowserModelStore from "../src/BrowserModelStore.ts"
import * as BrowserResultCache from "../src/BrowserResultCache.ts"
import * as Idb from "../src/internal/idb.ts"

/** A database of its own, deleted when the test's scope closes. */
const freshDatabase = Effect.acquireRelease(
  Effect.sync(() => `provident-test-${crypto.randomUUID()}`),
  (name) => Effect.promise(() => new Promise<void>((resolve) => {
    const request = indexedDB.deleteDatabase(name)
    request.onsuccess = request.onerror = request.onblocked = () => resolve()
  }))
)

/** Runs `test` with its warnings collected into `warnings`. */
const collectingWarnings = (warnings: Array<string>) =>
  Effect.provide(Logger.layer([Logger.make((o) => void (o.logLevel === "Warn" && warnings.push(String(o.message))))]))

/** Builds `layer` in a scope of its own and runs `f` with the service: closing it is a page reload. */
const using = <I, S, A, E>(layer: Layer.Layer<I>, tag: { readonly key: string } & Effect.Effect<S, never, I>, f: (s: S) => Effect.Effect<A, E>) =>
  Effect.scoped(Effect.flatMap(Layer.build(layer), (context) => Effect.flatMap(Effect.provide(tag, context), f)))

const completion = (i: number) => ({
  circuitId: `square-${1000 * (i + 1)}`,
  circuitFamily: "square",
  prover: "groth16",
  circuitSize: 1000 * (i + 1),
  strategy: "full",
  cores: 2,
  duration: 1000 * (i + 1),
  peakMemory: 100_000_000 * (i + 1)
})

describe("BrowserModelStore", () => {
  it.live("learned cost models survive a reload through IndexedDB", () =>
    Effect.gen(function*() {
      const databaseName = yield* freshDatabase
      const store = BrowserModelStore.layer({ databaseName })
      // One page: a predictor learns five completions, then the page goes away.
      yield* Effect.gen(function*() {
        const predictor = yield* ResourcePredictor.make({ enableAutomaticModelUpdate: false })
        for (let i = 0; i < 5; i++) yield* predictor.observe(completion(i))
      }).pipe(Effect.provide(Layer.merge(store, ResourceMonitor.layerTest(SimulatedDevice.laptop))), Effect.scoped)
      // The next page reads them back.
      const loaded = yield* using(store, ModelStore.ModelStore, (s) => s.load)
      assert.strictEqual(loaded.length, 5)
      assert.deepInclude(loaded[4]!, completion(4))
    }).pipe(Effect.scoped))

  it.live("damaged text is ignored with a warning; the models are relearnt", () =>
    Effect.gen(function*() {
      const databaseName = yield* freshDatabase
      const db = yield* Idb.open({ databaseName })
      yield* BrowserModelStore.backend(db).write("{ not json")
      const warnings: Array<string> = []
      const loaded = yield* using(BrowserModelStore.layer({ databaseName }), ModelStore.ModelStore, (s) => s.load).pipe(collectingWarnings(warnings))
      assert.deepStrictEqual(loaded, [])
      assert.match(warnings.join("\n"), /ignoring the stored cost models at IndexedDB provident-test-.*\/models\/cost-models: it is not valid JSON/)
    }).pipe(Effect.scoped))
})

describe("BrowserCheckpointStore", () => {
  it.live("bytes, bigints and nested values round-trip; missing is none", () =>
    Effect.gen(function*() {
      const databaseName = yield* freshDatabase
      const layer = BrowserCheckpointStore.layer({ databaseName })
      const witness = Uint8Array.from({ length: 4096 }, (_, i) => (i * 7) % 256)
      const [bytes, state, nothing, missing] = yield* using(layer, CheckpointStore, (store) =>
        Effect.gen(function*() {
          yield* store.save("exec-1", "witness", witness)
          yield* store.save("exec-1", "state", { round: 3n, parts: [new Uint8Array([1, 2]), "x"] })
          yield* store.save("exec-1", "nothing", undefined)
          return yield* Effect.all([
            store.restore("exec-1", "witness"),
            store.restore("exec-1", "state"),
            store.restore("exec-1", "nothing"),
            store.restore("exec-1", "absent")
          ])
        }))
      const restored = Option.getOrThrow(bytes)
      assert.instanceOf(restored, Uint8Array)
      assert.deepStrictEqual(restored, witness)
      assert.deepStrictEqual(Option.getOrThrow(state), { round: 3n, parts: [new Uint8Array([1, 2]), "x"] })
      assert.isTrue(Option.isSome(nothing), "a stored undefined is a checkpoint")
      assert.isTrue(Option.isNone(missing))
    }).pipe(Effect.scoped))

  it.live("what IndexedDB holds is sealed: no plaintext, and a reload (another key) cannot open it", () =>
    Effect.gen(function*() {
      const databaseName = yield* freshDatabase
      const layer = BrowserCheckpointStore.layer({ databaseName })
      const secret = "private-input-31337"
      yield* using(layer, CheckpointStore, (store) => store.save("exec-1", "witness", { secret, bytes: new TextEncoder().encode(secret) }))
      const db = yield* Idb.open({ databaseName })
      const raw = yield* Idb.request(db, "checkpoints", "readonly", (store) => store.getAll())
      assert.strictEqual(raw.length, 1)
      const stored = new Uint8Array((raw[0] as { data: ArrayBuffer }).data)
      const asText = new TextDecoder("latin1").decode(stored)
      assert.notInclude(asText, secret)
      assert.notInclude(asText, btoa(secret).slice(0, 12))
      const afterReload = yield* using(layer, CheckpointStore, (store) => store.restore("exec-1", "witness"))
      assert.isTrue(Option.isNone(afterReload), "the key died with the page")
    }).pipe(Effect.scoped))

  it.live("opening sweeps older versions' plaintext entries and sealed ones past maxAge, keeping younger ones", () =>
    Effect.gen(function*() {
      const databaseName = yield* freshDatabase
      const db = yield* Idb.open({ databaseName })
      yield* Idb.request(db, "checkpoints", "readwrite", (store) => store.put({ value: { witness: "plaintext" } }, ["old-version", "phase:witness"]))
      const sealedAt = (savedAt: number) => ({ iv: new Uint8Array(12), data: new ArrayBuffer(8), savedAt })
      yield* Idb.request(db, "checkpoints", "readwrite", (store) => store.put(sealedAt(Date.now() - 2 * 3600_000), ["stale", "k"]))
      yield* Idb.request(db, "checkpoints", "readwrite", (store) => store.put(sealedAt(Date.now() - 60_000), ["other-tab", "k"]))
      yield* using(BrowserCheckpointStore.layer({ databaseName, maxAge: "1 hour" }), CheckpointStore, () => Effect.void)
      const keys = yield* Idb.request(db, "checkpoints", "readonly", (store) => store.getAllKeys())
      assert.deepStrictEqual(keys, [["other-tab", "k"]])
    }).pipe(Effect.scoped))

  it.live("clear forgets one execution only, even one whose id is a prefix of another's", () =>
    Effect.gen(function*() {
      const databaseName = yield* freshDatabase
      yield* using(BrowserCheckpointStore.layer({ databaseName }), CheckpointStore, (store) =>
        Effect.gen(function*() {
          yield* store.save("a", "k", 1)
          yield* store.save("ab", "k", 2)
          yield* store.save("a", "", 3)
          yield* store.clear("a")
          assert.isTrue(Option.isNone(yield* store.restore("a", "k")))
          assert.isTrue(Option.isNone(yield* store.restore("a", "")))
          assert.deepStrictEqual(yield* store.restore("ab", "k"), Option.some(2))
        }))
    }).pipe(Effect.scoped))

  it.live("a value that cannot be stored fails with CheckpointError, which does not quote it", () =>
    Effect.gen(function*() {
      const databaseName = yield* freshDatabase
      const error = yield* using(BrowserCheckpointStore.layer({ databaseName }), CheckpointStore, (store) =>
        Effect.flip(store.save("exec", "key", { secret: 987654321, f: () => 987654321 })))
      assert.strictEqual(error._tag, "CheckpointError")
      assert.strictEqual(error.operation, "save")
      assert.include(error.message, "DataCloneError")
      assert.notInclude(error.message, "987654321")
    }).pipe(Effect.scoped))
})

describe("BrowserResultCache", () => {
  it.live("keeps the most recently used entries and survives a reload", () =>
    Effect.gen(function*() {
      const databaseName = yield* freshDatabase
      const layer = BrowserResultCache.layer({ databaseName, capacity: 2 })
      yield* using(layer, ResultCache, (cache) =>
        Effect.gen(function*() {
          yield* cache.set("a", { proof: new Uint8Array([1]) })
          yield* cache.set("b", "B")
          assert.isTrue(Option.isSome(yield* cache.get("a"))) // a is now more recent than b
          yield* cache.set("c", "C")
        }))
      const [a, b, c] = yield* using(layer, ResultCache, (cache) => Effect.all([cache.get("a"), cache.get("b"), cache.get("c")]))
      assert.deepStrictEqual(Option.getOrThrow(a), { proof: new Uint8Array([1]) })
      assert.isTrue(Option.isNone(b), "the least recently used entry was dropped")
      assert.deepStrictEqual(c, Option.some("C"))
    }).pipe(Effect.scoped))

  it.live("an IndexedDB failure is a miss with a warning, never a failure", () =>
    Effect.gen(function*() {
      const databaseName = yield* freshDatabase
      const warnings: Array<string> = []
      const result = yield* using(BrowserResultCache.layer({ databaseName }), ResultCache, (cache) =>
        Effect.gen(function*() {
          yield* cache.set("k", () => "functions cannot be cloned")
          return yield* cache.get("k")
        })).pipe(collectingWarnings(warnings))
      assert.isTrue(Option.isNone(result))
      assert.match(warnings.join("\n"), /BrowserResultCache: set: .*DataCloneError/)
    }).pipe(Effect.scoped))
})

describe("without IndexedDB", () => {
  it.live("each store keeps its data in memory, and says so once", () =>
    Effect.gen(function*() {
      const warnings: Array<string> = []
      const options = { indexedDB: null }
      const layer = Layer.mergeAll(
        BrowserModelStore.layer(options),
        BrowserCheckpointStore.layer(options),
        BrowserResultCache.layer(options)
      )
      yield* Effect.gen(function*() {
        const checkpoints = yield* CheckpointStore
        yield* checkpoints.save("e", "k", new Uint8Array([9]))
        assert.deepStrictEqual(yield* checkpoints.restore("e", "k"), Option.some(new Uint8Array([9])))
        const cache = yield* ResultCache
        yield* cache.set("k", 1)
        assert.deepStrictEqual(yield* cache.get("k"), Option.some(1))
        const models = yield* ModelStore.ModelStore
        yield* models.save([{ ...completion(0), observedAt: 1 }])
        assert.strictEqual((yield* models.load).length, 1)
      }).pipe(Effect.provide(layer), collectingWarnings(warnings))
      assert.strictEqual(warnings.length, 3)
      assert.match(warnings.join("\n"), /BrowserModelStore: IndexedDB is not available; keeping learned cost models in memory/)
      assert.match(warnings.join("\n"), /BrowserCheckpointStore: .*keeping checkpoints in memory/)
      assert.match(warnings.join("\n"), /BrowserResultCache: .*keeping results in memory/)
    }))
})
