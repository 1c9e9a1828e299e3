import { assert, describe, it } from "@effect/vitest"
import { CheckpointStore } from "@provident/core/CheckpointStore"
import { Effect, Layer, Option } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as NodeCheckpointStore from "../src/NodeCheckpointStore.ts"

const fresh = () => fs.mkdtempSync(path.join(os.tmpdir(), "provident-checkpoints-"))
const storeIn = (directory: string) => Layer.fresh(NodeCheckpointStore.layer({ directory }))

describe("NodeCheckpointStore", () => {
  it.effect("keeps values, bytes included, across store instances, readable by the user only", () =>
    Effect.gen(function*() {
      const directory = fresh()
      const witness = new Uint8Array([0, 1, 2, 250, 251, 252])
      yield* Effect.flatMap(CheckpointStore, (s) => s.save("proof-1", "phase:witness", { witness, rows: 3 })).pipe(Effect.provide(storeIn(directory)))
      const restored = yield* Effect.flatMap(CheckpointStore, (s) => s.restore("proof-1", "phase:witness")).pipe(Effect.provide(storeIn(directory)))
      const value = Option.getOrThrow(restored) as { witness: Uint8Array; rows: number }
      assert.instanceOf(value.witness, Uint8Array)
      assert.deepStrictEqual([...value.witness], [...witness])
      assert.strictEqual(value.rows, 3)
      const files = fs.readdirSync(directory, { recursive: true, withFileTypes: true }).filter((d) => d.isFile())
      assert.strictEqual(files.length, 1)
      assert.strictEqual(fs.statSync(path.join(files[0]!.parentPath, files[0]!.name)).mode & 0o777, 0o600)
      assert.notInclude(files[0]!.name, "proof-1", "file names do not reveal the execution or key")
    }))

  it.effect("a missing or damaged checkpoint is none; clear forgets an execution", () => {
    const directory = fresh()
    return Effect.gen(function*() {
      const store = yield* CheckpointStore
      assert.isTrue(Option.isNone(yield* store.restore("p", "k")))
      yield* store.save("p", "k", 1)
      yield* store.save("p", "j", 2)
      yield* store.save("q", "k", 3)
      const damaged = fs.readdirSync(directory).find((d) => fs.readdirSync(path.join(directory, d)).length === 2)!
      for (const f of fs.readdirSync(path.join(directory, damaged))) fs.writeFileSync(path.join(directory, damaged, f), "{not json")
      assert.isTrue(Option.isNone(yield* store.restore("p", "k")))
      yield* store.clear("p")
      assert.isFalse(fs.existsSync(path.join(directory, damaged)))
      assert.deepStrictEqual(yield* store.restore("q", "k"), Option.some(3))
    }).pipe(Effect.provide(storeIn(directory)))
  })
})
