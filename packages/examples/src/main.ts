/**
 * The main job (`npm start`): a dozen real snarkjs proofs (Groth16 and
 * PLONK, three circuit sizes, all five priorities) on this machine under
 * Provident, with a memory budget below what running them all at once would
 * take. A live view shows every job; midway a memory-pressure spike is
 * injected into the probe's readings, eviction pauses background work and
 * resumes it from its checkpoint (the witness) when the spike passes. The
 * summary compares what the predictor expected with what happened, and the
 * makespan with a lower bound no schedule could beat. Every proof is
 * verified; the exit code is non-zero if any failed.
 *
 * Flags: `--budget-mb N` (default: half the naive concurrent peak, at least
 * the largest job), `--no-spike`.
 */
import { NodeRuntime } from "@effect/platform-node"
import { AdaptiveExecutor, ProofComputation, ResourceAllocator, ResourceMonitor, ResourcePredictor } from "@provident/core"
import type { OperationEvent } from "@provident/core/OperationStatus"
import type { CircuitArtifacts } from "@provident/core/Prover"
import { Artifacts, Doctor, NodeProvident, NodeResourceProbe, NodeSnarkjsProver } from "@provident/node"
import { Clock, Console, Effect, Fiber, Layer, Schedule, Stream } from "effect"
import * as circuits from "./circuits.ts"
import * as Spike from "./job/spike.ts"
import * as Summary from "./job/summary.ts"
import * as View from "./job/view.ts"
import { inputFor, type Job, jobs } from "./job/workload.ts"

const MB = 1024 * 1024
const args = process.argv.slice(2)
const flag = (name: string) => {
  const i = args.indexOf(name)
  return i === -1 ? undefined : args[i + 1]
}
const budgetFlag = flag("--budget-mb")
const withSpike = !args.includes("--no-spike")

const keyOf = (circuit: CircuitArtifacts, job: Job) => ({
  circuitId: circuit.id,
  circuitFamily: circuit.family,
  prover: `snarkjs-${job.protocol}`
})

/** The circuits, prebuilt (committed) or built and cached on first use. */
const loadCircuits = Effect.gen(function*() {
  const artifacts = yield* Artifacts.Artifacts
  const built = new Map<number, CircuitArtifacts>()
  for (const spec of circuits.defaults) {
    const circuit = yield* artifacts.build(spec, {
      onProgress: (p) => {
        if (p.status === "done" || p.status === "running" && p.percent === 0) console.log(`  ${p.circuit}: ${p.step} ${p.status}${p.detail ? ` (${p.detail})` : ""}`)
      }
    })
    built.set(spec.params[0]!, circuit)
  }
  return built
}).pipe(Effect.provide(Artifacts.layer({ prebuilt: [circuits.prebuiltDirectory] })))

/** What every job is expected to cost, from the predictor's learned models (or the declared defaults). */
const estimates = (built: ReadonlyMap<number, CircuitArtifacts>) =>
  Effect.gen(function*() {
    const predictor = yield* ResourcePredictor.ResourcePredictor
    const out = new Map<string, { readonly ms: number; readonly bytes: number }>()
    for (const job of jobs) {
      const circuit = built.get(job.size)!
      const e = yield* predictor.estimate(ProofComputation.defaultProfile(circuit, job.protocol), keyOf(circuit, job))
      out.set(job.id, { ms: e.estimatedTimeToComplete, bytes: e.p95PeakMemory })
    }
    return out
  })

