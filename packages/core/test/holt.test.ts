import { assert, describe, it } from "@effect/vitest"
import * as Holt from "../src/internal/holt.ts"
import { t95 } from "../src/internal/stats.ts"

const params: Holt.HoltParams = { alpha: 0.3, beta: 0.1, phi: 0.99, step: 10_000, horizons: 30, memory: 120 }

/** Feeds `signal` sampled at `times` (ms) into a fresh model. */
const run = (p: Holt.HoltParams, times: ReadonlyArray<number>, signal: (t: number) => number): Holt.HoltState =>
  times.slice(1).reduce((s, t) => Holt.update(p, s, t, signal(t)), Holt.init(p, times[0]!, signal(times[0]!)))

const every = (ms: number, until: number) => Array.from({ length: Math.floor(until / ms) + 1 }, (_, i) => i * ms)

// Deterministic pseudo-random numbers in [0, 1).
const uniform = (seed: number) => {
  let x = seed >>> 0
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0
    return x / 2 ** 32
  }
}

describe("Holt smoothing", () => {
  it("at one reading per step it is the classical damped Holt recursion", () => {
    // β = ½ is above the warm-up's 1/(k + 1) from the first step on.
    const p = { ...params, beta: 0.5 }
    const ys = [10, 12, 11, 15, 18, 17, 21]
    let level = ys[0]!
    let trend = 0
    let state = Holt.init(p, 0, ys[0]!)
    ys.slice(1).forEach((y, i) => {
      const previous = level
      level = p.alpha * y + (1 - p.alpha) * (level + p.phi * trend)
      trend = p.beta * (level - previous) + (1 - p.beta) * p.phi * trend
      state = Holt.update(p, state, (i + 1) * p.step, y)
    })
    assert.closeTo(state.level, level, 1e-9)
    assert.closeTo(state.trend, trend, 1e-9)
  })

  it("the smoothing factor is per step whatever the sampling: ten readings a tenth of a step apart move the level as one would", () => {
    // Without a trend (β = 0) the equivalence is exact: (1 − α_g)^10 = 1 − α.
    const level = { ...params, beta: 0 }
    const jump = (t: number) => (t > 0 ? 100 : 0)
    const coarse = run(level, [0, params.step], jump)
    const fine = run(level, every(params.step / 10, params.step), jump)
    assert.closeTo(coarse.level, 30, 1e-9, "α = 0.3 of the jump after one step")
    assert.closeTo(fine.level, coarse.level, 1e-6)
  })

  it("a linear series is followed and forecast; the damped trend settles just below the slope", () => {
    const slope = 5 // per second
    const state = run(params, every(1000, 600_000), (t) => 1000 + (slope * t) / 1000)
    // At one reading per step the steady state is β/(1 − (1 − β)·φ) of the slope: 92% here.
    const settled = params.beta / (1 - (1 - params.beta) * params.phi)
    assert.closeTo((state.trend / params.step) * 1000, slope * settled, slope * 0.02)
    const at = 600_000 + 60_000
    assert.closeTo(Holt.forecast(params, state, at).mean, 1000 + (slope * at) / 1000, 0.02 * 4300)
    const undamped = run({ ...params, phi: 1 }, every(1000, 600_000), (t) => 1000 + (slope * t) / 1000)
    assert.closeTo((undamped.trend / params.step) * 1000, slope, slope * 0.01, "undamped Holt has no such bias")
  })

  it("irregular sampling learns the same slope as regular sampling", () => {
    const next = uniform(7)
    const times = [0]
    while (times[times.length - 1]! < 900_000) times.push(times[times.length - 1]! + 200 + next() * 20_000)
    const signal = (t: number) => 50 + t / 10_000
    const irregular = run(params, times, signal)
    const regular = run(params, every(1000, 900_000), signal)
    assert.closeTo(irregular.trend, regular.trend, 0.03 * regular.trend)
    assert.closeTo(regular.trend, 0.92, 0.02, "one unit per step, less the damping's bias")
    const at = irregular.at + 100_000
    assert.closeTo(Holt.forecast(params, irregular, at).mean, signal(at), 0.02 * signal(at))
  })

  it("from a cold start the trend is learned within a few steps", () => {
    // One unit per step; without the warm-up, β = 0.1 would reach 0.12 and 0.33.
    const trendAfter = (steps: number) => run(params, every(1000, steps * params.step), (t) => t / params.step).trend
    assert.isAbove(trendAfter(3), 0.4)
    assert.isAbove(trendAfter(6), 0.7)
    assert.isBelow(trendAfter(6), 1)
  })

  it("a reading not after the last one, or not finite, is ignored", () => {
    const state = run(params, [0, 1000, 2000], (t) => t)
    assert.strictEqual(Holt.update(params, state, 2000, 999), state)
    assert.strictEqual(Holt.update(params, state, 1500, 999), state)
    assert.strictEqual(Holt.update(params, state, 3000, Number.NaN), state)
  })

  it("damping keeps a forecast after a spike from running away", () => {
    // 100, then 200 for 30 s from 300 s, then 100 again.
    const spike = (t: number) => (t >= 300_000 && t < 330_000 ? 200 : 100)
    const window = (s: Holt.HoltState) =>
      Array.from({ length: 30 }, (_, k) => Holt.forecast(params, s, s.at + (k + 1) * params.step).mean)
    // At the end of the spike the trend points up; damping bounds how far.
    const far = (p: Holt.HoltParams, steps: number) => {
      const atPeak = run(p, every(1000, 329_000), spike)
      return Holt.forecast(p, atPeak, atPeak.at + steps * params.step).mean
    }
    assert.closeTo(far(params, 2000), far(params, 1000), 1e-3 * far(params, 1000), "it levels off")
    const undamped = { ...params, phi: 1 }
    assert.isAbove(far(undamped, 2000), 1.9 * far(undamped, 1000), "undamped, it extrapolates forever")
    // A minute after it ended, the whole window is back near 100, far below the peak.
    for (const f of window(run(params, every(1000, 390_000), spike))) assert.isTrue(f > 65 && f < 115, `${f}`)
    // Five minutes after, within 5%.
    for (const f of window(run(params, every(1000, 630_000), spike))) assert.closeTo(f, 100, 5)
  })

  it("the variance multiplier is 1 for a step and grows with the horizon", () => {
    assert.strictEqual(Holt.varianceMultiplier(params, 1), 1)
    const c1 = params.alpha * (1 + params.beta * params.phi)
    assert.closeTo(Holt.varianceMultiplier(params, 2), 1 + c1 * c1, 1e-12)
    assert.closeTo(Holt.varianceMultiplier(params, 1.5), 1 + (c1 * c1) / 2, 1e-12)
    for (let h = 1; h < 30; h++) assert.isAbove(Holt.varianceMultiplier(params, h + 1), Holt.varianceMultiplier(params, h))
  })

  it("intervals widen with the horizon and with noise", () => {
    const noisy = (amplitude: number, seed: number) => {
      const next = uniform(seed)
      return run(params, every(1000, 1_200_000), () => 100 + amplitude * (2 * next() - 1))
    }
    const quiet = noisy(1, 3)
    const loud = noisy(10, 3)
    const width = (s: Holt.HoltState, steps: number) => {
      const f = Holt.forecast(params, s, s.at + steps * params.step)
      return 2 * t95(f.df) * f.sd
    }
    assert.isAbove(width(quiet, 30), width(quiet, 1))
    assert.isAbove(width(loud, 1), 5 * width(quiet, 1))
    assert.isAbove(width(loud, 30), 5 * width(quiet, 30))
  })

  it("the 90% intervals cover about 90% of what a noisy series does next", () => {
    const next = uniform(11)
    const noise = Array.from({ length: 4000 }, () => 2 * next() - 1)
    const signal = (t: number) => 100 + t / 20_000 + 5 * noise[Math.floor(t / 1000)]!
    let state = Holt.init(params, 0, signal(0))
    let inside = 0
    let total = 0
    for (let t = 1000; t <= 3_000_000; t += 1000) {
      state = Holt.update(params, state, t, signal(t))
      if (t >= 600_000 && t % params.step === 0) {
        for (const k of [1, 10, 30]) {
          const f = Holt.forecast(params, state, t + k * params.step)
          const truth = signal(t + k * params.step)
          total++
          if (Math.abs(truth - f.mean) <= t95(f.df) * f.sd) inside++
        }
      }
    }
    assert.isAtLeast(inside / total, 0.85)
    assert.isAtMost(inside / total, 0.995)
  })

  it("the trend's noise scale is 0 for an exact series and grows with noise", () => {
    const exact = run(params, every(1000, 300_000), () => 42)
    assert.strictEqual(Holt.trendNoise(params, exact, 30), 0)
    const next = uniform(5)
    const noisy = run(params, every(1000, 300_000), (t) => t / 1000 + 10 * next())
    assert.isAbove(Holt.trendNoise(params, noisy, 30), 0.01)
  })
})
