/**
 * How well the ResourcePredictor forecasts: accuracy, not speed. Each shape
 * runs a simulated device for an hour of virtual time through the whole
 * service (SimulatedDevice → ResourceMonitor sampling → `changes` →
 * predictor), and every `predictionInterval` after a five-minute warm-up the
 * window's forecasts are scored against what the monitor then reads.
 *
 * - MASE: mean absolute error of the forecasts over that of the naive
 *   forecast (the last reading carried forward) at the same origins and
 *   horizons; below 1 beats it. `mase1` is one step (10 s) ahead, `maseK`
 *   pools every step of the window (10 s to 5 min). Averaged over shapes.
 * - coverage95: the share of readings inside [p5, p95] (nominally 90%),
 *   pooled over shapes and horizons. Target ≥ 90%.
 *
 * Environment: BENCH_MINUTES (default 60) per shape.
 */
import { Effect } from "effect"
import { TestClock } from "effect/testing"
import * as DeviceScript from "../src/DeviceScript.ts"
import type { ForecastResource } from "../src/Forecast.ts"
import * as ResourcePredictor from "../src/ResourcePredictor.ts"
import type { ResourceSnapshot } from "../src/ResourceSnapshot.ts"
import * as SimulatedDevice from "../src/SimulatedDevice.ts"

const GiB = 1024 ** 3
const minutes = Number(process.env.BENCH_MINUTES ?? 60)
const end = minutes * 60_000
const warmUp = 5 * 60_000

interface Shape {
  readonly name: string
  readonly resource: ForecastResource
  readonly spec: SimulatedDevice.DeviceSpec
  readonly sampleInterval?: number
}

const { noise } = DeviceScript
const shapes: ReadonlyArray<Shape> = [
  {
    name: "memory ramp",
    resource: "memory",
    spec: SimulatedDevice.withScript(SimulatedDevice.workstation, {
      memoryUsed: noise(DeviceScript.ramp({ from: 8 * GiB, to: 40 * GiB, over: "60 minutes" }), { amplitude: 0.2 * GiB, seed: 1 })
    })
  },
  {
    name: "cpu flat",
    resource: "cpu",
    spec: SimulatedDevice.withScript(SimulatedDevice.laptop, { cpuUsage: noise(DeviceScript.constant(30), { amplitude: 10, seed: 2 }) })
  },
  {
    name: "memory sine",
    resource: "memory",
    spec: SimulatedDevice.withScript(SimulatedDevice.workstation, {
      memoryUsed: noise(DeviceScript.sine({ mean: 24 * GiB, amplitude: 6 * GiB, period: "20 minutes" }), { amplitude: 0.3 * GiB, seed: 3 })
    })
  },
  {
    name: "cpu steps",
    resource: "cpu",
    spec: SimulatedDevice.withScript(SimulatedDevice.laptop, {
      cpuUsage: noise(DeviceScript.steps(20, [["15 minutes", 60], ["35 minutes", 30]]), { amplitude: 5, seed: 4 })
    })
  },
  {
    name: "memory spike",
    resource: "memory",
    spec: SimulatedDevice.withScript(SimulatedDevice.laptop, {
      memoryUsed: noise(DeviceScript.spike({ base: 6 * GiB, peak: 10 * GiB, at: "20 minutes", duration: "1 minute" }), {
        amplitude: 0.1 * GiB,
        seed: 5
      })
    })
  },
  { name: "battery drain", resource: "battery", spec: SimulatedDevice.phone },
  {
    name: "cpu noisy ramp",
    resource: "cpu",
    spec: SimulatedDevice.withScript(SimulatedDevice.laptop, {
      cpuUsage: noise(DeviceScript.ramp({ from: 10, to: 70, over: "60 minutes" }), { amplitude: 15, seed: 6 })
    })
  },
  {
    name: "memory ramp, 5 s sampling",
    resource: "memory",
    sampleInterval: 5000,
    spec: SimulatedDevice.withScript(SimulatedDevice.container, {
      memoryUsed: noise(DeviceScript.ramp({ from: 0.2 * GiB, to: 0.9 * GiB, over: "60 minutes" }), { amplitude: 0.02 * GiB, seed: 7 })
    })
  }
]