const program = Effect.gen(function*() {
  const device = yield* Effect.map(ResourceMonitor.ResourceMonitor, (m) => m.device).pipe(Effect.provide(NodeProvident.layerMonitor()))
  yield* Console.log(`${Doctor.renderDevice(device).join("\n")}\n`)
  yield* Console.log("Circuits (insecure single-party setups: for demonstration only)")
  const built = yield* loadCircuits
  const predicted = yield* estimates(built).pipe(Effect.provide(NodeProvident.layer({ predictor: { enableAutomaticModelUpdate: false } })))
  const naivePeak = [...predicted.values()].reduce((acc, e) => acc + e.bytes, 0)
  const largest = Math.max(...[...predicted.values()].map((e) => e.bytes))
  const budget = budgetFlag !== undefined ? Number(budgetFlag) * MB : Math.max(largest * 1.25, naivePeak / 2)

  // The threshold sits above what the machine uses now; the spike lifts use just past it,
  // so eviction has to free ~1% of memory: the lowest-priority pausable work.
  const probe = yield* Effect.flatMap(ResourceMonitor.ResourceMonitor, (m) => m.latest).pipe(
    Effect.provide(NodeProvident.layerMonitor({ monitor: { sampleInterval: 1000 } }))
  )
  const capacity = probe.memory.limit ?? probe.memory.total
  const threshold = Math.min(95, Math.ceil(probe.memory.usagePercent) + 10)
  const spike: Spike.Spike = { extra: 0 }
  const stack = NodeProvident.layerOver(
    Spike.layer(spike).pipe(Layer.provide(NodeResourceProbe.layer())),
    {
      monitor: { sampleInterval: 500, memoryThresholdPercent: threshold, hysteresisPercent: 3 },
      allocator: { strategy: "aggressive", maxMemoryPercentage: Math.min(100, (budget / capacity) * 100), evictionCooldown: 1500 },
      executor: { enabledStrategies: ["FULL_COMPUTATION", "PROGRESSIVE_COMPUTATION"], retries: 1, timeout: 240_000 }
    }
  ).pipe(Layer.provideMerge(NodeSnarkjsProver.layer()))

  yield* Effect.gen(function*() {
    const executor = yield* AdaptiveExecutor.AdaptiveExecutor
    const allocator = yield* ResourceAllocator.ResourceAllocator
    const states = new Map<string, View.JobState>(jobs.map((j) => [j.id, View.initial]))
    const events: Array<OperationEvent> = []
    const started = new Map<string, number>()
    const note = { text: "" }

    yield* allocator.operations.pipe(
      Stream.runForEach((e) =>
        Effect.sync(() => {
          events.push(e)
          const s = states.get(e.name)
          if (s === undefined) return
          if (e.state === "paused") states.set(e.name, { ...s, status: "paused", pauses: s.pauses + 1 })
          if (e.state === "running" && s.status !== "done") states.set(e.name, { ...s, status: "running" })
        })),
      Effect.forkScoped({ startImmediately: true })
    )
    for (const job of jobs) {
      yield* executor.progressChanges(job.id).pipe(
        Stream.runForEach((p) =>
          Effect.sync(() => {
            const s = states.get(job.id) ?? View.initial
            const status = p.phase === "done" ? "done" : p.phase === "failed" ? "failed" : s.status === "paused" && p.phase !== "allocating" ? s.status : s.status
            states.set(job.id, { ...s, status, phase: p.phase, percent: p.phase === "done" ? 100 : p.percent, strategy: p.strategy })
          })),
        Effect.forkScoped({ startImmediately: true })
      )
    }

    // The live view: redrawn in place on a terminal, changes only otherwise.
    const tty = process.stdout.isTTY === true
    let drawn = 0
    const last = new Map<string, string>()
    const draw = Effect.sync(() => {
      const lines = [View.header(Math.round(budget / MB), note.text), ...View.frame(jobs, states)]
      if (tty) {
        process.stdout.write(`${drawn > 0 ? `\x1b[${drawn}A` : ""}${lines.map((l) => `\x1b[2K${l}`).join("\n")}\n`)
        drawn = lines.length
      } else {
        for (const job of jobs) {
          const s = states.get(job.id) ?? View.initial
          const key = `${s.status}/${s.phase}`
          if (last.get(job.id) !== key) console.log(View.row(job, s))
          last.set(job.id, key)
        }
      }
    })
    const viewer = yield* draw.pipe(Effect.repeat(Schedule.spaced(tty ? "200 millis" : "500 millis")), Effect.forkScoped)

    // The spike: once background work runs, memory use jumps past the threshold for 6 s.
    if (withSpike) {
      yield* Effect.gen(function*() {
        yield* allocator.operations.pipe(
          Stream.filter((e) => e.state === "running" && e.priority === "background"),
          Stream.runHead
        )
        yield* Effect.sleep("1500 millis")
        const now = yield* Effect.flatMap(ResourceMonitor.ResourceMonitor, (m) => m.latest)
        spike.extra = Math.max(0, ((threshold + 1) / 100) * capacity - now.memory.used)
        note.text = `memory spike: +${Math.round(spike.extra / MB)} MB for 6 s (threshold ${threshold}%)`
        yield* Effect.sleep("6 seconds")
        spike.extra = 0
        note.text = "spike over"
      }).pipe(Effect.forkScoped)
    }

    const runStart = yield* Clock.currentTimeMillis
    const results = yield* Effect.forEach(jobs, (job) =>
      Effect.gen(function*() {
        const circuit = built.get(job.size)!
        started.set(job.id, yield* Clock.currentTimeMillis)
        const result = yield* executor.execute(job.id, ProofComputation.computation(circuit, job.protocol, inputFor(job)),
          ProofComputation.defaultProfile(circuit, job.protocol), job.priority, {
            circuit: keyOf(circuit, job),
            fatal: ProofComputation.isFatal,
            ...(job.strategies === undefined ? {} : { strategies: job.strategies })
          })
        const waitMs = result.waitTime
        const estimate = predicted.get(job.id)!
        return {
          job,
          success: result.success,
          // A remote proof whose public signals could not be checked is not a verified proof of this input.
          verified: result.success && result.result?.statementUnchecked === undefined,
          strategy: result.strategy,
          waitMs,
          runMs: 0, // filled in below from the allocator's events
          peakBytes: result.resourcesUsed.peakMemory,
          cores: result.resourcesUsed.cores,
          cpuMs: result.resourcesUsed.cpuMs,
          predictedMs: estimate.ms,
          predictedBytes: estimate.bytes,
          pauses: states.get(job.id)?.pauses ?? 0,
          witnessRestored: result.result?.witnessRestored ?? false,
          ...(result.success ? {} : { error: String((result.error as { message?: string } | undefined)?.message ?? "failed") })
        } satisfies Summary.Outcome
      }), { concurrency: "unbounded" })
    const makespan = (yield* Clock.currentTimeMillis) - runStart
    // The event subscriber runs on its own fiber: give it a moment to take the last releases.
    yield* Effect.sleep("100 millis")
    const outcomes = results.map((o) => ({ ...o, runMs: Summary.heldMs(events, o.job.id) }))
    yield* Fiber.interrupt(viewer)
    yield* draw

    const bound = Summary.lowerBoundMs(outcomes, budget, (yield* allocator.budget).cores)
    yield* Console.log(`\n${Summary.table(outcomes).join("\n")}`)
    yield* Console.log(`\nmakespan ${(makespan / 1000).toFixed(1)} s; lower bound ${(bound / 1000).toFixed(1)} s (${(makespan / Math.max(1, bound)).toFixed(2)}×) under a ${Math.round(budget / MB)} MB budget (naive concurrent peak ${Math.round(naivePeak / MB)} MB)`)
    const failed = outcomes.filter((o) => !o.success)
    if (failed.length > 0) {
      yield* Console.error(`${failed.length} job(s) failed`)
      process.exitCode = 1
    }
  }).pipe(Effect.scoped, Effect.provide(stack))
})

program.pipe(NodeRuntime.runMain)
