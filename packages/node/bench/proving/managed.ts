/**
 * Side (b) of the proving benchmark, in a process of its own: the same
 * proofs through Provident (executor, allocator, prover children) under a
 * memory budget for the whole process tree. The allocator gets the budget
 * minus what this process holds: each grant is a whole prover child's peak
 * (`ProofComputation.defaultProfile` declares the child's own memory too),
 * and the warm children are where granted jobs run, so counting them as
 * overhead as well would count them twice. Idle, they hold less than the
 * grants they serve (~130 MB against ~230 MB), so the tree stays within
 * this process plus the grants.
 * Prints one JSON line: `{ makespanMs, lowerBoundMs, grantBudgetMb, … }`.
 */
import { AdaptiveExecutor, ProofComputation, ResourceMonitor } from "@provident/core"
import type { CircuitArtifacts } from "@provident/core/Prover"
import { Effect } from "effect"
import * as NodeProvident from "../../src/NodeProvident.ts"
import * as NodeSnarkjsProver from "../../src/NodeSnarkjsProver.ts"
import { inputFor, sizes } from "./jobs.ts"
import { treeRss } from "./treeRss.ts"

const circuits = JSON.parse(process.argv[2]!) as Record<string, CircuitArtifacts>
const budgetBytes = Number(process.argv[3]) * 1024 * 1024
const MB = 1024 * 1024

const run = (budgetForGrants: number) =>
  Effect.gen(function*() {
    const executor = yield* AdaptiveExecutor.AdaptiveExecutor
    const prove = (size: number, i: number) =>
      executor.execute(`bench-${i}`, ProofComputation.computation(circuits[size]!, "groth16", inputFor(i)),
        ProofComputation.defaultProfile(circuits[size]!), "high", {
          circuit: { circuitId: circuits[size]!.id, circuitFamily: "square", prover: "snarkjs-groth16" },
          strategies: ["FULL_COMPUTATION"]
        }).pipe(Effect.tap((r) => (r.success ? Effect.void : Effect.die(new Error(JSON.stringify(r.attempts))))))
    yield* prove(1000, 99) // warm, as side (a)
    const start = performance.now()
    const results = yield* Effect.forEach(sizes, (size, i) => prove(size, i), { concurrency: "unbounded" })
    const makespanMs = performance.now() - start
    // No schedule beats the longest proof, nor the proofs' memory-time spread perfectly over the
    // budget, nor the CPU time they measurably used spread perfectly over the cores.
    const runs = results.map((r) => ({
      ms: r.elapsedTime - r.waitTime,
      bytes: r.resourcesUsed.peakMemory ?? r.resourcesUsed.memory,
      cores: r.resourcesUsed.cores,
      cpuMs: r.resourcesUsed.cpuMs ?? (r.elapsedTime - r.waitTime) * r.resourcesUsed.cores
    }))
    const cores = (yield* Effect.map(ResourceMonitor.ResourceMonitor, (m) => m.device.effectiveCores))
    const longestMs = Math.max(...runs.map((r) => r.ms))
    const memoryMs = runs.reduce((a, r) => a + r.ms * r.bytes, 0) / budgetForGrants
    const cpuBoundMs = runs.reduce((a, r) => a + r.cpuMs, 0) / cores
    // For comparison: the cores as granted (held), not as used.
    const grantedCoresMs = runs.reduce((a, r) => a + r.ms * r.cores, 0) / cores
    const lowerBoundMs = Math.max(longestMs, memoryMs, cpuBoundMs)
    return { makespanMs, lowerBoundMs, longestMs, memoryMs, cpuBoundMs, grantedCoresMs, grantBudgetMb: budgetForGrants / MB }
  })

const main = Effect.gen(function*() {
  const probe = yield* Effect.flatMap(ResourceMonitor.ResourceMonitor, (m) => m.latest).pipe(Effect.provide(NodeProvident.layerMonitor()))
  const capacity = probe.memory.limit ?? probe.memory.total
  // The library's default warm children (BENCH_WARM).
  const prover = NodeSnarkjsProver.layer({ warm: Number(process.env.BENCH_WARM ?? 2) })
  return yield* Effect.gen(function*() {
    yield* Effect.sleep("2 seconds") // let the warm children load snarkjs
    // What this process holds before any proof: not grantable.
    const overhead = process.memoryUsage().rss
    // Process isolation has a floor: if the budget leaves less than one proof's
    // need after the overhead, grant one proof's need anyway (and the peak will
    // exceed the budget: the benchmark reports it).
    const oneProof = Math.max(...Object.values(circuits).map((c) => {
      const p = ProofComputation.defaultProfile(c)
      return p.circuitMemoryRequirements + Math.max(p.witnessMemoryRequirements, p.provingMemoryRequirements)
    }))
    const budgetForGrants = Math.max(oneProof, budgetBytes - overhead)
    console.error(`this process before any proof: ${(overhead / MB).toFixed(0)} MB; with its idle prover children: ${(treeRss(process.pid) / MB).toFixed(0)} MB`)
    return yield* run(budgetForGrants).pipe(Effect.provide(NodeProvident.layer({
      allocator: { strategy: "aggressive", maxMemoryPercentage: Math.min(100, (budgetForGrants / capacity) * 100), eviction: false },
      executor: { retries: 0, timeout: 600_000 },
      predictor: { enableAutomaticModelUpdate: false }
    })))
  }).pipe(Effect.provide(prover))
})

Effect.runPromise(main).then(
  (result) => console.log(JSON.stringify(result)),
  (error) => {
    console.error(error)
    process.exit(1)
  }
)
