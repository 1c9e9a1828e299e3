/**
 * Settings of the `ResourceMonitor`, decoded with Schema so bad values fail
 * with an `InvalidInput` naming the field. Every field has a default; the
 * names follow the spec's `ResourceMonitor` options, times are milliseconds.
 *
 * @since 0.1.0
 */
import { Effect, Schema } from "effect"
import { decoder } from "./internal/decode.ts"
import { Percent, PositiveInt } from "./internal/units.ts"

const withDefault = <S extends Schema.Top>(schema: S, value: S["Encoded"]) =>
  schema.pipe(Schema.withDecodingDefaultKey(Effect.succeed(value)))

const Interval = Schema.Finite.check(Schema.isGreaterThanOrEqualTo(10, { message: "must be at least 10 ms" }))

/**
 * - `sampleInterval` (1000): milliseconds between samples of the sampling fiber.
 * - `probeTimeout` (2000): a sample taking longer is abandoned and counted as
 *   a `Timeout` failure.
 * - `historySize` (300): good readings kept in the history ring.
 * - `enableBatteryMonitoring`, `enableNetworkMonitoring`,
 *   `enableStorageMonitoring` (all true): which optional readings to keep.
 *   Memory, CPU and pressure are always read.
 * - `thresholdNotifications` (true): whether `events` fires at all.
 * - `memoryThresholdPercent` (80), `cpuThresholdPercent` (90): an event fires
 *   when usage reaches the threshold.
 * - `batteryThresholdPercent` (20): an event fires when the battery level
 *   falls to it.
 * - `hysteresisPercent` (5): a crossed threshold clears only once the reading
 *   is back beyond it by this margin, so a reading hovering at the threshold
 *   fires once, not on every sample.
 */
export const MonitorConfig = Schema.Struct({
  sampleInterval: withDefault(Interval, 1000),
  probeTimeout: withDefault(Interval, 2000),
  historySize: withDefault(PositiveInt, 300),
  enableBatteryMonitoring: withDefault(Schema.Boolean, true),
  enableNetworkMonitoring: withDefault(Schema.Boolean, true),
  enableStorageMonitoring: withDefault(Schema.Boolean, true),
  thresholdNotifications: withDefault(Schema.Boolean, true),
  memoryThresholdPercent: withDefault(Percent, 80),
  cpuThresholdPercent: withDefault(Percent, 90),
  batteryThresholdPercent: withDefault(Percent, 20),
  hysteresisPercent: withDefault(Schema.Finite.check(Schema.isBetween({ minimum: 0, maximum: 50 })), 5)
}).check(Schema.makeFilter((c) => {
  const issues: Array<Schema.FilterIssue> = []
  if (c.memoryThresholdPercent <= c.hysteresisPercent) {
    issues.push({ path: ["memoryThresholdPercent"], issue: "must be greater than hysteresisPercent" })
  }
  if (c.cpuThresholdPercent <= c.hysteresisPercent) {
    issues.push({ path: ["cpuThresholdPercent"], issue: "must be greater than hysteresisPercent" })
  }
  if (c.batteryThresholdPercent + c.hysteresisPercent >= 100) {
    issues.push({ path: ["batteryThresholdPercent"], issue: "plus hysteresisPercent must be below 100" })
  }
  return issues
}))
export type MonitorConfig = typeof MonitorConfig.Type
/** The configuration as callers write it: every field optional. */
export type MonitorConfigInput = typeof MonitorConfig.Encoded

/** Decodes options into a full configuration, failing with `InvalidInput`. */
export const decode = decoder(MonitorConfig, "MonitorConfig")

/** The configuration with every default. */
export const defaults: MonitorConfig = Schema.decodeUnknownSync(MonitorConfig)({})
