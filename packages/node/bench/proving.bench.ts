/**
 * Proving on this machine, side by side on the same Groth16 proofs:
 * (a) snarkjs called directly, all at once (`Promise.all`), no budget;
 * (b) Provident with a memory budget below (a)'s peak.
 * Both sides verify every proof. BENCH_PROOFS sets how many (default 32).
 * Each side runs in a process of its own, and the whole process tree's
 * resident memory is sampled every 25 ms for its peak.
 *
 * Targets: (b)'s peak ≤ its budget; (b)'s makespan ≤ 1.15× the lower bound
 * (the longest proof, or the proofs' memory-time spread perfectly over the
 * budget, or the CPU time they measurably used spread perfectly over the
 * cores); one managed proof ≤ 1.02× one direct proof, timed alternately in a
 * third process (`proving/single.ts`). Environment: BENCH_BUDGET_FRACTION (default 0.7 of (a)'s
 * peak), BENCH_PROOFS, BENCH_WARM (the prover's warm children, default 2 as
 * in the library).
 */
import { Effect } from "effect"
import { spawn } from "node:child_process"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import * as Artifacts from "../src/Artifacts.ts"
import * as CircuitsDir from "../src/internal/circuitsDir.ts"
import { SINGLE_RUNS } from "./proving/jobs.ts"
import { sampler } from "./proving/treeRss.ts"

const here = path.dirname(fileURLToPath(import.meta.url))
const MB = 1024 * 1024

/** Runs a side in its own process, sampling its tree's memory; its JSON line and the peak. */
const side = (script: string, args: ReadonlyArray<string>) =>
  new Promise<{ readonly result: Record<string, number>; readonly peak: number; readonly composition: ReadonlyArray<number> }>((resolve, reject) => {
    const child = spawn(process.execPath, ["--conditions=@provident/source", path.join(here, "proving", script), ...args], { stdio: ["ignore", "pipe", "inherit"] })
    const memory = sampler(child.pid!)
    let out = ""
    child.stdout.on("data", (d) => (out += d))
    child.on("exit", (code) => {
      const peak = memory.stop()
      if (code !== 0) return reject(new Error(`${script} exited with ${code}`))
      resolve({ result: JSON.parse(out.trim().split("\n").at(-1)!), peak, composition: memory.composition() })
    })
  })

const circuits = await Effect.runPromise(CircuitsDir.loadAll(CircuitsDir.defaultDirectory()).pipe(Effect.provide(Artifacts.layer())))
const bySize = Object.fromEntries(circuits.map((c) => [c.constraints - 1, c]))
const paths = Object.fromEntries(circuits.map((c) => [c.constraints - 1, { wasm: c.wasm, zkey: c.keys.groth16!.zkey, vkey: c.keys.groth16!.vkey }]))

const naive = await side("naive.ts", [JSON.stringify(paths)])
const budgetMb = Math.round((naive.peak / MB) * Number(process.env.BENCH_BUDGET_FRACTION ?? 0.7))
console.log(`(a) direct, all at once: makespan ${(naive.result.makespanMs! / 1000).toFixed(1)} s, peak ${(naive.peak / MB).toFixed(0)} MB`)
const managed = await side("managed.ts", [JSON.stringify(bySize), String(budgetMb)])
const r = managed.result
console.error(`at the managed peak, MB per process (this side's process first): ${managed.composition.join(", ")}`)
console.error(`lower bound terms: longest proof ${(r.longestMs! / 1000).toFixed(1)} s, memory-time ${(r.memoryMs! / 1000).toFixed(1)} s, measured CPU time ${(r.cpuBoundMs! / 1000).toFixed(1)} s (granted cores × time held: ${(r.grantedCoresMs! / 1000).toFixed(1)} s)`)
console.log(`(b) Provident, budget ${budgetMb} MB (${r.grantBudgetMb!.toFixed(0)} MB grantable): makespan ${(r.makespanMs! / 1000).toFixed(1)} s, peak ${(managed.peak / MB).toFixed(0)} MB, lower bound ${(r.lowerBoundMs! / 1000).toFixed(1)} s (${(r.makespanMs! / r.lowerBoundMs!).toFixed(2)}×; target ≤ 1.15×)`)
const single = await side("single.ts", [JSON.stringify(bySize)])
const overhead = single.result.managedMs! / single.result.directMs!
console.log(`one proof of square-4000, alternately (medians of ${SINGLE_RUNS}): direct ${single.result.directMs!.toFixed(0)} ms, managed ${single.result.managedMs!.toFixed(0)} ms (${overhead.toFixed(3)}×; target ≤ 1.02×)`)
console.log(`peak within budget: ${managed.peak <= budgetMb * MB}; makespan within 1.15× the lower bound: ${r.makespanMs! <= 1.15 * r.lowerBoundMs!}; naive all-at-once makespan for comparison: ${(naive.result.makespanMs! / 1000).toFixed(1)} s`)
console.log(JSON.stringify({
  bench: "proving",
  naivePeakMb: Math.round(naive.peak / MB),
  managedPeakMb: Math.round(managed.peak / MB),
  budgetMb,
  managedMakespanS: Number((r.makespanMs! / 1000).toFixed(2)),
  lowerBoundS: Number((r.lowerBoundMs! / 1000).toFixed(2)),
  singleOverhead: Number(overhead.toFixed(3)),
  naiveMakespanS: Number((naive.result.makespanMs! / 1000).toFixed(2)),
  heldTimeBoundS: Number((r.grantedCoresMs! / 1000).toFixed(2))
}))
