/** Every example runs to completion on this machine and prints what it promises. */
import { assert, describe, it } from "@effect/vitest"
import { spawnSync } from "node:child_process"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const src = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "src")
const runExample = (name: string) => spawnSync(process.execPath, ["--conditions=@provident/source", path.join(src, name)], { encoding: "utf8", timeout: 120_000 })

describe("examples", () => {
  it("01-monitor.ts prints the device class, then three live readings", () => {
    const run = runExample("01-monitor.ts")
    assert.strictEqual(run.status, 0, run.stderr)
    const lines = run.stdout.trim().split("\n")
    assert.match(lines[0]!, /^(mobile|laptop|workstation|server): memory \d+\.\d%, load \d\.\d\d$/)
    assert.strictEqual(lines.filter((l) => /^cpu \d+\.\d%, pressure (nominal|fair|serious|critical)$/.test(l)).length, 3)
  })

  it("02-allocator.ts shows a decision, priorities, pause/resume/cancel and a custom strategy", () => {
    const run = runExample("02-allocator.ts")
    assert.strictEqual(run.status, 0, run.stderr)
    const out = run.stdout
    assert.match(out, /request 1 TiB: approved=false; use a smaller circuit \(at most [\d.]+ GiB\); use the remote prover/)
    assert.include(out, "admitted in order: critical-proof, background-report")
    assert.include(out, "proof is paused")
    assert.include(out, "proof finished after 1 restart(s)")
    assert.include(out, "doomed: OperationCancelled")
    assert.include(out, "custom: batch approved=false (no background work now); interactive granted 128 MiB")
  })

  it("03-prove.ts proves square-1000 for real and verifies it", () => {
    const run = runExample("03-prove.ts")
    assert.strictEqual(run.status, 0, run.stderr)
    assert.match(run.stdout, /^verified square-1000 proof by (FULL|PROGRESSIVE)_COMPUTATION in \d+ ms, peak \d+ MB; public signal \d+…$/m)
    for (const phase of ["queued", "allocating", "witness", "proving", "done"]) assert.match(run.stdout, new RegExp(`^${phase} `, "m"))
  })

  it("04-promise.ts runs the spec's class API and closes cleanly", () => {
    const run = runExample("04-promise.ts")
    assert.strictEqual(run.status, 0, run.stderr)
    assert.match(run.stdout, /^system load [01]\.\d\d$/m)
    assert.match(run.stdout, /^1 GiB request approved: (true|false)$/m)
    assert.match(run.stdout, /^computation succeeded: true with (FULL|PROGRESSIVE)_COMPUTATION$/m)
    assert.match(run.stdout, /^prediction confidence 0\.\d\d$/m)
    assert.include(run.stdout, "callbacks received readings")
  })

  it("05-telemetry.ts prints the span tree of one execution", () => {
    const run = runExample("05-telemetry.ts")
    assert.strictEqual(run.status, 0, run.stderr)
    for (const span of ["AdaptiveExecutor.execute", "AdaptiveExecutor.attempt", "ResourceAllocator.run", "AdaptiveExecutor.phase"]) {
      assert.include(run.stdout, `name: '${span}'`)
    }
    assert.include(run.stdout + run.stderr, "result 42 by FULL_COMPUTATION")
  })
})
