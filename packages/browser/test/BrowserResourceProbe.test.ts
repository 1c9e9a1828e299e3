/**
 * The browser probe in real headless Chromium: real readings, the shared
 * probe contract, and graceful degradation when APIs are missing, hostile
 * or deleted.
 */
import { assert, describe, it, layer } from "@effect/vitest"
import { ResourceMonitor, ResourceProbe } from "@provident/core"
import { ProbeContract } from "@provident/core/testing"
import { Effect, Layer, Schedule } from "effect"
import * as BrowserProvident from "../src/BrowserProvident.ts"
import * as BrowserResourceProbe from "../src/BrowserResourceProbe.ts"
import type * as WebApis from "../src/internal/webApis.ts"

const GiB = 1024 ** 3

const nothing: WebApis.Globals = { navigator: undefined, performance: undefined, crossOriginIsolated: false, PressureObserver: undefined, events: undefined }

/** Stubs whose every access throws or rejects or never settles. */
const hostile = (): WebApis.Globals => {
  const boom = () => {
    throw new Error("SecurityError")
  }
  const navigator = {
    get userAgent(): string {
      return boom()
    },
    get hardwareConcurrency(): number {
      return boom()
    },
    get onLine(): boolean {
      return boom()
    },
    getBattery: () => Promise.reject(new Error("NotAllowedError")),
    storage: { estimate: () => new Promise<never>(() => {}) }
  }
  class Observer {
    static knownSources = ["cpu"]
    observe = () => Promise.reject(new Error("NotAllowedError"))
    disconnect = boom
  }
  return {
    navigator,
    performance: {
      get memory(): WebApis.HeapMemoryLike {
        return boom()
      }
    },
    crossOriginIsolated: true,
    PressureObserver: Observer,
    events: { addEventListener: boom, removeEventListener: boom }
  }
}

const contract = (name: string, probe: Layer.Layer<ResourceProbe.ResourceProbe, unknown>) =>
  layer(probe, { excludeTestServices: true })(`ResourceProbe contract: ${name}`, (it) => {
    for (const check of ProbeContract.checks) it.effect(check.name, () => check.run)
  })

contract("live browser probe", BrowserResourceProbe.layer())
contract("no APIs at all", BrowserResourceProbe.layer({ globals: nothing }))
contract("APIs that throw, reject or hang", BrowserResourceProbe.layer({ globals: hostile(), startupTimeout: 50 }))

layer(BrowserResourceProbe.layer(), { excludeTestServices: true })("BrowserResourceProbe in Chromium", (it) => {
  it.effect("reads real values: cores, memory, storage quota, network, the battery stub", () =>
    Effect.gen(function*() {
      const { device, sample } = yield* ResourceProbe.ResourceProbe
      assert.strictEqual(device.platform, "browser")
      assert.strictEqual(device.logicalCores, navigator.hardwareConcurrency)
      assert.isAtLeast(device.effectiveCores, 1)
      assert.strictEqual(device.memoryLimit ?? device.totalMemory, 4 * GiB, "the wasm32 ceiling")
      assert.strictEqual(device.deviceClass, "workstation", "headless Chromium: no battery, not mobile")
      assert.deepInclude(device.supports, { memory: true, storage: true, network: true, battery: true, process: true })
      const snapshot = yield* sample
      assert.isAtLeast(snapshot.cpu.cores, 1)
      assert.isAbove(snapshot.memory.used, 0, "the JS heap of this page")
      assert.isAbove(snapshot.storage?.total ?? 0, 0, "storage.estimate() quota")
      assert.strictEqual(snapshot.network?.online, true)
      assert.deepStrictEqual(snapshot.battery, { level: 100, charging: true })
      assert.isAbove(snapshot.process?.heapTotal ?? 0, 0)
      assert.isTrue(Math.abs(snapshot.timestamp - Date.now()) < 60_000, "timestamps are wall-clock milliseconds")
    }))

  it.effect("a pressure state arrives from PressureObserver within a few seconds", () =>
    Effect.gen(function*() {
      const probe = yield* ResourceProbe.ResourceProbe
      assert.isTrue(probe.device.supports.pressure)
      const snapshot = yield* probe.sample.pipe(
        Effect.repeat({ schedule: Schedule.spaced("100 millis"), until: (s) => s.pressure.source === "compute-pressure" }),
        Effect.timeout("6 seconds")
      )
      assert.oneOf(snapshot.pressure.cpu, ["nominal", "fair", "serious", "critical"])
    }))
})

