/**
 * The cost of watching the hardware: one live Node sample through the
 * monitor (probe, schema decode, history, thresholds, metrics), and the CPU
 * share of sampling at 1 Hz.
 *
 * Targets: median sample ≤ 2 ms, CPU share ≤ 0.5% of one core.
 * Environment: BENCH_SAMPLES (default 300), BENCH_SECONDS (default 30).
 */
import { ResourceMonitor } from "@provident/core"
import { Effect } from "effect"
import * as NodeProvident from "../src/NodeProvident.ts"

const samples = Number(process.env.BENCH_SAMPLES ?? 300)
const seconds = Number(process.env.BENCH_SECONDS ?? 30)

const quantile = (sorted: ReadonlyArray<number>, q: number): number =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN

// Sample cost: the monitor's own fiber waits an hour, so only our calls run.
const sampleCost = Effect.gen(function*() {
  const monitor = yield* ResourceMonitor.ResourceMonitor
  for (let i = 0; i < 20; i++) yield* monitor.sample // warm up
  const times: Array<number> = []
  for (let i = 0; i < samples; i++) {
    const start = performance.now()
    yield* monitor.sample
    times.push(performance.now() - start)
  }
  times.sort((a, b) => a - b)
  return { median: quantile(times, 0.5), p99: quantile(times, 0.99) }
}).pipe(Effect.provide(NodeProvident.layer({ monitor: { sampleInterval: 3_600_000 } })))

/** Process CPU time as a percentage of one core while `effect` runs. */
const cpuPercentDuring = <A, E>(effect: Effect.Effect<A, E>) =>
  Effect.gen(function*() {
    ;(globalThis as { gc?: () => void }).gc?.() // start each window from a collected heap
    const before = process.cpuUsage()
    const wallStart = performance.now()
    yield* effect
    const used = process.cpuUsage(before)
    return ((used.user + used.system) / 1000 / (performance.now() - wallStart)) * 100
  })

// CPU share: process CPU while the monitor samples at 1 Hz, minus the same
// process idling for as long without it (timers, GC, the runtime itself).
const window = Effect.sleep(`${seconds} seconds`)
const idlePct = cpuPercentDuring(window)
const monitoredPct = Effect.gen(function*() {
  yield* ResourceMonitor.ResourceMonitor
  yield* Effect.sleep("2 seconds") // settle after start-up
  return yield* cpuPercentDuring(window)
}).pipe(Effect.provide(NodeProvident.layer({ monitor: { sampleInterval: 1000 } })))

const program = Effect.gen(function*() {
  const cost = yield* sampleCost
  console.log(`sample cost over ${samples} samples: median ${cost.median.toFixed(3)} ms, p99 ${cost.p99.toFixed(3)} ms (target median ≤ 2 ms)`)
  const idle = yield* idlePct
  const monitored = yield* monitoredPct
  const share = Math.max(0, monitored - idle)
  console.log(`CPU at 1 Hz for ${seconds} s: ${monitored.toFixed(3)}% with the monitor, ${idle.toFixed(3)}% idle`)
  console.log(`CPU share of sampling: ${share.toFixed(3)}% of one core (target ≤ 0.5%)`)
  console.log(JSON.stringify({
    bench: "monitor",
    sampleMedianMs: Number(cost.median.toFixed(4)),
    sampleP99Ms: Number(cost.p99.toFixed(4)),
    cpuSharePct: Number(share.toFixed(4))
  }))
})

Effect.runPromise(program).catch((error) => {
  console.error(error)
  process.exit(1)
})
