/**
 * The predictor's resource series, as pure functions over snapshots: one
 * damped Holt model (`holt.ts`) per resource, the trend read off each, the
 * forecasts with their intervals, and when free memory will cover a need.
 */
import type { Bounds, ForecastResource, Prediction, StartTime, Trend, TrendDirection } from "../Forecast.ts"
import type { PredictorConfig } from "../PredictorConfig.ts"
import { memoryCapacity, type ResourceSnapshot } from "../ResourceSnapshot.ts"
import * as Holt from "./holt.ts"
import { clamp, t95 } from "./stats.ts"

export interface Series {
  readonly state: Holt.HoltState
  /** The most the resource can read: forecasts are clamped to [0, capacity]. */
  readonly capacity: number
}

export type SeriesSet = Partial<Record<ForecastResource, Series>>

export const resources: ReadonlyArray<ForecastResource> = ["memory", "cpu", "battery", "storage"]

/** The model parameters a configuration implies. */
export const paramsOf = (config: PredictorConfig): Holt.HoltParams => ({
  alpha: config.smoothingFactor,
  beta: config.trendSmoothingFactor,
  phi: config.dampingFactor,
  step: config.predictionInterval,
  horizons: config.predictionWindowSize,
  // Errors at one horizon are strongly correlated from one step to the next,
  // so their variance is averaged over several windows' worth.
  memory: 4 * config.predictionWindowSize
})

/** Each modelled reading in a snapshot with its capacity; absent readings are left out. */
export const readingsOf = (
  snapshot: ResourceSnapshot
): ReadonlyArray<readonly [resource: ForecastResource, value: number, capacity: number]> => [
  ["memory", snapshot.memory.used, memoryCapacity(snapshot)],
  ["cpu", snapshot.cpu.usagePercent, 100],
  ...(snapshot.battery === undefined ? [] : [["battery", snapshot.battery.level, 100] as const]),
  ...(snapshot.storage === undefined ? [] : [["storage", snapshot.storage.used, snapshot.storage.total] as const])
]

/** Folds a snapshot into the models. A stale snapshot repeats an old reading, so it is skipped. */
export const ingest = (params: Holt.HoltParams, set: SeriesSet, snapshot: ResourceSnapshot): SeriesSet => {
  if (snapshot.stale) return set
  const next: { -readonly [R in ForecastResource]?: Series } = { ...set }
  for (const [resource, value, capacity] of readingsOf(snapshot)) {
    // Monitor readings are decoded already; this guards readings given to `update` by hand.
    if (!Number.isFinite(value) || !Number.isFinite(capacity)) continue
    const previous = set[resource]
    next[resource] = {
      state: previous === undefined
        ? Holt.init(params, snapshot.timestamp, value)
        : Holt.update(params, previous.state, snapshot.timestamp, value),
      capacity
    }
  }
  return next
}

/** The forecast for `at` with its 90% interval, clamped to the resource's range; no interval before two readings. */
export const boundsAt = (params: Holt.HoltParams, series: Series, at: number): Bounds => {
  const f = Holt.forecast(params, series.state, at)
  const half = f.df >= 1 ? t95(f.df) * f.sd : 0
  const limit = (x: number) => clamp(x, 0, series.capacity)
  return { predicted: limit(f.mean), lower: limit(f.mean - half), upper: limit(f.mean + half) }
}

/** How many noise standard deviations a trend must reach to count as one. */
export const SIGNIFICANCE = 2

/** The trend of one series; see `Forecast.Trend` for the rule. */
export const trendOf = (
  params: Holt.HoltParams,
  config: PredictorConfig,
  resource: ForecastResource,
  series: Series
): Trend => {
  const { state, capacity } = series
  const window = config.predictionWindowSize
  const change = Holt.dampedSum(params.phi, window) * state.trend
  const noise = Holt.trendNoise(params, state, window)
  const z = noise > 0 ? state.trend / noise : state.trend === 0 ? 0 : Math.sign(state.trend) * Infinity
  const threshold = (config.trendThresholdPercent / 100) * capacity
  const material = Math.abs(change) >= threshold && change !== 0
  const direction: TrendDirection = material && z >= SIGNIFICANCE
    ? "rising"
    : material && z <= -SIGNIFICANCE
    ? "falling"
    : "stable"
  // z²/(z² + 2²): ½ at the significance threshold, → 1 as the trend stands out.
  const strength = Number.isFinite(z) ? (z * z) / (z * z + SIGNIFICANCE ** 2) : 1
  const clarity = direction === "stable"
    // Stable is clear when the trend is lost in noise or too small to matter.
    ? Math.max(1 - strength, threshold > 0 ? 1 - Math.min(1, Math.abs(change) / threshold) : 0)
    : strength
  // One-step errors measured: each is a step of evidence for the trend.
  const steps = state.errors[0]?.count ?? 0
  return {
    resource,
    direction,
    slopePerSecond: (state.trend / params.step) * 1000,
    level: state.level,
    confidence: clamp((steps / (steps + 5)) * clarity, 0, 1),
    samples: state.observations
  }
}

/** Forecasts for steps 1..window after `now`. */
export const predictionsFrom = (params: Holt.HoltParams, set: SeriesSet, now: number, window: number): ReadonlyArray<Prediction> =>
  Array.from({ length: window }, (_, i) => {
    const step = i + 1
    const timestamp = now + step * params.step
    const prediction: { -readonly [K in keyof Prediction]: Prediction[K] } = { step, timestamp }
    for (const resource of resources) {
      const series = set[resource]
      if (series !== undefined) prediction[resource] = boundsAt(params, series, timestamp)
    }
    return prediction
  })

/**
 * Memory free at `at`: what the latest reading had available, less what the
 * forecast says usage will grow by. Anchoring on `available` (not capacity −
 * used) keeps a host that is tighter than the container limit in view.
 */
export const freeMemoryAt = (params: Holt.HoltParams, series: Series, latest: ResourceSnapshot, at: number): number =>
  clamp(latest.memory.available - (boundsAt(params, series, at).predicted - latest.memory.used), 0, series.capacity)

/**
 * The earliest moment from `now` to `window` steps later at which free
 * memory covers `required`: now if the latest reading already has it, else
 * between the last step short of it and the first step with enough, by
 * linear interpolation. `undefined` if no step in the window has enough.
 */
export const earliestStart = (
  params: Holt.HoltParams,
  series: Series,
  latest: ResourceSnapshot,
  now: number,
  window: number,
  required: number
): StartTime | undefined => {
  const at = (timestamp: number, free: number): StartTime => ({
    timestamp,
    waitMillis: timestamp - now,
    predictedFreeMemory: free,
    requiredMemory: required
  })
  if (latest.memory.available >= required) return at(now, latest.memory.available)
  let before = { timestamp: now, free: latest.memory.available }
  for (let step = 1; step <= window; step++) {
    const timestamp = now + step * params.step
    const free = freeMemoryAt(params, series, latest, timestamp)
    if (free >= required) {
      const f = free > before.free ? clamp((required - before.free) / (free - before.free), 0, 1) : 1
      return at(Math.round(before.timestamp + f * (timestamp - before.timestamp)), before.free + f * (free - before.free))
    }
    before = { timestamp, free }
  }
  return undefined
}
