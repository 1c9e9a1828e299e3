/**
 * Settings of the `AdaptiveExecutor`, decoded with Schema (every field has a
 * default; names follow the spec's `AdaptiveComputation` options; times in
 * milliseconds).
 *
 * @since 0.1.0
 */
import { Effect, Schema } from "effect"
import { ComputationStrategy, chainOrder } from "./ComputationStrategy.ts"
import { decoder } from "./internal/decode.ts"

const withDefault = <S extends Schema.Top>(schema: S, value: S["Encoded"]) =>
  schema.pipe(Schema.withDecodingDefaultKey(Effect.succeed(value)))

const Millis = Schema.Finite.check(Schema.isGreaterThan(0))
const Count = Schema.Int.check(Schema.isGreaterThanOrEqualTo(0))
const PerStrategy = <S extends Schema.Top>(value: S) =>
  Schema.Struct({
    CACHED_COMPUTATION: Schema.optionalKey(value),
    FULL_COMPUTATION: Schema.optionalKey(value),
    PROGRESSIVE_COMPUTATION: Schema.optionalKey(value),
    PARTIAL_COMPUTATION: Schema.optionalKey(value),
    FALLBACK_COMPUTATION: Schema.optionalKey(value)
  })

/**
 * - `enabledStrategies` (all five): the strategies the chain may use; their
 *   order is always the chain order (cached, full, progressive, partial, remote).
 * - `timeout` (60000): each attempt's deadline, allocation wait included;
 *   `strategyTimeouts` overrides it per strategy.
 * - `retries` (1): further attempts of a strategy after a failure before moving
 *   on; `strategyRetries` overrides it per strategy. `retryDelay` (500) is the
 *   first pause between attempts, doubling each time.
 * - `fullWaitLimit` (5000): the full computation is tried while its memory is
 *   busy only if the allocator expects it within this long, or if no lighter
 *   strategy is available; otherwise the chain moves on to progressive.
 * - `allowRemote` (false): whether inputs may leave the device for the remote
 *   prover; each call may override it.
 * - `serverFallbackEndpoint`: the spec's remote endpoint, for the layer that
 *   builds the `RemoteProver` (the executor itself calls whichever is provided).
 * - `progressRetention` (300000): how long a finished execution's progress stays readable.
 * - `cacheResults` (true): successes fill the result cache when the profile allows caching.
 */
export const ExecutorConfig = Schema.Struct({
  enabledStrategies: withDefault(Schema.Array(ComputationStrategy).check(Schema.isMinLength(1)), [...chainOrder]),
  timeout: withDefault(Millis, 60_000),
  strategyTimeouts: withDefault(PerStrategy(Millis), {}),
  retries: withDefault(Count, 1),
  strategyRetries: withDefault(PerStrategy(Count), {}),
  retryDelay: withDefault(Schema.Finite.check(Schema.isGreaterThanOrEqualTo(0)), 500),
  fullWaitLimit: withDefault(Schema.Finite.check(Schema.isGreaterThanOrEqualTo(0)), 5000),
  allowRemote: withDefault(Schema.Boolean, false),
  serverFallbackEndpoint: Schema.optionalKey(Schema.String),
  progressRetention: withDefault(Millis, 300_000),
  cacheResults: withDefault(Schema.Boolean, true)
})
export type ExecutorConfig = typeof ExecutorConfig.Type
export type ExecutorConfigInput = typeof ExecutorConfig.Encoded

/** Decodes options into a full configuration, failing with `InvalidInput`. */
export const decode = decoder(ExecutorConfig, "ExecutorConfig")

/** The configuration with every default. */
export const defaults: ExecutorConfig = Schema.decodeUnknownSync(ExecutorConfig)({})
