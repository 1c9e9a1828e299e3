import { assert, describe, it } from "@effect/vitest"
import * as CostModel from "../src/internal/costModel.ts"
import { t95 } from "../src/internal/stats.ts"

// Deterministic pseudo-random numbers in [0, 1).
const uniform = (seed: number) => {
  let x = seed >>> 0
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0
    return x / 2 ** 32
  }
}

/** `count` points of `a · size^b` at sizes spread over 2^10..2^20, with multiplicative noise of ±`noise`. */
const powerLaw = (a: number, b: number, count: number, noise: number, seed = 1): ReadonlyArray<CostModel.Point> => {
  const next = uniform(seed)
  return Array.from({ length: count }, () => {
    const size = Math.round(2 ** (10 + 10 * next()))
    return { size, value: a * size ** b * (1 + noise * (2 * next() - 1)) }
  })
}

describe("Student's t quantiles", () => {
  it("match the table and approach the normal's", () => {
    assert.strictEqual(t95(1), 6.314)
    assert.strictEqual(t95(10), 1.812)
    assert.closeTo(t95(1e9), 1.645, 1e-3)
    assert.strictEqual(t95(0), 6.314, "fewer than one degree of freedom counts as one")
    for (let df = 1; df < 200; df++) assert.isAtLeast(t95(df), t95(df + 1))
  })
})

describe("power-law cost models", () => {
  it("recover a known exponent within 5% from noisy samples", () => {
    for (const [a, b] of [[0.002, 1.1], [1500, 1.0], [3e-5, 1.6], [40, 0.7]] as const) {
      const model = CostModel.fit(powerLaw(a, b, 40, 0.1, 3))!
      assert.closeTo(model.exponent, b, 0.05 * b, `exponent ${b}`)
      const size = 50_000
      assert.closeTo(CostModel.estimate(model, size).median, a * size ** b, 0.1 * a * size ** b)
    }
  })

  it("are exact on exact data, apart from the prior's pull on few points", () => {
    const model = CostModel.fit(powerLaw(2, 1.3, 200, 0, 4))!
    assert.closeTo(model.exponent, 1.3, 1e-3)
    assert.closeTo(model.coefficient, 2, 0.02)
  })

  it("confidence rises with samples", () => {
    const all = powerLaw(0.002, 1.1, 80, 0.1, 5)
    const confidence = [2, 5, 10, 20, 40, 80].map((n) => CostModel.estimate(CostModel.fit(all.slice(0, n))!, 100_000).confidence)
    for (let i = 1; i < confidence.length; i++) assert.isAbove(confidence[i]!, confidence[i - 1]!, `${confidence}`)
    assert.isBelow(confidence[0]!, 0.4)
    assert.isAbove(confidence[confidence.length - 1]!, 0.7)
  })

  it("confidence falls and bounds widen with residual error", () => {
    const tight = CostModel.fit(powerLaw(0.002, 1.1, 40, 0.02, 6))!
    const loose = CostModel.fit(powerLaw(0.002, 1.1, 40, 0.5, 6))!
    const a = CostModel.estimate(tight, 100_000)
    const b = CostModel.estimate(loose, 100_000)
    assert.isAbove(a.confidence, b.confidence)
    assert.isAbove(b.p95 / b.median, a.p95 / a.median)
  })

  it("bounds are wide on short history and when extrapolating, like the VPA's", () => {
    const points = powerLaw(0.002, 1.1, 40, 0.05, 7).filter((p) => p.size < 2 ** 16)
    const few = CostModel.fit(points.slice(0, 2))!
    const many = CostModel.fit(points)!
    const inside = CostModel.estimate(many, 2 ** 14)
    assert.isAbove(CostModel.estimate(few, 2 ** 14).p95 / CostModel.estimate(few, 2 ** 14).median, inside.p95 / inside.median)
    const far = CostModel.estimate(many, 2 ** 24)
    assert.isAbove(far.p95 / far.median, inside.p95 / inside.median)
    assert.isBelow(far.confidence, inside.confidence)
    assert.isBelow(inside.p5, inside.median)
  })

  it("one size, or one sample, falls back on the prior exponent", () => {
    const one = CostModel.fit([{ size: 1000, value: 50 }])!
    assert.strictEqual(one.exponent, CostModel.defaultPrior.exponent)
    assert.closeTo(CostModel.estimate(one, 2000).median, 100, 1e-9, "linear in constraints")
    const sameSize = CostModel.fit([{ size: 1000, value: 40 }, { size: 1000, value: 60 }])!
    assert.strictEqual(sameSize.exponent, 1)
    assert.closeTo(CostModel.estimate(sameSize, 1000).median, Math.sqrt(40 * 60), 1e-9, "the geometric mean")
  })

  it("ignores points that are not positive, and has nothing to fit without points", () => {
    assert.isUndefined(CostModel.fit([]))
    assert.isUndefined(CostModel.fit([{ size: 0, value: 1 }, { size: 10, value: -1 }]))
    assert.strictEqual(CostModel.fit([{ size: 10, value: 1 }, { size: 10, value: Number.NaN }])!.samples, 1)
  })
})
