/** A circuits directory with damaged circuits beside good ones: the good ones load, the damaged are skipped, saying why. */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Logger } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as CircuitsDir from "../src/internal/circuitsDir.ts"
import { damagedCopy, examples } from "./damagedCircuits.ts"

/** Runs `effect` collecting the warnings it logs. */
const withWarnings = <A, E>(effect: Effect.Effect<A, E>) =>
  Effect.gen(function*() {
    const warnings: Array<string> = []
    const logger = Logger.make(({ logLevel, message }) => {
      if (logLevel === "Warn") warnings.push((Array.isArray(message) ? message : [message]).map(String).join(" "))
    })
    const result = yield* effect.pipe(Effect.provide(Logger.layer([logger])), Effect.result)
    return { result, warnings }
  })

describe("circuits directory", () => {
  const dir = damagedCopy()

  it.effect("loads the intact circuits and skips the damaged ones, naming each and why", () =>
    Effect.gen(function*() {
      const { result, warnings } = yield* withWarnings(CircuitsDir.scan(dir))
      assert.strictEqual(result._tag, "Success")
      if (result._tag !== "Success") return
      assert.deepStrictEqual(result.success.circuits.map((c) => c.id), ["square-4000"])
      assert.deepStrictEqual(result.success.skipped.map((s) => [s.id, s.reason]), [
        ["square-1000", "groth16.zkey fails its hash"],
        ["square-16000", "circuit.wasm is missing"]
      ])
      assert.lengthOf(warnings, 2)
      assert.match(warnings[0]!, /skipping circuit square-1000 .*: groth16\.zkey fails its hash/)
      assert.match(warnings[1]!, /skipping circuit square-16000 .*: circuit\.wasm is missing/)
    }))

  it.effect("one circuit by id loads beside a damaged one; the damaged one by id fails saying why", () =>
    Effect.gen(function*() {
      const good = yield* withWarnings(CircuitsDir.loadOne("square-4000", dir))
      assert.strictEqual(good.result._tag, "Success")
      if (good.result._tag === "Success") assert.strictEqual(good.result.success.id, "square-4000")
      const bad = yield* withWarnings(CircuitsDir.loadOne("square-1000", dir))
      assert.strictEqual(bad.result._tag, "Failure")
      if (bad.result._tag === "Failure") assert.match(bad.result.failure.message, /circuit square-1000 in .* is damaged: groth16\.zkey fails its hash/)
      const direct = yield* withWarnings(CircuitsDir.loadOne(path.join(dir, "square-16000"), dir))
      if (direct.result._tag === "Failure") assert.match(direct.result.failure.message, /circuit\.wasm is missing/)
      else assert.fail("a damaged directory loaded")
    }))

  it.effect("an unreadable manifest skips that directory only", () =>
    Effect.gen(function*() {
      const other = fs.mkdtempSync(path.join(os.tmpdir(), "provident-circuits-"))
      fs.cpSync(path.join(examples, "square-1000"), path.join(other, "square-1000"), { recursive: true })
      fs.mkdirSync(path.join(other, "broken"))
      fs.writeFileSync(path.join(other, "broken", "manifest.json"), "{ not json")
      const { result, warnings } = yield* withWarnings(CircuitsDir.loadAll(other))
      assert.deepStrictEqual(result._tag === "Success" ? result.success.map((c) => c.id) : [], ["square-1000"])
      assert.match(warnings.join("\n"), /skipping circuit broken .*manifest\.json is unreadable or invalid/)
    }))
})
