/** The `provident` executable, run as a user would run it. */
import { assert, describe, it } from "@effect/vitest"
import { DeviceInfo, ResourceSnapshot } from "@provident/core"
import { Effect } from "effect"
import { spawnSync } from "node:child_process"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const bin = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "src", "bin.ts")
const provident = (...args: ReadonlyArray<string>) =>
  spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", timeout: 60_000 })

describe("provident doctor", () => {
  it.effect("--json prints the device, then readings that decode", () =>
    Effect.gen(function*() {
      const run = provident("doctor", "--seconds", "1", "--interval", "250", "--json")
      assert.strictEqual(run.status, 0, run.stderr)
      const lines = run.stdout.trim().split("\n").map((l) => JSON.parse(l))
      const device = yield* DeviceInfo.decode(lines[0].device)
      assert.strictEqual(device.platform, process.platform)
      assert.strictEqual(lines.length, 1 + 1 + 4, "the device, the first reading, 4 live readings")
      for (const line of lines.slice(1)) {
        const snapshot = yield* ResourceSnapshot.decode(line.snapshot)
        assert.isFalse(snapshot.stale)
        assert.isTrue(line.load >= 0 && line.load <= 1)
      }
    }))

  it("prints a readable report", () => {
    const run = provident("doctor", "--seconds", "0")
    assert.strictEqual(run.status, 0, run.stderr)
    for (const heading of ["Device", "Container limits", "Readings at", "memory", "pressure"]) {
      assert.include(run.stdout, heading)
    }
  })

  it("rejects an invalid flag, naming it", () => {
    const run = provident("doctor", "--interval", "5")
    assert.notStrictEqual(run.status, 0)
    assert.match(run.stdout + run.stderr, /interval/)
  })
})
