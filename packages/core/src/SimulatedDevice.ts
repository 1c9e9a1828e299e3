/**
 * A `ResourceProbe` whose readings follow a `DeviceScript` in virtual time:
 * the base of deterministic tests and benchmarks. It reacts to load placed on
 * it with `occupy` (work holding memory and cores), and can be told to fail,
 * hang, return invalid readings or crash, to exercise the monitor's recovery.
 *
 * Presets: `phone`, `laptop`, `container`, `workstation`.
 *
 * @since 0.1.0
 */
import { Clock, Context, Effect, Layer, Scope } from "effect"
import type { DeviceInfo } from "./DeviceInfo.ts"
import * as DeviceScript from "./DeviceScript.ts"
import * as PressureState from "./PressureState.ts"
import { ProbeError } from "./ProvidentError.ts"
import * as ResourceProbe from "./ResourceProbe.ts"
import type { ResourceSnapshot } from "./ResourceSnapshot.ts"

export interface DeviceSpec {
  readonly device: DeviceInfo
  /** Size of the simulated volume; without it there is no storage reading. */
  readonly storageTotal?: number
  readonly script: DeviceScript.DeviceScript
}

/** How the next readings misbehave. */
export type Fault = "fail" | "hang" | "invalid" | "die"

/** Load placed on the device by simulated work. */
export interface Load {
  readonly memory?: number
  readonly cores?: number
}

export interface Service {
  readonly spec: DeviceSpec
  /** Adds `load` to the readings until the caller's scope closes. */
  readonly occupy: (load: Load) => Effect.Effect<void, never, Scope.Scope>
  /** Replaces parts of the script; signals keep reading time since the device started. */
  readonly setScript: (patch: Partial<DeviceScript.DeviceScript>) => Effect.Effect<void>
  /** The next `count` readings misbehave as `fault` says. */
  readonly injectFault: (fault: Fault, count?: number) => Effect.Effect<void>
  /** Readings requested so far, faulty ones included. */
  readonly readings: Effect.Effect<number>
}

export class SimulatedDevice extends Context.Service<SimulatedDevice, Service>()("@provident/core/SimulatedDevice") {}

const GiB = 1024 ** 3
const MiB = 1024 ** 2
const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x))

const supportsAll = {
  memory: true,
  cpu: true,
  loadAverage: true,
  storage: true,
  network: true,
  battery: false,
  pressure: true,
  process: false
}

/** A phone: 8 GiB with a ~3 GiB app limit, 8 cores, a battery at 80% draining 0.5%/min. */
export const phone: DeviceSpec = {
  device: {
    platform: "android",
    model: "Simulated phone",
    deviceClass: "mobile",
    totalMemory: 8 * GiB,
    memoryLimit: 3 * GiB,
    logicalCores: 8,
    effectiveCores: 8,
    supports: { ...supportsAll, loadAverage: false, battery: true }
  },
  storageTotal: 128 * GiB,
  script: {
    memoryUsed: DeviceScript.constant(1.2 * GiB),
    cpuUsage: DeviceScript.constant(15),
    batteryLevel: DeviceScript.drain({ from: 80, perMinute: 0.5 }),
    charging: () => false,
    storageUsed: DeviceScript.constant(64 * GiB)
  }
}

/** A laptop on its charger: 16 GiB, 8 cores, battery full. */
export const laptop: DeviceSpec = {
  device: {
    platform: "darwin",
    model: "Simulated laptop",
    deviceClass: "laptop",
    totalMemory: 16 * GiB,
    logicalCores: 8,
    effectiveCores: 8,
    supports: { ...supportsAll, battery: true }
  },
  storageTotal: 512 * GiB,
  script: {
    memoryUsed: DeviceScript.constant(6 * GiB),
    cpuUsage: DeviceScript.constant(10),
    batteryLevel: DeviceScript.constant(100),
    charging: () => true,
    storageUsed: DeviceScript.constant(200 * GiB)
  }
}

/** A 2-core container with `cpu.max` 2.5 (so 2 effective cores) and a 1 GiB `memory.max`, on an 8 GiB host. */
export const container: DeviceSpec = {
  device: {
    platform: "linux",
    model: "Simulated container",
    deviceClass: "server",
    totalMemory: 8 * GiB,
    memoryLimit: 1 * GiB,
    logicalCores: 2,
    effectiveCores: 2,
    container: { cgroupVersion: 2, path: "/simulated", memoryLimit: 1 * GiB, cpuLimit: 2.5 },
    supports: supportsAll
  },
  storageTotal: 20 * GiB,
  script: {
    memoryUsed: DeviceScript.constant(200 * MiB),
    cpuUsage: DeviceScript.constant(5),
    storageUsed: DeviceScript.constant(5 * GiB)
  }
}

/** A desktop workstation: 64 GiB, 16 cores, no battery. */
export const workstation: DeviceSpec = {
  device: {
    platform: "linux",
    model: "Simulated workstation",
    deviceClass: "workstation",
    totalMemory: 64 * GiB,
    logicalCores: 16,
    effectiveCores: 16,
    supports: supportsAll
  },
  storageTotal: 2048 * GiB,
  script: {
    memoryUsed: DeviceScript.constant(12 * GiB),
    cpuUsage: DeviceScript.constant(8),
    storageUsed: DeviceScript.constant(800 * GiB)
  }
}