const valueOf = (snapshot: ResourceSnapshot, resource: ForecastResource): number => {
  switch (resource) {
    case "memory":
      return snapshot.memory.used
    case "cpu":
      return snapshot.cpu.usagePercent
    case "battery":
      return snapshot.battery?.level ?? Number.NaN
    case "storage":
      return snapshot.storage?.used ?? Number.NaN
  }
}

interface Score {
  readonly name: string
  readonly mase1: number
  readonly maseK: number
  readonly inside: number
  readonly total: number
}

const score = (shape: Shape) =>
  Effect.gen(function*() {
    const predictor = yield* ResourcePredictor.ResourcePredictor
    const step = predictor.config.predictionInterval
    // What the monitor reads at t: the script, sampled on the monitor's grid.
    const truth = (t: number) => valueOf(SimulatedDevice.readingAt(shape.spec, shape.spec.script, t, t, { memory: 0, cores: 0 }), shape.resource)
    let error1 = 0
    let naive1 = 0
    let errorK = 0
    let naiveK = 0
    let inside = 0
    let total = 0
    yield* TestClock.adjust(warmUp)
    for (let origin = warmUp; origin + step <= end; origin += step) {
      const last = truth(origin)
      for (const p of yield* predictor.predictions) {
        if (p.timestamp > end) break
        const bounds = p[shape.resource]!
        const actual = truth(p.timestamp)
        const e = Math.abs(actual - bounds.predicted)
        const n = Math.abs(actual - last)
        if (p.step === 1) {
          error1 += e
          naive1 += n
        }
        errorK += e
        naiveK += n
        total++
        if (actual >= bounds.lower && actual <= bounds.upper) inside++
      }
      yield* TestClock.adjust(step)
    }
    return { name: shape.name, mase1: error1 / naive1, maseK: errorK / naiveK, inside, total } satisfies Score
  }).pipe(
    Effect.provide(ResourcePredictor.layerTest(shape.spec, {}, { sampleInterval: shape.sampleInterval ?? 1000 })),
    Effect.provide(TestClock.layer())
  )

const program = Effect.gen(function*() {
  const started = performance.now()
  const scores = yield* Effect.forEach(shapes, score)
  const pad = (s: string, n: number) => s.padEnd(n)
  console.log(`${pad("shape", 28)} mase1   maseK   coverage (p5..p95)`)
  for (const s of scores) {
    console.log(`${pad(s.name, 28)} ${s.mase1.toFixed(3)}   ${s.maseK.toFixed(3)}   ${((100 * s.inside) / s.total).toFixed(1)}%`)
  }
  const mean = (f: (s: Score) => number) => scores.reduce((a, s) => a + f(s), 0) / scores.length
  const mase1 = mean((s) => s.mase1)
  const maseK = mean((s) => s.maseK)
  const coverage95 = scores.reduce((a, s) => a + s.inside, 0) / scores.reduce((a, s) => a + s.total, 0)
  console.log(`mean over ${scores.length} shapes, ${minutes} virtual minutes each (${((performance.now() - started) / 1000).toFixed(1)} s):`)
  console.log(`  MASE 1-step ${mase1.toFixed(3)}, k-step ${maseK.toFixed(3)} (target < 1: better than the last reading)`)
  console.log(`  p5..p95 coverage ${(100 * coverage95).toFixed(1)}% (target ≥ 90%)`)
  console.log(JSON.stringify({
    bench: "predictor",
    mase1: Number(mase1.toFixed(4)),
    maseK: Number(maseK.toFixed(4)),
    coverage95: Number(coverage95.toFixed(4))
  }))
})

Effect.runPromise(program).catch((error) => {
  console.error(error)
  process.exit(1)
})
