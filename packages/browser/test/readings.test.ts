/**
 * The pure mapping from browser readings to DeviceInfo and snapshots, on
 * stubbed facts: caps, the device class, absent APIs, pressure.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Readings from "../src/internal/readings.ts"
import * as UserAgent from "../src/internal/userAgent.ts"

const GiB = Readings.GiB
const UA = {
  chromeLinux: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36",
  iPhone: "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1",
  chromeIOS: "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/130.0 Mobile/15E148 Safari/604.1",
  iPadDesktop: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Safari/605.1.15",
  android: "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Mobile Safari/537.36"
}

const caps: Readings.MemoryCaps = { ceiling: Readings.WASM32_CEILING, mobileSafariCap: GiB, mobileSafari: undefined }
const none = { memory: false, storage: false, network: false, pressure: false, process: false }
const all = { memory: true, storage: true, network: true, pressure: true, process: true }
const facts = (overrides: Partial<Readings.DeviceFacts> = {}): Readings.DeviceFacts => ({
  userAgent: UA.chromeLinux,
  uaMobile: false,
  maxTouchPoints: 0,
  hardwareConcurrency: 8,
  deviceMemoryGiB: 16,
  battery: undefined,
  supports: all,
  ...overrides
})
const empty: Readings.SampleReadings = {
  now: 1_000,
  heap: undefined,
  pageBytes: undefined,
  cpuPressure: undefined,
  battery: undefined,
  network: undefined,
  storage: undefined
}

describe("userAgent", () => {
  it("iOS WebKit is 'mobile Safari', whatever the browser's brand; an iPad asking for desktop sites too", () => {
    const agent = (userAgent: string, maxTouchPoints = 5) => ({ userAgent, uaMobile: undefined, maxTouchPoints })
    expect(UserAgent.isMobileSafari(agent(UA.iPhone))).toBe(true)
    expect(UserAgent.isMobileSafari(agent(UA.chromeIOS))).toBe(true)
    expect(UserAgent.isMobileSafari(agent(UA.iPadDesktop))).toBe(true)
    expect(UserAgent.isMobileSafari(agent(UA.iPadDesktop, 0))).toBe(false) // a Mac
    expect(UserAgent.isMobileSafari(agent(UA.android))).toBe(false)
    expect(UserAgent.isMobileSafari({ userAgent: undefined, uaMobile: undefined, maxTouchPoints: undefined })).toBe(false)
  })

  it("mobile: the browser's hint wins over the user agent", () => {
    expect(UserAgent.isMobile({ userAgent: UA.android, uaMobile: undefined, maxTouchPoints: 5 })).toBe(true)
    expect(UserAgent.isMobile({ userAgent: UA.chromeLinux, uaMobile: undefined, maxTouchPoints: 0 })).toBe(false)
    expect(UserAgent.isMobile({ userAgent: UA.chromeLinux, uaMobile: true, maxTouchPoints: 0 })).toBe(true)
    expect(UserAgent.isMobile({ userAgent: UA.android, uaMobile: false, maxTouchPoints: 5 })).toBe(false)
  })
})

describe("toDevice", () => {
  it("a desktop: the wasm32 ceiling is the limit under the device's memory; cores from hardwareConcurrency", () => {
    const device = Readings.toDevice(facts(), caps)
    expect(device).toMatchObject({ platform: "browser", deviceClass: "workstation", totalMemory: 16 * GiB, memoryLimit: 4 * GiB })
    expect([device.logicalCores, device.effectiveCores]).toEqual([8, 8])
    expect(device.supports).toMatchObject({ cpu: false, loadAverage: false, battery: false })
  })

  it("without deviceMemory the ceiling is all that is known: total, no separate limit", () => {
    const device = Readings.toDevice(facts({ deviceMemoryGiB: undefined }), caps)
    expect(device.totalMemory).toBe(4 * GiB)
    expect(device.memoryLimit).toBeUndefined()
  })

  it("deviceMemory below the ceiling never lowers the budget (it is coarse): it only describes the device", () => {
    const device = Readings.toDevice(facts({ deviceMemoryGiB: 2 }), caps)
    expect([device.totalMemory, device.memoryLimit]).toEqual([4 * GiB, undefined])
  })

  it("iOS WebKit is capped at mobileSafariCap and is mobile; the cap and the detection are configurable", () => {
    const iPhone = Readings.toDevice(facts({ userAgent: UA.iPhone, uaMobile: undefined, maxTouchPoints: 5, deviceMemoryGiB: undefined }), caps)
    expect(iPhone).toMatchObject({ deviceClass: "mobile", totalMemory: GiB })
    const custom = Readings.toDevice(facts({ userAgent: UA.iPhone, uaMobile: undefined }), { ...caps, mobileSafariCap: 1.5 * GiB })
    expect(custom.memoryLimit).toBe(1.5 * GiB)
    const forced = Readings.toDevice(facts(), { ...caps, mobileSafari: true })
    expect(forced.memoryLimit).toBe(GiB)
    const notSafari = Readings.toDevice(facts({ userAgent: UA.iPhone, uaMobile: undefined }), { ...caps, mobileSafari: false })
    expect(notSafari.memoryLimit).toBe(4 * GiB)
  })

  it("a real battery makes a laptop; the no-battery answer of desktops (charging, full, Infinity) does not", () => {
    const laptop = Readings.toDevice(facts({ battery: { charging: false, level: 0.5, chargingTime: undefined, dischargingTime: 3600 } }), caps)
    expect([laptop.deviceClass, laptop.supports.battery]).toEqual(["laptop", true])
    const desktop = Readings.toDevice(facts({ battery: { charging: true, level: 1, chargingTime: 0, dischargingTime: undefined } }), caps)
    expect([desktop.deviceClass, desktop.supports.battery]).toEqual(["workstation", true])
  })

  it("every API absent: one core, the ceiling, nothing supported", () => {
    const device = Readings.toDevice(
      { userAgent: undefined, uaMobile: undefined, maxTouchPoints: undefined, hardwareConcurrency: undefined, deviceMemoryGiB: undefined, battery: undefined, supports: none },
      caps
    )
    expect(device).toMatchObject({ deviceClass: "workstation", totalMemory: 4 * GiB, logicalCores: 1, effectiveCores: 1 })
    expect(Object.values(device.supports).every((s) => !s)).toBe(true)
  })

  it("nonsense from an API is ignored, not trusted", () => {
    const device = Readings.toDevice(facts({ hardwareConcurrency: Number.NaN, deviceMemoryGiB: -4 }), caps)
    expect([device.logicalCores, device.totalMemory]).toEqual([1, 4 * GiB])
  })
})

describe("toSnapshot", () => {
  const device = Readings.toDevice(facts({ battery: { charging: false, level: 0.25, chargingTime: undefined, dischargingTime: 1800 } }), caps)

  it("memory: the page's measured footprint, else its JS heap, within the limit", () => {
    const heapOnly = Readings.toSnapshot(device, { ...empty, heap: { used: GiB, total: 1.5 * GiB } })
    expect(heapOnly.memory).toEqual({ total: 16 * GiB, used: GiB, available: 3 * GiB, usagePercent: 25, limit: 4 * GiB })
    expect(heapOnly.process).toEqual({ rss: 1.5 * GiB, heapUsed: GiB, heapTotal: 1.5 * GiB })
    const measured = Readings.toSnapshot(device, { ...empty, heap: { used: GiB, total: 1.5 * GiB }, pageBytes: 2 * GiB })
    expect([measured.memory.used, measured.process?.rss]).toEqual([2 * GiB, 2 * GiB])
    const over = Readings.toSnapshot(device, { ...empty, pageBytes: 9 * GiB })
    expect([over.memory.used, over.memory.available, over.memory.usagePercent]).toEqual([4 * GiB, 0, 100])
  })

  it("pressure: Compute Pressure's CPU state, worsened by memory usage; derived from memory before any record", () => {
    const calm = Readings.toSnapshot(device, { ...empty, heap: { used: GiB, total: GiB }, cpuPressure: "fair" })
    expect(calm.pressure).toEqual({ state: "fair", cpu: "fair", memory: "nominal", source: "compute-pressure" })
    const full = Readings.toSnapshot(device, { ...empty, heap: { used: 3.5 * GiB, total: 3.5 * GiB }, cpuPressure: "nominal" })
    expect(full.pressure).toEqual({ state: "serious", cpu: "nominal", memory: "serious", source: "compute-pressure" })
    const derived = Readings.toSnapshot(device, { ...empty, heap: { used: 3 * GiB, total: 3 * GiB } })
    expect(derived.pressure).toEqual({ state: "fair", source: "derived" })
  })

  it("battery, network and storage as the APIs report them", () => {
    const snapshot = Readings.toSnapshot(device, {
      ...empty,
      battery: { charging: false, level: 0.25, chargingTime: undefined, dischargingTime: 1800 },
      network: { online: true, type: undefined, effectiveType: "4g", downlink: 10, rtt: 50 },
      storage: { quota: 1000, usage: 250 }
    })
    expect(snapshot.battery).toEqual({ level: 25, charging: false, dischargingTime: 1800 })
    expect(snapshot.network).toEqual({ online: true, type: "4g", downlinkMbps: 10, rttMs: 50 })
    expect(snapshot.storage).toEqual({ total: 1000, used: 250, available: 750, usagePercent: 25 })
    expect(snapshot.cpu).toEqual({ cores: 8, usagePercent: 0 })
    expect([snapshot.timestamp, snapshot.stale]).toEqual([1_000, false])
  })

  it("readings of unsupported APIs are left out, whatever is passed", () => {
    const bare = Readings.toDevice(facts({ supports: none }), caps)
    const snapshot = Readings.toSnapshot(bare, {
      ...empty,
      heap: { used: 1, total: 1 },
      network: { online: true, type: undefined, effectiveType: undefined, downlink: undefined, rtt: undefined },
      storage: { quota: 10, usage: 1 }
    })
    expect(Object.keys(snapshot).sort()).toEqual(["cpu", "memory", "pressure", "stale", "timestamp"])
    expect(snapshot.pressure).toEqual({ state: "nominal", source: "derived" })
  })
})

describe("API shapes", () => {
  it("battery, storage, heap and pressure values are checked before use", () => {
    expect(Readings.batteryState({ charging: true, level: 2 })).toEqual({ charging: true, level: 1, chargingTime: undefined, dischargingTime: undefined })
    expect(Readings.batteryState({ level: 0.5 })).toBeUndefined()
    expect(Readings.looksBatteryless({ charging: true, level: 1, chargingTime: 0, dischargingTime: undefined })).toBe(true)
    expect(Readings.looksBatteryless({ charging: true, level: 1, chargingTime: 0, dischargingTime: 100 })).toBe(false)
    expect(Readings.storageState({ quota: 0, usage: 0 })).toBeUndefined()
    expect(Readings.storageState({ quota: 100, usage: 500 })).toEqual({ quota: 100, usage: 100 })
    expect(Readings.heapState({ usedJSHeapSize: 5 })).toBeUndefined()
    expect(Readings.pressureState("serious")).toBe("serious")
    expect(Readings.pressureState("meltdown")).toBeUndefined()
    expect(Readings.networkState(undefined, { effectiveType: "4g" })).toBeUndefined()
  })
})
