/**
 * Power-law cost models: what a proof costs (time, peak memory) as a function
 * of its constraint count, `value ≈ a · size^b`, fitted by least squares in
 * log-log space (`log value = log a + b · log size`). Pure.
 *
 * Short histories are handled the way the Kubernetes VPA recommender handles
 * them: estimates start wide and narrow as evidence comes in.
 * - The exponent is shrunk towards a prior (`b₀ = 1`, cost linear in
 *   constraints) with the weight of `spread` units of log-size variance, so
 *   one circuit size, or a handful of close ones, still gives an answer and a
 *   wide range of sizes overrides the prior:
 *   `b = (Sxy + λ·b₀) / (Sxx + λ)`.
 * - The residual variance starts from a prior (`logSd`, worth `weight`
 *   observations): `s² = (SSE + ν₀·s₀²) / (n − 2 + ν₀)`, so a perfect fit
 *   of two points is not taken for certainty.
 * - Bounds are Student-t prediction intervals in log space,
 *   `ŷ ± t₉₅(df) · s · √(1 + 1/n + (x − x̄)² / (Sxx + λ))`: wide when there
 *   are few samples and when extrapolating far from the sizes seen.
 *
 * Confidence (0..1) is `n / (n + 3)` (more samples, more confidence) times
 * `1 / (1 + ln(p95 / median))` (a wider interval, from residual error or
 * extrapolation, less confidence).
 */
import { t95 } from "./stats.ts"

/** One measured cost. Both numbers must be positive. */
export interface Point {
  readonly size: number
  readonly value: number
}

export interface Prior {
  /** The exponent assumed before sizes vary. */
  readonly exponent: number
  /** The spread of log values assumed before there are residuals. */
  readonly logSd: number
  /** How many observations `logSd` is worth. */
  readonly weight: number
  /** How much log-size variance the prior exponent is worth. */
  readonly spread: number
}

export const defaultPrior: Prior = { exponent: 1, logSd: 0.15, weight: 4, spread: 1 }

/** A fitted `value = coefficient · size^exponent` and what its bounds need. */
export interface PowerLaw {
  readonly samples: number
  readonly coefficient: number
  readonly exponent: number
  /** Residual standard deviation in natural-log space. */
  readonly residualSd: number
  readonly df: number
  readonly meanLogSize: number
  /** Σ(x − x̄)² + λ, the denominator of the slope. */
  readonly spread: number
}

export interface CostEstimate {
  readonly median: number
  readonly p5: number
  readonly p95: number
  readonly confidence: number
}

/** Fits the points, ignoring any that are not positive and finite; `undefined` without points. */
export const fit = (points: ReadonlyArray<Point>, prior: Prior = defaultPrior): PowerLaw | undefined => {
  const usable = points.filter((p) => p.size > 0 && p.value > 0 && Number.isFinite(p.size) && Number.isFinite(p.value))
  const n = usable.length
  if (n === 0) return undefined
  const xs = usable.map((p) => Math.log(p.size))
  const ys = usable.map((p) => Math.log(p.value))
  const mx = xs.reduce((a, b) => a + b, 0) / n
  const my = ys.reduce((a, b) => a + b, 0) / n
  let sxx = 0
  let sxy = 0
  for (let i = 0; i < n; i++) {
    sxx += (xs[i]! - mx) ** 2
    sxy += (xs[i]! - mx) * (ys[i]! - my)
  }
  const spread = sxx + prior.spread
  const exponent = (sxy + prior.spread * prior.exponent) / spread
  const intercept = my - exponent * mx
  let sse = 0
  for (let i = 0; i < n; i++) sse += (ys[i]! - intercept - exponent * xs[i]!) ** 2
  const df = n - 2 + prior.weight
  return {
    samples: n,
    coefficient: Math.exp(intercept),
    exponent,
    residualSd: Math.sqrt((sse + prior.weight * prior.logSd ** 2) / df),
    df,
    meanLogSize: mx,
    spread
  }
}

/** The median cost at `size`, its 90% prediction interval and the confidence in it. */
export const estimate = (model: PowerLaw, size: number): CostEstimate => {
  const x = Math.log(size)
  const center = Math.log(model.coefficient) + model.exponent * x
  const sd = model.residualSd * Math.sqrt(1 + 1 / model.samples + (x - model.meanLogSize) ** 2 / model.spread)
  const half = t95(model.df) * sd
  return {
    median: Math.exp(center),
    p5: Math.exp(center - half),
    p95: Math.exp(center + half),
    confidence: (model.samples / (model.samples + 3)) / (1 + half)
  }
}