describe("BrowserResourceProbe degrades", () => {
  it.live("without any API: nothing is read, nothing is claimed, nothing throws", () =>
    Effect.gen(function*() {
      const probe = yield* BrowserResourceProbe.make({ globals: nothing })
      assert.deepStrictEqual(Object.values(probe.device.supports), [false, false, false, false, false, false, false, false])
      assert.deepInclude(probe.device, { logicalCores: 1, totalMemory: 4 * GiB, deviceClass: "workstation" })
      const snapshot = yield* probe.sample
      assert.deepStrictEqual(Object.keys(snapshot).sort(), ["cpu", "memory", "pressure", "stale", "timestamp"])
      assert.deepStrictEqual(snapshot.pressure, { state: "nominal", source: "derived" })
    }).pipe(Effect.scoped))

  it.live("with APIs that throw, reject or never answer, within the startup timeout", () =>
    Effect.gen(function*() {
      const started = performance.now()
      const probe = yield* BrowserResourceProbe.make({ globals: hostile(), startupTimeout: 50 })
      assert.isBelow(performance.now() - started, 1000)
      assert.isFalse(probe.device.supports.battery || probe.device.supports.storage || probe.device.supports.pressure)
      assert.isFalse(probe.device.supports.memory || probe.device.supports.network)
      assert.strictEqual((yield* probe.sample).stale, false)
    }).pipe(Effect.scoped))

  it.live("with the real APIs deleted from Chromium", () =>
    Effect.gen(function*() {
      const deletions: Array<readonly [object, string]> = [
        [Navigator.prototype, "getBattery"],
        [Navigator.prototype, "connection"],
        [Navigator.prototype, "deviceMemory"],
        [StorageManager.prototype, "estimate"],
        [Performance.prototype, "memory"],
        [globalThis, "PressureObserver"]
      ]
      yield* Effect.acquireRelease(
        Effect.sync(() =>
          deletions.map(([owner, key]) => {
            const descriptor = Object.getOwnPropertyDescriptor(owner, key)
            Reflect.deleteProperty(owner, key)
            return [owner, key, descriptor] as const
          })
        ),
        (saved) => Effect.sync(() => saved.forEach(([owner, key, d]) => d !== undefined && Object.defineProperty(owner, key, d)))
      )
      assert.isUndefined((navigator as { getBattery?: unknown }).getBattery)
      const probe = yield* BrowserResourceProbe.make()
      assert.deepInclude(probe.device.supports, { battery: false, storage: false, pressure: false, memory: false, process: false, network: true })
      assert.strictEqual(probe.device.totalMemory, 4 * GiB, "no deviceMemory: the ceiling is all that is known")
      const snapshot = yield* probe.sample
      assert.isUndefined(snapshot.battery)
      assert.isUndefined(snapshot.storage)
      assert.deepStrictEqual(snapshot.network, { online: true })
      assert.strictEqual(snapshot.pressure.source, "derived")
    }).pipe(Effect.scoped))
})

