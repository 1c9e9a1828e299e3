/**
 * From what the browser's APIs report to Provident's `DeviceInfo` and
 * `ResourceSnapshot`, as pure functions: `BrowserResourceProbe` gathers the
 * raw readings (each possibly absent) and these decide what they mean.
 *
 * Memory. A page cannot see the machine's memory, only its own, and its
 * proving work lives in WebAssembly memories that a 32-bit address space
 * caps at 4 GiB; iOS WebKit kills a tab long before that (around 1 GiB).
 * So the memory the work can count on (`memoryLimit`, or `totalMemory` when
 * no larger figure is known) is that ceiling, lowered on iOS; `used` is the
 * page's own footprint (`measureUserAgentSpecificMemory`, else the JS heap
 * from `performance.memory`). `navigator.deviceMemory` is coarse (a power
 * of two, clamped by the browser) and describes the device, not what the
 * page may use: it only sets `totalMemory`, never the budget.
 */
import * as DeviceInfo from "@provident/core/DeviceInfo"
import * as Pressure from "@provident/core/PressureState"
import type { ResourceSnapshot } from "@provident/core/ResourceSnapshot"
import type { PressureState } from "@provident/core/PressureState"
import { type AgentFacts, isMobile, isMobileSafari } from "./userAgent.ts"
import type { BatteryManagerLike, HeapMemoryLike, NetworkInformationLike, StorageEstimateLike } from "./webApis.ts"

export const GiB = 1024 ** 3

/** The most a wasm32 memory can hold: 2^32 bytes. */
export const WASM32_CEILING = 4 * GiB

/** A finite number ≥ 0, else undefined: APIs and stubs may hand anything. */
export const finite = (value: unknown): number | undefined =>
  typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : undefined

export interface MemoryCaps {
  /** Default `WASM32_CEILING`. */
  readonly ceiling: number
  /** The cap on iOS WebKit. */
  readonly mobileSafariCap: number
  /** Overrides user-agent detection of iOS WebKit. */
  readonly mobileSafari: boolean | undefined
}

export interface DeviceFacts extends AgentFacts {
  readonly hardwareConcurrency: number | undefined
  readonly deviceMemoryGiB: number | undefined
  /** The battery as first read, when `getBattery()` answered. */
  readonly battery: BatteryState | undefined
  readonly supports: {
    readonly memory: boolean
    readonly storage: boolean
    readonly network: boolean
    readonly pressure: boolean
    readonly process: boolean
  }
}

export interface BatteryState {
  readonly charging: boolean
  /** 0..1 */
  readonly level: number
  readonly chargingTime: number | undefined
  readonly dischargingTime: number | undefined
}

export interface NetworkState {
  readonly online: boolean
  readonly type: string | undefined
  readonly effectiveType: string | undefined
  readonly downlink: number | undefined
  readonly rtt: number | undefined
}

export interface StorageState {
  readonly quota: number
  readonly usage: number
}

export interface HeapState {
  readonly used: number
  readonly total: number
}

/** What a sample is made of, each part absent when its API is. */
export interface SampleReadings {
  readonly now: number
  readonly heap: HeapState | undefined
  /** The last `measureUserAgentSpecificMemory()` result, in bytes. */
  readonly pageBytes: number | undefined
  /** The last state `PressureObserver` delivered for the CPU. */
  readonly cpuPressure: PressureState | undefined
  readonly battery: BatteryState | undefined
  readonly network: NetworkState | undefined
  readonly storage: StorageState | undefined
}

export const batteryState = (manager: BatteryManagerLike): BatteryState | undefined => {
  const level = finite(manager.level)
  if (level === undefined || typeof manager.charging !== "boolean") return undefined
  return {
    charging: manager.charging,
    level: Math.min(1, level),
    chargingTime: finite(manager.chargingTime),
    dischargingTime: finite(manager.dischargingTime)
  }
}

/**
 * What the Battery Status API reports when there is no battery: charging,
 * full, charged already, never running out. Desktops (and headless
 * Chromium) answer exactly this, so it does not make a device a laptop.
 */
export const looksBatteryless = (battery: BatteryState): boolean =>
  battery.charging && battery.level === 1 && (battery.chargingTime ?? 0) === 0 && battery.dischargingTime === undefined

export const networkState = (onLine: unknown, connection: NetworkInformationLike | undefined): NetworkState | undefined =>
  typeof onLine !== "boolean" ? undefined : {
    online: onLine,
    type: typeof connection?.type === "string" ? connection.type : undefined,
    effectiveType: typeof connection?.effectiveType === "string" ? connection.effectiveType : undefined,
    downlink: finite(connection?.downlink),
    rtt: finite(connection?.rtt)
  }

export const storageState = (estimate: StorageEstimateLike | undefined): StorageState | undefined => {
  const quota = finite(estimate?.quota)
  return quota === undefined || quota === 0 ? undefined : { quota, usage: Math.min(quota, finite(estimate?.usage) ?? 0) }
}

