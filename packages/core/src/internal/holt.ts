/**
 * Holt's linear (double exponential) smoothing with a damped trend, for
 * readings that arrive at irregular times. Pure: a state and a function that
 * folds one reading into it.
 *
 * Time is measured in nominal steps of `step` milliseconds, the interval at
 * which `alpha`, `beta` and `phi` apply. A reading `g` steps after the last
 * one (g may be fractional, or large after a pause) is folded in with
 *
 *   ŷ  = ℓ + S(g)·b                   S(g) = φ + φ² + … + φ^g = φ(1 − φ^g)/(1 − φ)
 *   α_g = 1 − (1 − α)^g,  β_g = 1 − (1 − β)^g
 *   ℓ' = ŷ + α_g·(y − ŷ)
 *   b' = β_g·(ℓ' − ℓ)/g + (1 − β_g)·φ^g·b
 *
 * so ten readings a tenth of a step apart move the level as much as one
 * reading a step apart would, and at g = 1 this is exactly the damped Holt
 * recursion (Gardner & McKenzie). Damping (φ < 1) makes long forecasts level
 * off at ℓ + b·φ/(1 − φ) instead of extrapolating a trend forever, which is
 * what keeps a spike from running away. Its price: on a steady ramp the trend
 * settles at β/(1 − (1 − β)·φ) of the true slope (92% with β = 0.1,
 * φ = 0.99). A model starts with no trend; until 1/β steps have passed the
 * trend factor is 1/(k + 1) after k steps rather than β, so the first steps
 * are averaged instead of the trend creeping up from zero.
 *
 * Intervals come from measured errors. Once per step the state is kept as an
 * anchor; at the first reading past each whole step k = 1..horizons after it,
 * the anchor's forecast for that reading is scored, and the squared error is
 * averaged per horizon. Where few errors are measured yet, the model's own
 * variance (that of ETS(A,Ad,N), Hyndman et al. 2008, class 1) fills in:
 *
 *   v(h) = σ²·(1 + Σ_{j=1}^{h−1} c_j²),  c_j = α·(1 + β·S(j))
 *
 * with σ² the measured one-step variance (the per-reading error variance
 * until a step has passed), blended with the measured v(k) as if it were
 * `PRIOR_WEIGHT` measurements. Measuring every horizon keeps intervals honest
 * for what the model cannot express (curvature, the damping's lag), and both
 * widen with the horizon and with noise.
 */

export interface HoltParams {
  /** Level smoothing per step, in (0, 1]. */
  readonly alpha: number
  /** Trend smoothing per step, in [0, 1]. */
  readonly beta: number
  /** Trend damping per step, in (0, 1]; 1 is undamped. */
  readonly phi: number
  /** The nominal step, milliseconds. */
  readonly step: number
  /** Horizons whose errors are tracked: 1..horizons steps. */
  readonly horizons: number
  /** How many errors each variance estimate averages before becoming a moving average of that length. */
  readonly memory: number
}

/** A past state kept to measure its forecasts; `resolved` is the last horizon measured. */
export interface Anchor {
  readonly at: number
  readonly level: number
  readonly trend: number
  readonly resolved: number
}

/** Mean squared forecast error at one horizon, over `count` errors. */
export interface ErrorStats {
  readonly variance: number
  readonly count: number
}

export interface HoltState {
  /** Time of the first reading, ms. */
  readonly since: number
  /** Time of the last reading, ms. */
  readonly at: number
  readonly level: number
  /** Change per step. */
  readonly trend: number
  readonly observations: number
  /** Mean squared error of per-reading forecasts (whatever their gap). */
  readonly readingVariance: number
  /** Oldest first, at most one per step, dropped once all horizons are measured. */
  readonly anchors: ReadonlyArray<Anchor>
  /** Index k − 1 holds the errors of forecasts k steps ahead. */
  readonly errors: ReadonlyArray<ErrorStats>
}

/** A forecast: the mean, its standard deviation and the degrees of freedom of that deviation. */
export interface Forecast {
  readonly mean: number
  readonly sd: number
  readonly df: number
}

/** The state after a first reading: level at the reading, no trend. */
export const init = (params: HoltParams, at: number, value: number): HoltState => ({
  since: at,
  at,
  level: value,
  trend: 0,
  observations: 1,
  readingVariance: 0,
  anchors: [{ at, level: value, trend: 0, resolved: 0 }],
  errors: Array.from({ length: params.horizons }, () => ({ variance: 0, count: 0 }))
})

/** S(h) = φ + φ² + … + φ^h, for real h ≥ 0: the steps of trend a forecast h steps ahead adds. */
export const dampedSum = (phi: number, h: number): number => (phi >= 1 ? h : (phi * (1 - phi ** h)) / (1 - phi))

// Gaps past this many steps reuse the last term: the multiplier only widens
// intervals and rescales errors, and such gaps are rare.
const MAX_TERMS = 10_000

