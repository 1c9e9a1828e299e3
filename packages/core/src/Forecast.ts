/**
 * What the `ResourcePredictor` tells: where each resource is heading
 * (`Trend`), what it will read over the coming window (`Prediction`), what a
 * registered operation will cost (`OperationPrediction`), when one could
 * start (`StartTime`) and the cost models learned so far
 * (`CostModelSummary`). Schemas, so answers can cross a process or an HTTP
 * boundary.
 *
 * Units follow the readings: bytes for memory and storage, percent for CPU
 * usage and battery level, milliseconds for times and durations.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { Bytes, Fraction, Millis, NonNegative } from "./internal/units.ts"

/** The series the predictor models: memory used, CPU usage, battery level, storage used. */
export const ForecastResource = Schema.Literals(["memory", "cpu", "battery", "storage"])
export type ForecastResource = typeof ForecastResource.Type

export const TrendDirection = Schema.Literals(["rising", "falling", "stable"])
export type TrendDirection = typeof TrendDirection.Type

/**
 * - `level`: the smoothed current value.
 * - `slopePerSecond`: the trend, in the resource's unit per second.
 * - `direction`: `rising`/`falling` when the trend both stands out from
 *   noise (at least 2 standard deviations of what noise alone would give it)
 *   and moves the forecast by at least `trendThresholdPercent` of capacity
 *   over the window; `stable` otherwise.
 * - `confidence`: 0..1, how sure the direction is: `k / (k + 5)` after k
 *   steps of evidence, times how clearly the trend is on its side of the
 *   rule (z²/(z² + 4) for a trend z noise deviations out; for `stable`, the
 *   larger of 1 minus that and how far the change is below the threshold).
 * - `samples`: readings the model has seen.
 */
export const Trend = Schema.Struct({
  resource: ForecastResource,
  direction: TrendDirection,
  slopePerSecond: Schema.Finite,
  level: Schema.Finite,
  confidence: Fraction,
  samples: NonNegative
})
export type Trend = typeof Trend.Type

/** A forecast value with its 90% interval: `lower` is the 5th percentile, `upper` the 95th. */
export const Bounds = Schema.Struct({
  predicted: Schema.Finite,
  lower: Schema.Finite,
  upper: Schema.Finite
})
export type Bounds = typeof Bounds.Type

/** The forecast for one future moment; a resource without readings is absent. */
export const Prediction = Schema.Struct({
  /** Steps ahead, 1..predictionWindowSize. */
  step: NonNegative,
  timestamp: Millis,
  memory: Schema.optionalKey(Bounds),
  cpu: Schema.optionalKey(Bounds),
  battery: Schema.optionalKey(Bounds),
  storage: Schema.optionalKey(Bounds)
})
export type Prediction = typeof Prediction.Type

/**
 * - `estimatedTimeToComplete`: milliseconds for a full run (median).
 * - `estimatedPeakMemory`: bytes at peak (median); `p95PeakMemory` the
 *   95th percentile, the figure to budget for. `p95TimeToComplete` likewise.
 * - `confidence`: 0..1.
 * - `source`: `declared` (the profile's own estimates, before this device
 *   has measured a matching circuit) or `learned` (a cost model).
 * - `samples`: completions behind the model (0 when declared).
 */
export const OperationPrediction = Schema.Struct({
  name: Schema.String,
  estimatedTimeToComplete: Millis,
  p95TimeToComplete: Millis,
  estimatedPeakMemory: Bytes,
  p95PeakMemory: Bytes,
  confidence: Fraction,
  source: Schema.Literals(["declared", "learned"]),
  samples: NonNegative
})
export type OperationPrediction = typeof OperationPrediction.Type

/**
 * When an operation could start: the first moment (now, or a forecast step)
 * whose predicted free memory covers `requiredMemory`, the operation's p95
 * peak.
 */
export const StartTime = Schema.Struct({
  timestamp: Millis,
  waitMillis: Millis,
  predictedFreeMemory: Bytes,
  requiredMemory: Bytes
})
export type StartTime = typeof StartTime.Type

/** A fitted `a · circuitSize^b` for time and for peak memory. */
export const PowerLaw = Schema.Struct({ coefficient: NonNegative, exponent: Schema.Finite })
export type PowerLaw = typeof PowerLaw.Type

/** One learned cost model, per (circuit family, prover, strategy, cores). */
export const CostModelSummary = Schema.Struct({
  circuitFamily: Schema.String,
  prover: Schema.String,
  strategy: Schema.String,
  cores: NonNegative,
  samples: NonNegative,
  circuits: Schema.Array(Schema.String),
  time: PowerLaw,
  memory: PowerLaw,
  /** Confidence at the mean size seen, 0..1. */
  confidence: Fraction
})
export type CostModelSummary = typeof CostModelSummary.Type