export const heapState = (memory: HeapMemoryLike | undefined): HeapState | undefined => {
  const used = finite(memory?.usedJSHeapSize)
  const total = finite(memory?.totalJSHeapSize)
  return used === undefined || total === undefined ? undefined : { used, total: Math.max(used, total) }
}

/** A `PressureObserver` record's state, if it is one of the four. */
export const pressureState = (state: unknown): PressureState | undefined =>
  Pressure.levels.find((level) => level === state)

/** The memory the page's work can count on: the wasm32 ceiling, lowered on iOS WebKit. */
export const memoryCapacity = (caps: MemoryCaps, agent: AgentFacts): number =>
  (caps.mobileSafari ?? isMobileSafari(agent)) ? Math.min(caps.ceiling, caps.mobileSafariCap) : caps.ceiling

/** The static facts, as the `DeviceInfo` every budget starts from. */
export const toDevice = (facts: DeviceFacts, caps: MemoryCaps): DeviceInfo.DeviceInfo => {
  const capacity = memoryCapacity(caps, facts)
  const deviceBytes = (finite(facts.deviceMemoryGiB) ?? 0) * GiB
  // The device's memory when it is known to be larger; the limit is then the page's share of it.
  const totalMemory = Math.max(capacity, deviceBytes)
  const cores = finite(facts.hardwareConcurrency)
  const logicalCores = cores === undefined || cores < 1 ? 1 : Math.floor(cores)
  const hasBattery = facts.battery !== undefined && !looksBatteryless(facts.battery)
  return {
    platform: "browser",
    // Core's rules with the browser's facts: a page is never in a container, and has a display even when headless.
    deviceClass: DeviceInfo.classify({ platform: "browser", hasBattery, inContainer: false, headless: false, mobileHint: isMobile(facts) }),
    totalMemory,
    ...(capacity < totalMemory ? { memoryLimit: capacity } : {}),
    logicalCores,
    effectiveCores: logicalCores,
    supports: {
      memory: facts.supports.memory,
      // Cores are known (or assumed to be one); browsers expose no CPU usage.
      cpu: false,
      loadAverage: false,
      storage: facts.supports.storage,
      network: facts.supports.network,
      battery: facts.battery !== undefined,
      pressure: facts.supports.pressure,
      process: facts.supports.process
    }
  }
}

/** One reading, from the device and what the APIs reported at `readings.now`. */
export const toSnapshot = (device: DeviceInfo.DeviceInfo, readings: SampleReadings): ResourceSnapshot => {
  const capacity = device.memoryLimit ?? device.totalMemory
  const used = Math.min(capacity, readings.pageBytes ?? readings.heap?.used ?? 0)
  const usagePercent = (used / capacity) * 100
  // Memory has no pressure API in browsers; its share is derived from usage, as on a platform without PSI.
  const memoryPressure = device.supports.memory ? Pressure.fromUsage(usagePercent, 0) : undefined
  const pressure = readings.cpuPressure !== undefined
    ? {
      state: Pressure.max(readings.cpuPressure, memoryPressure ?? "nominal"),
      cpu: readings.cpuPressure,
      ...(memoryPressure === undefined ? {} : { memory: memoryPressure }),
      source: "compute-pressure" as const
    }
    : { state: memoryPressure ?? "nominal", source: "derived" as const }
  const { battery, network, storage, heap } = readings
  return {
    timestamp: readings.now,
    memory: {
      total: device.totalMemory,
      used,
      available: capacity - used,
      usagePercent,
      ...(device.memoryLimit === undefined ? {} : { limit: device.memoryLimit })
    },
    cpu: { cores: device.effectiveCores, usagePercent: 0 },
    ...(storage === undefined || !device.supports.storage ? {} : {
      storage: {
        total: storage.quota,
        used: storage.usage,
        available: storage.quota - storage.usage,
        usagePercent: (storage.usage / storage.quota) * 100
      }
    }),
    ...(network === undefined || !device.supports.network ? {} : {
      network: {
        online: network.online,
        // The link type where the browser tells it (`wifi`, `cellular`), else its speed class (`4g`).
        ...((network.type ?? network.effectiveType) === undefined ? {} : { type: (network.type ?? network.effectiveType)! }),
        ...(network.downlink === undefined ? {} : { downlinkMbps: network.downlink }),
        ...(network.rtt === undefined ? {} : { rttMs: network.rtt })
      }
    }),
    ...(battery === undefined || !device.supports.battery ? {} : {
      battery: {
        level: battery.level * 100,
        charging: battery.charging,
        ...(battery.charging || battery.dischargingTime === undefined ? {} : { dischargingTime: battery.dischargingTime })
      }
    }),
    pressure,
    ...(heap === undefined || !device.supports.process ? {} : {
      // No browser reports a resident set; the page's measured footprint, else its JS heap, stands in.
      process: { rss: readings.pageBytes ?? heap.total, heapUsed: heap.used, heapTotal: heap.total }
    }),
    stale: false
  }
}