/** A preset with parts of its script replaced. */
export const withScript = (spec: DeviceSpec, patch: Partial<DeviceScript.DeviceScript>): DeviceSpec => ({
  ...spec,
  script: { ...spec.script, ...patch }
})

/** The reading the script gives at `elapsed` ms, with `load` on top. Pure. */
export const readingAt = (
  spec: DeviceSpec,
  script: DeviceScript.DeviceScript,
  elapsed: number,
  timestamp: number,
  load: { readonly memory: number; readonly cores: number }
): ResourceSnapshot => {
  const { device } = spec
  const capacity = device.memoryLimit ?? device.totalMemory
  const used = clamp(script.memoryUsed(elapsed) + load.memory, 0, capacity)
  const memoryPercent = (used / capacity) * 100
  const cpuPercent = clamp(script.cpuUsage(elapsed) + (load.cores / device.effectiveCores) * 100, 0, 100)
  const busyCores = (cpuPercent / 100) * device.effectiveCores
  const battery = script.batteryLevel === undefined ? undefined : (() => {
    const level = clamp(script.batteryLevel(elapsed), 0, 100)
    const charging = script.charging?.(elapsed) ?? false
    // Seconds left at the rate the script drains over the next minute.
    const perSecond = (level - clamp(script.batteryLevel(elapsed + 60_000), 0, 100)) / 60
    return {
      level,
      charging,
      ...(!charging && perSecond > 0 ? { dischargingTime: level / perSecond } : {})
    }
  })()
  const storage = spec.storageTotal === undefined ? undefined : (() => {
    const total = spec.storageTotal
    const storageUsed = clamp(script.storageUsed?.(elapsed) ?? 0, 0, total)
    return { total, used: storageUsed, available: total - storageUsed, usagePercent: (storageUsed / total) * 100 }
  })()
  return {
    timestamp,
    memory: {
      total: device.totalMemory,
      used,
      available: capacity - used,
      usagePercent: memoryPercent,
      ...(device.memoryLimit === undefined ? {} : { limit: device.memoryLimit })
    },
    cpu: {
      cores: device.effectiveCores,
      usagePercent: cpuPercent,
      ...(device.supports.loadAverage ? { loadAverage: [busyCores, busyCores, busyCores] as const } : {})
    },
    pressure: {
      state: script.pressure?.(elapsed) ?? PressureState.fromUsage(memoryPercent, cpuPercent),
      source: "derived"
    },
    ...(device.supports.network ? { network: { online: script.online?.(elapsed) ?? true } } : {}),
    ...(battery === undefined || !device.supports.battery ? {} : { battery }),
    ...(storage === undefined || !device.supports.storage ? {} : { storage }),
    stale: false
  }
}

/** Builds the simulated device; virtual time starts now. */
export const make = Effect.fnUntraced(function*(spec: DeviceSpec) {
  const startedAt = yield* Clock.currentTimeMillis
  let script = spec.script
  let memory = 0
  let cores = 0
  let faults: Array<Fault> = []
  let readings = 0

  const sample: Effect.Effect<ResourceSnapshot, ProbeError> = Effect.suspend(() => {
    readings++
    const fault = faults.shift()
    switch (fault) {
      case "fail":
        return Effect.fail(new ProbeError({ reason: "Failed", message: "simulated probe failure" }))
      case "hang":
        return Effect.never
      case "die":
        return Effect.die(new Error("simulated probe crash"))
      case "invalid":
      case undefined:
        return Clock.currentTimeMillis.pipe(Effect.map((now) => {
          const reading = readingAt(spec, script, now - startedAt, now, { memory, cores })
          return fault === "invalid" ? { ...reading, memory: { ...reading.memory, used: Number.NaN } } : reading
        }))
    }
  })

  const occupy = (load: Load) =>
    Effect.acquireRelease(
      Effect.sync(() => {
        memory += load.memory ?? 0
        cores += load.cores ?? 0
      }),
      () =>
        Effect.sync(() => {
          memory -= load.memory ?? 0
          cores -= load.cores ?? 0
        })
    )

  const control: Service = {
    spec,
    occupy,
    setScript: (patch) => Effect.sync(() => void (script = { ...script, ...patch })),
    injectFault: (fault, count = 1) => Effect.sync(() => void (faults = [...faults, ...Array(count).fill(fault)])),
    readings: Effect.sync(() => readings)
  }
  return { control, probe: ResourceProbe.make({ device: spec.device, sample }) }
})

/** The device as a `ResourceProbe`, plus its `SimulatedDevice` controls. */
export const layer = (spec: DeviceSpec): Layer.Layer<ResourceProbe.ResourceProbe | SimulatedDevice> =>
  Layer.effectContext(make(spec).pipe(
    Effect.map(({ control, probe }) =>
      Context.make(SimulatedDevice, SimulatedDevice.of(control)).pipe(Context.add(ResourceProbe.ResourceProbe, probe))
    )
  ))
