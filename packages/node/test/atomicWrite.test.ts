import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { writeFileAtomically } from "../src/internal/atomicWrite.ts"

describe("writeFileAtomically", () => {
  it.effect("writes, replaces, keeps the mode asked for and leaves no temporary file", () =>
    Effect.gen(function*() {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "provident-atomic-"))
      const file = path.join(dir, "state.json")
      yield* writeFileAtomically(file, "first", { mode: 0o600 })
      assert.strictEqual(fs.readFileSync(file, "utf8"), "first")
      if (process.platform !== "win32") assert.strictEqual(fs.statSync(file).mode & 0o777, 0o600)
      yield* writeFileAtomically(file, "second")
      assert.strictEqual(fs.readFileSync(file, "utf8"), "second")
      assert.deepStrictEqual(fs.readdirSync(dir), ["state.json"])
      fs.rmSync(dir, { recursive: true, force: true })
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.effect("fails with the platform error when the file cannot be put in place, and cleans up", () =>
    Effect.gen(function*() {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "provident-atomic-"))
      // The target is a directory: the temporary file is written, the rename fails.
      const target = path.join(dir, "taken")
      fs.mkdirSync(path.join(target, "inside"), { recursive: true })
      const error = yield* Effect.flip(writeFileAtomically(target, "text"))
      assert.strictEqual(error._tag, "PlatformError")
      assert.deepStrictEqual(fs.readdirSync(dir), ["taken"], "the temporary file is removed")
      fs.rmSync(dir, { recursive: true, force: true })
    }).pipe(Effect.provide(NodeFileSystem.layer)))
})
