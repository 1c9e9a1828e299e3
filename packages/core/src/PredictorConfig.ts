/**
 * Settings of the `ResourcePredictor`, decoded with Schema so bad values fail
 * with an `InvalidInput` naming the field. Every field has a default; the
 * first four are the spec's `ResourcePrediction` options, times are
 * milliseconds.
 *
 * @since 0.1.0
 */
import { Effect, Schema } from "effect"
import { decoder } from "./internal/decode.ts"
import { PositiveInt } from "./internal/units.ts"

const withDefault = <S extends Schema.Top>(schema: S, value: S["Encoded"]) =>
  schema.pipe(Schema.withDecodingDefaultKey(Effect.succeed(value)))

const Factor = Schema.Finite.check(Schema.isBetween({ minimum: 0, maximum: 1, exclusiveMinimum: true }))

/**
 * - `predictionWindowSize` (30): steps forecast ahead by `predictions`, and
 *   the window `bestStartTime` searches.
 * - `predictionInterval` (10000): milliseconds per step. It is also the
 *   nominal interval of the smoothing factors: readings taken more or less
 *   often are weighted so the model behaves the same (see `internal/holt.ts`).
 * - `smoothingFactor` (0.3): α, how much a step's reading moves the level.
 * - `trendSmoothingFactor` (0.1): β, how much a step moves the trend.
 * - `dampingFactor` (0.99): φ, the share of the trend kept per step ahead,
 *   so long forecasts level off instead of extrapolating forever; 1 is
 *   undamped.
 * - `trendThresholdPercent` (1): a trend is `rising` or `falling` only if it
 *   moves the forecast by at least this share of the resource's capacity over
 *   the window (and stands out from noise, see `trends`).
 * - `enableAutomaticModelUpdate` (true): follow the monitor's readings in a
 *   background fiber; when false, only `update` feeds the models.
 * - `costModelHistorySize` (100): completions kept per cost model (the
 *   newest), which bounds memory and the store's size and lets old behaviour
 *   age out.
 */
export const PredictorConfig = Schema.Struct({
  predictionWindowSize: withDefault(PositiveInt.check(Schema.isLessThanOrEqualTo(1000)), 30),
  predictionInterval: withDefault(
    Schema.Finite.check(Schema.isGreaterThanOrEqualTo(10, { message: "must be at least 10 ms" })),
    10_000
  ),
  smoothingFactor: withDefault(Factor, 0.3),
  trendSmoothingFactor: withDefault(Schema.Finite.check(Schema.isBetween({ minimum: 0, maximum: 1 })), 0.1),
  dampingFactor: withDefault(Factor, 0.99),
  trendThresholdPercent: withDefault(Schema.Finite.check(Schema.isBetween({ minimum: 0, maximum: 100 })), 1),
  enableAutomaticModelUpdate: withDefault(Schema.Boolean, true),
  costModelHistorySize: withDefault(PositiveInt.check(Schema.isGreaterThanOrEqualTo(2)), 100)
})
export type PredictorConfig = typeof PredictorConfig.Type
/** The configuration as callers write it: every field optional. */
export type PredictorConfigInput = typeof PredictorConfig.Encoded

/** Decodes options into a full configuration, failing with `InvalidInput`. */
export const decode = decoder(PredictorConfig, "PredictorConfig")

/** The configuration with every default. */
export const defaults: PredictorConfig = Schema.decodeUnknownSync(PredictorConfig)({})
