/**
 * One reading of the device's resources at a moment. Probes produce them, the
 * monitor validates, stores and publishes them, and every budget decision
 * starts from the latest one.
 *
 * Units: bytes for memory and storage, percentages in [0, 100], milliseconds
 * since the Unix epoch for `timestamp` (read from the Effect `Clock`).
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { decoder } from "./internal/decode.ts"
import { Bytes, Millis, NonNegative, Percent, Positive } from "./internal/units.ts"
import { PressureState } from "./PressureState.ts"

/**
 * Memory as the work we admit experiences it.
 * - `total`: physical memory of the machine.
 * - `limit`: the tighter cap on this process when there is one (cgroup
 *   `memory.max`, `process.constrainedMemory()`, a mobile app limit, the
 *   wasm32 ceiling in a browser).
 * - `used`: memory in use within that cap (the cgroup's working set when
 *   limited, otherwise `total - available`).
 * - `available`: what can still be taken before hitting `limit` or running
 *   the machine out of memory, whichever comes first.
 * - `usagePercent`: `used / (limit ?? total) * 100`.
 */
export const MemoryReading = Schema.Struct({
  total: Bytes,
  used: Bytes,
  available: Bytes,
  usagePercent: Percent,
  limit: Schema.optionalKey(Bytes)
})
export type MemoryReading = typeof MemoryReading.Type

/**
 * CPU. `cores` is the effective parallelism (logical cores bounded by a
 * container's CPU quota, so it may be fractional); `usagePercent` is the busy
 * share of that capacity since the previous reading; `loadAverage` is the
 * 1, 5 and 15 minute run-queue average where the platform has one.
 */
export const CpuReading = Schema.Struct({
  cores: Positive,
  usagePercent: Percent,
  loadAverage: Schema.optionalKey(Schema.Tuple([NonNegative, NonNegative, NonNegative]))
})
export type CpuReading = typeof CpuReading.Type

/** Storage of the volume where Provident keeps its caches. */
export const StorageReading = Schema.Struct({
  total: Bytes,
  used: Bytes,
  available: Bytes,
  usagePercent: Percent
})
export type StorageReading = typeof StorageReading.Type

/**
 * Network. `online` is whether any non-loopback interface is up (or what the
 * browser reports); the rest is present where the platform can tell.
 */
export const NetworkReading = Schema.Struct({
  online: Schema.Boolean,
  type: Schema.optionalKey(Schema.String),
  downlinkMbps: Schema.optionalKey(NonNegative),
  rttMs: Schema.optionalKey(Millis),
  rxBytesPerSecond: Schema.optionalKey(NonNegative),
  txBytesPerSecond: Schema.optionalKey(NonNegative)
})
export type NetworkReading = typeof NetworkReading.Type

/**
 * Battery, present only on devices that have one. `level` is a percentage;
 * `dischargingTime` is the estimated seconds left when known.
 */
export const BatteryReading = Schema.Struct({
  level: Percent,
  charging: Schema.Boolean,
  dischargingTime: Schema.optionalKey(NonNegative)
})
export type BatteryReading = typeof BatteryReading.Type

/**
 * Pressure on the Compute Pressure scale: `state` is the worst of the parts.
 * `source` says where it came from: Linux PSI, the browser's
 * `PressureObserver`, or derived from utilisation when neither exists.
 */
export const PressureReading = Schema.Struct({
  state: PressureState,
  cpu: Schema.optionalKey(PressureState),
  memory: Schema.optionalKey(PressureState),
  source: Schema.Literals(["psi", "compute-pressure", "derived"])
})
export type PressureReading = typeof PressureReading.Type

/** This process's own memory, where the platform can measure it. */
export const ProcessReading = Schema.Struct({
  rss: Bytes,
  heapUsed: Bytes,
  heapTotal: Bytes
})
export type ProcessReading = typeof ProcessReading.Type

/**
 * A full reading. `stale` is `true` when the probe failed and this is the last
 * good reading repeated; its `timestamp` stays that of the original reading,
 * so its age is visible.
 */
export const ResourceSnapshot = Schema.Struct({
  timestamp: Millis,
  memory: MemoryReading,
  cpu: CpuReading,
  storage: Schema.optionalKey(StorageReading),
  network: Schema.optionalKey(NetworkReading),
  battery: Schema.optionalKey(BatteryReading),
  pressure: PressureReading,
  process: Schema.optionalKey(ProcessReading),
  stale: Schema.Boolean
})
export type ResourceSnapshot = typeof ResourceSnapshot.Type

/** Decodes an unknown value into a snapshot, failing with `InvalidInput`. */
export const decode = decoder(ResourceSnapshot, "ResourceSnapshot")

/** The memory the work we admit can count on: the limit when there is one. */
export const memoryCapacity = (snapshot: ResourceSnapshot): number => snapshot.memory.limit ?? snapshot.memory.total
