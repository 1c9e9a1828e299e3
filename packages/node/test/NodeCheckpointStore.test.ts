import { assert, describe, it } from "@effect/vitest"
import { CheckpointStore } from "@provident/core/CheckpointStore"
import { Effect, Layer, Option } from "effect"
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as NodeCheckpointStore from "../src/NodeCheckpointStore.ts"

const fresh = () => fs.mkdtempSync(path.join(os.tmpdir(), "provident-checkpoints-"))
const storeIn = (directory: string, options: NodeCheckpointStore.Options = {}) => Layer.fresh(NodeCheckpointStore.layer({ directory, ...options }))
const filesUnder = (directory: string) =>
  fs.readdirSync(directory, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => path.join(d.parentPath, d.name))

/** The pid of a process that has exited. */
const deadPid = () => spawnSync(process.execPath, ["-e", "0"]).pid!

describe("NodeCheckpointStore", () => {
  it.effect("keeps values, bytes included; on disk nothing reveals the execution, the key or the value", () => {
    const directory = fresh()
    return Effect.gen(function*() {
      const store = yield* CheckpointStore
      const witness = new Uint8Array([0, 1, 2, 250, 251, 252])
      yield* store.save("proof-1", "phase:witness", { witness, secret: "hunter2-private-input" })
      const value = Option.getOrThrow(yield* store.restore("proof-1", "phase:witness")) as { witness: Uint8Array; secret: string }
      assert.instanceOf(value.witness, Uint8Array)
      assert.deepStrictEqual([...value.witness], [...witness])
      assert.strictEqual(value.secret, "hunter2-private-input")
      const files = filesUnder(directory)
      assert.strictEqual(files.length, 2, "the checkpoint and its directory's owner record")
      for (const file of files) {
        assert.strictEqual(fs.statSync(file).mode & 0o777, 0o600)
        const text = fs.readFileSync(file, "utf8")
        for (const plain of ["hunter2", Buffer.from("hunter2-private-input").toString("base64").slice(0, 12), "proof-1", "witness"]) {
          assert.notInclude(text, plain, `${path.basename(file)} holds no plaintext`)
          assert.notInclude(file, plain)
        }
      }
      assert.strictEqual(fs.statSync(path.dirname(files[0]!)).mode & 0o777, 0o700)
    }).pipe(Effect.provide(storeIn(directory)))
  })

  it.effect("another store (another process) cannot restore what this one saved, even from the same directory", () =>
    Effect.gen(function*() {
      const directory = fresh()
      yield* Effect.flatMap(CheckpointStore, (s) => s.save("proof-1", "phase:witness", { x: 7 })).pipe(Effect.provide(storeIn(directory)))
      const elsewhere = yield* Effect.flatMap(CheckpointStore, (s) => s.restore("proof-1", "phase:witness")).pipe(Effect.provide(storeIn(directory)))
      assert.isTrue(Option.isNone(elsewhere))
    }))

  it.effect("a missing, damaged or moved checkpoint is none; clear forgets an execution", () => {
    const directory = fresh()
    return Effect.gen(function*() {
      const store = yield* CheckpointStore
      assert.isTrue(Option.isNone(yield* store.restore("p", "k")))
      yield* store.save("p", "k", 1)
      yield* store.save("p", "j", 2)
      yield* store.save("q", "k", 3)
      const dirs = fs.readdirSync(directory).map((d) => path.join(directory, d))
      const p = dirs.find((d) => fs.readdirSync(d).length === 3)!
      const q = dirs.find((d) => d !== p)!
      const [pk, pj] = fs.readdirSync(p).filter((f) => f !== "owner.json")
      // Moved: j's sealed value in k's place does not open (it is authenticated with its slot).
      fs.copyFileSync(path.join(p, pj!), path.join(p, pk!))
      assert.isTrue(Option.isNone(yield* store.restore("p", "k")) || Option.isNone(yield* store.restore("p", "j")))
      for (const f of fs.readdirSync(p)) if (f !== "owner.json") fs.writeFileSync(path.join(p, f), "{not json")
      assert.isTrue(Option.isNone(yield* store.restore("p", "j")))
      yield* store.clear("p")
      assert.isFalse(fs.existsSync(p))
      assert.isTrue(fs.existsSync(q))
      assert.deepStrictEqual(yield* store.restore("q", "k"), Option.some(3))
    }).pipe(Effect.provide(storeIn(directory)))
  })

  // Live clock: directory ages are compared with the real time their mtimes were written at.
  it.live("at start-up it removes what dead processes of this host left, older versions' plaintext and old leftovers; it keeps live ones", () =>
    Effect.gen(function*() {
      const directory = fresh()
      const leftover = (name: string, owner: unknown, ageHours = 0) => {
        const dir = path.join(directory, name)
        fs.mkdirSync(dir)
        fs.writeFileSync(path.join(dir, "x.json"), "sealed")
        if (owner !== undefined) fs.writeFileSync(path.join(dir, "owner.json"), JSON.stringify(owner))
        const t = new Date(Date.now() - ageHours * 3600_000)
        fs.utimesSync(dir, t, t)
        return dir
      }
      const host = os.hostname()
      const dead = leftover("dead", { host, pid: deadPid() })
      const live = leftover("live", { host, pid: process.ppid })
      const otherHostFresh = leftover("other-fresh", { host: "elsewhere", pid: 1 }, 1)
      const otherHostOld = leftover("other-old", { host: "elsewhere", pid: 1 }, 30)
      const unownedOld = leftover("unowned-old", undefined, 0.1)
      yield* Effect.flatMap(CheckpointStore, (s) => s.save("mine", "k", 1)).pipe(Effect.provide(storeIn(directory)))
      assert.isFalse(fs.existsSync(dead), "a dead process's leftover")
      assert.isFalse(fs.existsSync(otherHostOld))
      assert.isFalse(fs.existsSync(unownedOld))
      assert.isTrue(fs.existsSync(live), "a live process's checkpoints")
      assert.isTrue(fs.existsSync(otherHostFresh), "younger than maxAge")
      // A second store of this process does not remove the first one's live checkpoints.
      yield* Effect.provide(Effect.void, storeIn(directory, { maxAge: 0 }))
      assert.strictEqual(fs.readdirSync(directory).filter((d) => !["live", "other-fresh"].includes(d)).length, 1, "this process's own directory stays")
    }))
})

describe("isLeftover", () => {
  const self = { host: "h", pid: 10 }
  const alive = (pid: number) => pid === 10 || pid === 11
  it("this process's directories never; a dead owner on this host at once; anything else after maxAge", () => {
    assert.isFalse(NodeCheckpointStore.isLeftover(self, 1e12, 1000, self, alive))
    assert.isTrue(NodeCheckpointStore.isLeftover({ host: "h", pid: 12 }, 0, 1000, self, alive))
    assert.isFalse(NodeCheckpointStore.isLeftover({ host: "h", pid: 11 }, 999, 1000, self, alive))
    assert.isTrue(NodeCheckpointStore.isLeftover({ host: "h", pid: 11 }, 1001, 1000, self, alive))
    assert.isFalse(NodeCheckpointStore.isLeftover({ host: "g", pid: 12 }, 999, 1000, self, alive))
    assert.isTrue(NodeCheckpointStore.isLeftover(undefined, 1001, 1000, self, alive))
    assert.isFalse(NodeCheckpointStore.isLeftover(undefined, 59_000, 3_600_000, self, alive), "a minute's grace for a directory being made")
    assert.isTrue(NodeCheckpointStore.isLeftover(undefined, 61_000, 3_600_000, self, alive), "an older version's plaintext, soon")
  })
})
