/**
 * `provident prove` with a cache it cannot write (here a file where the
 * cache directory should be: root ignores permission bits, not that): the
 * proof is still made, stdout is still the proof's JSON alone (logs go to
 * stderr, so `prove … > proof.json` works), and stderr says the cost models
 * could not be stored.
 */
import { assert, describe, it } from "@effect/vitest"
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { square1000Output } from "./serverFixtures.ts"

const bin = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "src", "bin.ts")

describe("provident prove with an unwritable cache", () => {
  it("proves, keeps stdout to the proof, and warns on stderr that nothing was stored", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "provident-cli-ro-"))
    const notADirectory = path.join(dir, "cache")
    fs.writeFileSync(notADirectory, "")
    const input = path.join(dir, "input.json")
    fs.writeFileSync(input, JSON.stringify({ x: "5" }))
    const run = spawnSync(process.execPath, ["--conditions=@provident/source", bin, "prove", "square-1000", "--input", input], {
      encoding: "utf8",
      timeout: 120_000,
      env: { ...process.env, XDG_CACHE_HOME: notADirectory }
    })
    assert.strictEqual(run.status, 0, run.stderr)
    const proof = JSON.parse(run.stdout) as { verified: boolean; publicSignals: ReadonlyArray<string> }
    assert.isTrue(proof.verified)
    assert.strictEqual(proof.publicSignals[0], square1000Output(5n))
    assert.match(run.stderr, /could not store the cost models/)
  })
})