describe("BrowserResourceProbe follows change events", () => {
  it.live("battery, online/offline, connection and pressure changes show in the next sample", () =>
    Effect.gen(function*() {
      const battery = Object.assign(new EventTarget(), { charging: true, level: 0.9, chargingTime: 600, dischargingTime: Infinity })
      const connection = Object.assign(new EventTarget(), { effectiveType: "4g", downlink: 10, rtt: 50 })
      const events = new EventTarget()
      let onLine = true
      let deliver: (records: ReadonlyArray<WebApis.PressureRecordLike>) => void = () => {}
      class Observer {
        constructor(callback: typeof deliver) {
          deliver = callback
        }
        observe = () => Promise.resolve()
        disconnect = () => {}
      }
      const probe = yield* BrowserResourceProbe.make({
        globals: {
          navigator: { get onLine() { return onLine }, connection, getBattery: () => Promise.resolve(battery), hardwareConcurrency: 4 },
          performance: undefined,
          crossOriginIsolated: false,
          PressureObserver: Observer,
          events
        }
      })
      assert.strictEqual(probe.device.deviceClass, "laptop", "a battery that is charging but not full")
      assert.deepInclude(yield* probe.sample, { battery: { level: 90, charging: true }, pressure: { state: "nominal", source: "derived" } })

      Object.assign(battery, { charging: false, level: 0.15, dischargingTime: 900 })
      battery.dispatchEvent(new Event("chargingchange"))
      onLine = false
      events.dispatchEvent(new Event("offline"))
      Object.assign(connection, { effectiveType: "2g", downlink: 0.2 })
      connection.dispatchEvent(new Event("change"))
      deliver([{ source: "cpu", state: "critical" }])

      const after = yield* probe.sample
      assert.deepStrictEqual(after.battery, { level: 15, charging: false, dischargingTime: 900 })
      assert.deepStrictEqual(after.network, { online: false, type: "2g", downlinkMbps: 0.2, rttMs: 50 })
      assert.deepStrictEqual(after.pressure, { state: "critical", cpu: "critical", source: "compute-pressure" })
    }).pipe(Effect.scoped))

  it.live("a cross-origin isolated page counts its whole footprint (measureUserAgentSpecificMemory), refreshed in the background", () =>
    Effect.gen(function*() {
      let measured = 0
      const globals = (crossOriginIsolated: boolean): WebApis.Globals => ({
        ...nothing,
        crossOriginIsolated,
        performance: {
          memory: { usedJSHeapSize: 100 * 2 ** 20, totalJSHeapSize: 120 * 2 ** 20 },
          measureUserAgentSpecificMemory: () => Promise.resolve({ bytes: 300 * 2 ** 20 + measured++ })
        }
      })
      const isolated = yield* BrowserResourceProbe.make({ globals: globals(true), pageMemoryRefresh: 20 })
      yield* Effect.sleep("100 millis")
      const snapshot = yield* isolated.sample
      assert.isAtLeast(snapshot.memory.used, 300 * 2 ** 20, "the measured footprint, not the JS heap")
      assert.isAbove(measured, 2, "measured again and again")
      assert.deepInclude(snapshot.process!, { heapUsed: 100 * 2 ** 20, heapTotal: 120 * 2 ** 20 })
      measured = 0
      const plain = yield* BrowserResourceProbe.make({ globals: globals(false) })
      assert.strictEqual((yield* plain.sample).memory.used, 100 * 2 ** 20, "not isolated: the JS heap")
      assert.strictEqual(measured, 0, "never measured")
    }).pipe(Effect.scoped))

  it.live("invalid options fail with InvalidInput naming the field", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Effect.scoped(BrowserResourceProbe.make({ memoryCeiling: 10, pressureSampleInterval: 1 })))
      assert.strictEqual(error._tag, "InvalidInput")
      assert.include(error.message, "memoryCeiling: must be at least 1 MiB")
      assert.include(error.message, "pressureSampleInterval: must be at least 10 ms")
    }))
})

describe("the monitor over the browser probe", () => {
  it.live("samples in real time and computes a load", () =>
    Effect.gen(function*() {
      const monitor = yield* ResourceMonitor.ResourceMonitor
      const first = yield* monitor.latest
      yield* Effect.sleep("120 millis")
      const second = yield* monitor.sample
      assert.isFalse(first.stale)
      assert.isAtLeast(second.timestamp, first.timestamp)
      assert.isAtLeast((yield* monitor.history).length, 2)
      const load = yield* monitor.systemLoad
      assert.isTrue(load >= 0 && load <= 1)
      assert.strictEqual((yield* monitor.stats).failures, 0)
    }).pipe(Effect.provide(BrowserProvident.layerMonitor({ monitor: { sampleInterval: 50 } }))))
})
