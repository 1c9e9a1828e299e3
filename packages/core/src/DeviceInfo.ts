/**
 * What a device is, read once when its probe starts: platform, class, memory,
 * cores, container limits and which readings its probe can take. Budgets and
 * the adaptive strategy start from here.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { decoder } from "./internal/decode.ts"
import { Bytes, Positive, PositiveInt } from "./internal/units.ts"

export const DeviceClass = Schema.Literals(["mobile", "laptop", "workstation", "server"])
export type DeviceClass = typeof DeviceClass.Type

/**
 * Limits imposed by a container runtime (Linux cgroups): the tightest
 * `memory.max` and `cpu.max` (as cores) over the process's cgroup and all its
 * ancestors. Absent fields mean unlimited.
 */
export const ContainerLimits = Schema.Struct({
  cgroupVersion: Schema.Literals([1, 2]),
  path: Schema.String,
  memoryLimit: Schema.optionalKey(Bytes),
  cpuLimit: Schema.optionalKey(Positive)
})
export type ContainerLimits = typeof ContainerLimits.Type

/** The readings a probe can take on this device. */
export const SupportedReadings = Schema.Struct({
  memory: Schema.Boolean,
  cpu: Schema.Boolean,
  loadAverage: Schema.Boolean,
  storage: Schema.Boolean,
  network: Schema.Boolean,
  battery: Schema.Boolean,
  pressure: Schema.Boolean,
  process: Schema.Boolean
})
export type SupportedReadings = typeof SupportedReadings.Type

/**
 * - `platform`: `linux`, `darwin`, `win32`, `android`, `ios`, `browser`, …
 * - `logicalCores`: what the OS reports; `effectiveCores`: what this process
 *   may really use (affinity and container CPU quota), possibly fractional.
 * - `totalMemory`: physical memory; `memoryLimit`: the tighter cap on this
 *   process if any (container, app limit, wasm ceiling).
 */
export const DeviceInfo = Schema.Struct({
  platform: Schema.String,
  arch: Schema.optionalKey(Schema.String),
  model: Schema.optionalKey(Schema.String),
  deviceClass: DeviceClass,
  totalMemory: Bytes,
  memoryLimit: Schema.optionalKey(Bytes),
  logicalCores: PositiveInt,
  effectiveCores: Positive,
  container: Schema.optionalKey(ContainerLimits),
  supports: SupportedReadings
})
export type DeviceInfo = typeof DeviceInfo.Type

/** Decodes an unknown value into `DeviceInfo`, failing with `InvalidInput`. */
export const decode = decoder(DeviceInfo, "DeviceInfo")

/** What `classify` looks at. */
export interface ClassifyInput {
  readonly platform: string
  readonly hasBattery: boolean
  readonly inContainer: boolean
  /** No display attached (Linux without `DISPLAY`/`WAYLAND_DISPLAY`). */
  readonly headless: boolean
  /** A platform hint that this is a phone or tablet (user agent, OS). */
  readonly mobileHint?: boolean
}

/**
 * The device class, by the first rule that matches: a mobile OS or hint →
 * `mobile`; a battery → `laptop`; a container or a headless machine →
 * `server`; anything else → `workstation`. Battery comes before headless so a
 * laptop over SSH is still a laptop: it still drains.
 */
export const classify = (input: ClassifyInput): DeviceClass => {
  if (input.mobileHint === true || input.platform === "android" || input.platform === "ios") return "mobile"
  if (input.hasBattery) return "laptop"
  if (input.inContainer || input.headless) return "server"
  return "workstation"
}

/**
 * Effective parallelism: logical cores bounded by a CPU quota, never below a
 * sliver of one core (a quota of 0.5 means half a core, not zero).
 */
export const effectiveCores = (logicalCores: number, cpuLimit?: number): number =>
  cpuLimit === undefined ? logicalCores : Math.max(0.01, Math.min(logicalCores, cpuLimit))