/** v(h)/σ² for real h: 1 up to one step, then 1 + Σ c_j², linearly between whole steps. */
export const varianceMultiplier = (params: HoltParams, h: number): number => {
  if (h <= 1) return 1
  const whole = Math.min(Math.floor(h), MAX_TERMS)
  // `sum` is v(j)/σ² when c_j is added: v(j + 1) = v(j) + c_j².
  let sum = 1
  for (let j = 1; j < whole; j++) {
    const c = params.alpha * (1 + params.beta * dampedSum(params.phi, j))
    sum += c * c
  }
  const c = params.alpha * (1 + params.beta * dampedSum(params.phi, whole))
  return sum + c * c * (h - whole)
}

const record = (stats: ErrorStats, squared: number, memory: number): ErrorStats => {
  const count = stats.count + 1
  return { count, variance: stats.variance + (squared - stats.variance) / Math.min(count, memory) }
}

/** Folds a reading taken at `at` into the state; readings not after the last one, or not finite, are ignored. */
export const update = (params: HoltParams, state: HoltState, at: number, value: number): HoltState => {
  if (!(at > state.at) || !Number.isFinite(value)) return state
  const g = (at - state.at) / params.step
  const predicted = state.level + dampedSum(params.phi, g) * state.trend
  const error = value - predicted
  const alphaG = 1 - (1 - params.alpha) ** g
  // A trend starts unknown, so early on it averages what it has seen (as
  // 1/k does over k steps) instead of creeping from zero at β per step.
  const beta = params.beta > 0 ? Math.max(params.beta, params.step / (at - state.since + params.step)) : 0
  const betaG = 1 - (1 - beta) ** g
  const level = predicted + alphaG * error
  const trend = (betaG * (level - state.level)) / g + (1 - betaG) * params.phi ** g * state.trend
  const readingVariance = state.readingVariance +
    (error * error - state.readingVariance) / Math.min(state.observations, params.memory)

  // Measure each anchor's forecast at the first reading past each whole
  // step, rescaled from h to the whole step k it stands for.
  const errors = [...state.errors]
  const anchors: Array<Anchor> = []
  for (const anchor of state.anchors) {
    const h = (at - anchor.at) / params.step
    const k = Math.min(Math.floor(h), params.horizons)
    if (k >= 1 && k > anchor.resolved) {
      const e = value - (anchor.level + dampedSum(params.phi, h) * anchor.trend)
      const scaled = (e * e * varianceMultiplier(params, k)) / varianceMultiplier(params, h)
      errors[k - 1] = record(errors[k - 1]!, scaled, params.memory)
    }
    if (k < params.horizons) anchors.push(k > anchor.resolved ? { ...anchor, resolved: k } : anchor)
  }
  const last = anchors[anchors.length - 1]
  if (last === undefined || at - last.at >= params.step) anchors.push({ at, level, trend, resolved: 0 })
  return { since: state.since, at, level, trend, observations: state.observations + 1, readingVariance, anchors, errors }
}

/** σ², the one-step error variance, and its degrees of freedom; per-reading errors stand in until a step has passed. */
const sigma2 = (state: HoltState): ErrorStats => {
  const first = state.errors[0]
  return first !== undefined && first.count > 0
    ? first
    : { variance: state.readingVariance, count: state.observations - 1 }
}

// The model-based variance counts as this many measured errors when blended
// with the measured ones at a horizon.
const PRIOR_WEIGHT = 10

/** The variance at horizon h: measured errors near h, shrunk towards σ²·v(h)/σ². */
const varianceAt = (params: HoltParams, state: HoltState, h: number): number => {
  const modelled = sigma2(state).variance * varianceMultiplier(params, h)
  const k = Math.min(params.horizons, Math.max(1, Math.floor(h)))
  const next = Math.min(params.horizons, k + 1)
  const lo = state.errors[k - 1]!
  const hi = state.errors[next - 1]!
  const f = h <= 1 ? 0 : Math.min(1, h - k)
  const count = Math.min(lo.count, hi.count) > 0 ? Math.min(lo.count, hi.count) : lo.count
  const measured = hi.count > 0 ? lo.variance * (1 - f) + hi.variance * f : lo.variance
  return (count * measured + PRIOR_WEIGHT * modelled) / (count + PRIOR_WEIGHT)
}

/** The forecast for time `at` (ms), from the last reading on. */
export const forecast = (params: HoltParams, state: HoltState, at: number): Forecast => {
  const h = Math.max(0, (at - state.at) / params.step)
  return {
    mean: state.level + dampedSum(params.phi, h) * state.trend,
    sd: Math.sqrt(varianceAt(params, state, h)),
    df: sigma2(state).count
  }
}

/**
 * The standard deviation the trend would have from noise alone over
 * `window` steps: under the model b_t = φ·b_{t−1} + α·β·ε_t, so
 * sd(b) = α·β·σ·√(Σ_{i<window} φ^{2i}). A trend many times this is signal.
 */
export const trendNoise = (params: HoltParams, state: HoltState, window: number): number => {
  const phi2 = params.phi * params.phi
  const terms = phi2 >= 1 ? window : (1 - phi2 ** window) / (1 - phi2)
  return params.alpha * params.beta * Math.sqrt(sigma2(state).variance * terms)
}
