/**
 * Settings of the `ResourceAllocator`, decoded with Schema (every field has a
 * default). Percentages cap every strategy; times are milliseconds.
 *
 * @since 0.1.0
 */
import { Effect, Schema } from "effect"
import { decoder } from "./internal/decode.ts"
import { Percent, PositiveInt } from "./internal/units.ts"

const withDefault = <S extends Schema.Top>(schema: S, value: S["Encoded"]) =>
  schema.pipe(Schema.withDecodingDefaultKey(Effect.succeed(value)))

export const AllocationStrategy = Schema.Literals(["conservative", "balanced", "aggressive", "adaptive", "custom"])
export type AllocationStrategy = typeof AllocationStrategy.Type

const Millis = Schema.Finite.check(Schema.isGreaterThan(0))

/**
 * - `strategy` (`adaptive`): how much of the device to use; see `internal/budget.ts`.
 * - `maxMemoryPercentage` (80), `maxCpuPercentage` (100): hard caps on the
 *   budget, as a share of the memory limit (or total) and of the effective cores.
 * - `queueCapacity` (1000): operations that may wait for admission at once.
 * - `agingInterval` (10000): every this long an operation waits, its
 *   effective priority rises one level, so nothing starves.
 * - `maxBackfill` (16): how many smaller operations may start ahead of a
 *   blocked head of the queue before it is admitted (see `internal/admission.ts`).
 * - `eviction` (true): pause low-priority pausable work when the monitor's
 *   memory threshold is crossed, resume it when it clears.
 * - `evictionCooldown` (5000): after an eviction, wait this long for memory to
 *   be released before evicting more.
 * - `batteryLowPercent` (20): below this, discharging, the adaptive strategy
 *   turns conservative.
 * - `finishedHistory` (1000): finished operations remembered for `status`.
 */
export const AllocatorConfig = Schema.Struct({
  strategy: withDefault(AllocationStrategy, "adaptive"),
  maxMemoryPercentage: withDefault(Percent.check(Schema.isGreaterThan(0)), 80),
  maxCpuPercentage: withDefault(Percent.check(Schema.isGreaterThan(0)), 100),
  queueCapacity: withDefault(PositiveInt, 1000),
  agingInterval: withDefault(Millis, 10_000),
  maxBackfill: withDefault(Schema.Int.check(Schema.isGreaterThanOrEqualTo(0)), 16),
  eviction: withDefault(Schema.Boolean, true),
  evictionCooldown: withDefault(Schema.Finite.check(Schema.isGreaterThanOrEqualTo(0)), 5000),
  batteryLowPercent: withDefault(Percent, 20),
  finishedHistory: withDefault(PositiveInt, 1000)
})
export type AllocatorConfig = typeof AllocatorConfig.Type
export type AllocatorConfigInput = typeof AllocatorConfig.Encoded

/** Decodes options into a full configuration, failing with `InvalidInput`. */
export const decode = decoder(AllocatorConfig, "AllocatorConfig")

/** The configuration with every default. */
export const defaults: AllocatorConfig = Schema.decodeUnknownSync(AllocatorConfig)({})
