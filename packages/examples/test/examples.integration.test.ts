/** Every example runs to completion on this machine and prints what it promises. */
import { assert, describe, it } from "@effect/vitest"
import { spawnSync } from "node:child_process"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const src = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "src")
const runExample = (name: string) => spawnSync(process.execPath, [path.join(src, name)], { encoding: "utf8", timeout: 60_000 })

describe("examples", () => {
  it("monitor.ts prints the device class, then three live readings", () => {
    const run = runExample("monitor.ts")
    assert.strictEqual(run.status, 0, run.stderr)
    const lines = run.stdout.trim().split("\n")
    assert.match(lines[0]!, /^(mobile|laptop|workstation|server): memory \d+\.\d%, load \d\.\d\d$/)
    assert.strictEqual(lines.filter((l) => /^cpu \d+\.\d%, pressure (nominal|fair|serious|critical)$/.test(l)).length, 3)
  })

  it("allocator.ts shows a decision, priorities, pause/resume/cancel and a custom strategy", () => {
    const run = runExample("allocator.ts")
    assert.strictEqual(run.status, 0, run.stderr)
    const out = run.stdout
    assert.match(out, /request 1 TiB: approved=false; use a smaller circuit \(at most [\d.]+ GiB\); use the remote prover/)
    assert.include(out, "admitted in order: critical-proof, background-report")
    assert.include(out, "proof is paused")
    assert.include(out, "proof finished after 1 restart(s)")
    assert.include(out, "doomed: OperationCancelled")
    assert.include(out, "custom: batch approved=false (no background work now); interactive granted 128 MiB")
  })
})
