import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Layer, Logger } from "effect"
import { TestClock } from "effect/testing"
import * as ResourceMonitor from "../src/ResourceMonitor.ts"
import * as DeviceScript from "../src/DeviceScript.ts"
import * as SimulatedDevice from "../src/SimulatedDevice.ts"
import { collecting } from "./utils.ts"

const GiB = 1024 ** 3

const monitorOn = ResourceMonitor.layerTest

const monitor = ResourceMonitor.ResourceMonitor
const device = SimulatedDevice.SimulatedDevice

describe("ResourceMonitor sampling", () => {
  it.effect("takes N+1 samples after N intervals, in virtual time", () =>
    Effect.gen(function*() {
      const m = yield* monitor
      const d = yield* device
      assert.strictEqual((yield* m.stats).samples, 1, "the first reading is taken while building")
      yield* TestClock.adjust("5 seconds")
      assert.strictEqual((yield* m.stats).samples, 6)
      assert.strictEqual(yield* d.readings, 6)
      yield* TestClock.adjust("10 seconds")
      assert.strictEqual((yield* m.stats).samples, 16)
    }).pipe(Effect.provide(monitorOn(SimulatedDevice.laptop))))

  it.effect("a shorter interval samples more often", () =>
    Effect.gen(function*() {
      const m = yield* monitor
      yield* TestClock.adjust("5 seconds")
      assert.strictEqual((yield* m.stats).samples, 21)
    }).pipe(Effect.provide(monitorOn(SimulatedDevice.laptop, { sampleInterval: 250 }))))

  it.effect("publishes every reading on changes and keeps a bounded history", () =>
    Effect.gen(function*() {
      const m = yield* monitor
      const seen = yield* collecting(m.changes)
      yield* TestClock.adjust("10 seconds")
      const changes = yield* seen
      assert.strictEqual(changes.length, 10)
      const history = yield* m.history
      assert.strictEqual(history.length, 4, "history keeps historySize readings")
      assert.deepStrictEqual(history.map((s) => s.timestamp), changes.slice(-4).map((s) => s.timestamp))
      assert.isTrue(history.every((s, i) => i === 0 || s.timestamp > history[i - 1]!.timestamp), "oldest first")
    }).pipe(Effect.provide(monitorOn(SimulatedDevice.laptop, { historySize: 4 }))))

  it.effect("sample takes a reading on demand and records it", () =>
    Effect.gen(function*() {
      const m = yield* monitor
      yield* TestClock.adjust("500 millis")
      const snapshot = yield* m.sample
      assert.strictEqual((yield* m.stats).samples, 2)
      assert.deepStrictEqual(yield* m.latest, snapshot)
      assert.strictEqual(snapshot.timestamp, 500)
    }).pipe(Effect.provide(monitorOn(SimulatedDevice.laptop))))

  it.effect("readings follow the script and react to occupied resources", () =>
    Effect.gen(function*() {
      const m = yield* monitor
      const d = yield* device
      const before = yield* m.sample
      assert.strictEqual(before.memory.used, 200 * 1024 ** 2)
      yield* Effect.scoped(Effect.gen(function*() {
        yield* d.occupy({ memory: 512 * 1024 ** 2, cores: 1 })
        const busy = yield* m.sample
        assert.strictEqual(busy.memory.used, 712 * 1024 ** 2)
        assert.strictEqual(busy.memory.limit, GiB)
        assert.closeTo(busy.memory.usagePercent, (712 / 1024) * 100, 1e-9)
        assert.strictEqual(busy.cpu.usagePercent, 55, "5% baseline + 1 of 2 cores")
      }))
      const after = yield* m.sample
      assert.strictEqual(after.memory.used, before.memory.used, "released when the scope closed")
    }).pipe(Effect.provide(monitorOn(SimulatedDevice.container))))

  it.effect("drops the optional readings that are turned off", () =>
    Effect.gen(function*() {
      const m = yield* monitor
      const snapshot = yield* m.latest
      assert.isUndefined(snapshot.battery)
      assert.isUndefined(snapshot.network)
      assert.isDefined(snapshot.storage)
    }).pipe(Effect.provide(monitorOn(SimulatedDevice.phone, {
      enableBatteryMonitoring: false,
      enableNetworkMonitoring: false
    }))))

  it.effect("systemLoad rises with memory use and stays within 0..1", () =>
    Effect.gen(function*() {
      const m = yield* monitor
      const loads: Array<number> = []
      for (let i = 0; i < 5; i++) {
        loads.push(yield* m.systemLoad)
        yield* TestClock.adjust("10 seconds")
      }
      assert.isTrue(loads.every((l) => l >= 0 && l <= 1))
      assert.isTrue(loads.every((l, i) => i === 0 || l > loads[i - 1]!), `increasing: ${loads}`)
    }).pipe(Effect.provide(monitorOn(SimulatedDevice.withScript(SimulatedDevice.workstation, {
      memoryUsed: DeviceScript.ramp({ from: 8 * GiB, to: 60 * GiB, over: "50 seconds" })
    })))))

  it.effect("an invalid configuration fails the layer with the field named", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(Effect.scoped(Layer.build(monitorOn(SimulatedDevice.laptop, { sampleInterval: 0 }))))
      assert.isTrue(Exit.isFailure(exit))
      const error = yield* Effect.flip(Effect.scoped(Layer.build(monitorOn(SimulatedDevice.laptop, { sampleInterval: 0 }))))
      assert.strictEqual(error._tag, "InvalidInput")
      assert.strictEqual(error.field, "sampleInterval")
    }))
})

describe("ResourceMonitor thresholds", () => {
  // 50% → 100% of the container's 1 GiB over 100 s, then back to 50% by 200 s.
  const rampUpAndDown = SimulatedDevice.withScript(SimulatedDevice.container, {
    memoryUsed: (t) => (t <= 100_000 ? 0.5 + 0.5 * (t / 100_000) : Math.max(0.5, 1 - 0.5 * ((t - 100_000) / 100_000))) * GiB
  })

  it.effect("a memory ramp fires one crossing and one clearing", () =>
    Effect.gen(function*() {
      const m = yield* monitor
      const events = yield* collecting(m.events)
      yield* TestClock.adjust("200 seconds")
      const seen = yield* events
      assert.deepStrictEqual(seen.map((e) => `${e.resource}:${e.kind}`), ["memory:crossed", "memory:cleared"])
      const [crossed, cleared] = seen
      assert.isTrue(crossed!.value >= 80 && crossed!.timestamp === 60_000, `crossed at 80%: ${crossed!.timestamp}`)
      assert.isTrue(cleared!.value < 75, "cleared only below threshold minus margin")
      assert.strictEqual(cleared!.clearAt, 75)
    }).pipe(Effect.provide(monitorOn(rampUpAndDown))))

  it.effect("hysteresis suppresses flapping around the threshold", () =>
    Effect.gen(function*() {
      const m = yield* monitor
      const events = yield* collecting(m.events)
      yield* TestClock.adjust("60 seconds")
      const seen = yield* events
      assert.deepStrictEqual(seen.map((e) => e.kind), ["crossed"])
      assert.isTrue((yield* m.alerts).memory)
    }).pipe(Effect.provide(monitorOn(SimulatedDevice.withScript(SimulatedDevice.container, {
      // 78% ↔ 82% every second: crosses 80 thirty times, never falls below 75.
      memoryUsed: (t) => (Math.floor(t / 1000) % 2 === 0 ? 0.78 : 0.82) * GiB
    })))))

  it.effect("without hysteresis the same readings would flap", () =>
    Effect.gen(function*() {
      const m = yield* monitor
      const events = yield* collecting(m.events)
      yield* TestClock.adjust("10 seconds")
      assert.strictEqual((yield* events).length, 10, "a zero margin clears on every dip")
    }).pipe(Effect.provide(monitorOn(SimulatedDevice.withScript(SimulatedDevice.container, {
      memoryUsed: (t) => (Math.floor(t / 1000) % 2 === 0 ? 0.78 : 0.82) * GiB
    }), { hysteresisPercent: 0 }))))

  it.effect("cpu crossings fire on their own threshold", () =>
    Effect.gen(function*() {
      const m = yield* monitor
      const events = yield* collecting(m.events)
      yield* TestClock.adjust("30 seconds")
      assert.deepStrictEqual((yield* events).map((e) => `${e.resource}:${e.kind}:${e.timestamp}`), [
        "cpu:crossed:10000",
        "cpu:cleared:20000"
      ])
    }).pipe(Effect.provide(monitorOn(SimulatedDevice.withScript(SimulatedDevice.laptop, {
      cpuUsage: DeviceScript.spike({ base: 20, peak: 97, at: "10 seconds", duration: "10 seconds" })
    })))))

  it.effect("a draining battery fires low once", () =>
    Effect.gen(function*() {
      const m = yield* monitor
      const events = yield* collecting(m.events)
      // 80% draining 0.5%/min reaches 20% after 120 minutes.
      yield* TestClock.adjust("130 minutes")
      const seen = yield* events
      assert.deepStrictEqual(seen.map((e) => `${e.resource}:${e.kind}`), ["battery:crossed"])
      assert.isTrue(seen[0]!.value <= 20)
      assert.strictEqual(seen[0]!.timestamp, 120 * 60_000)
    }).pipe(Effect.provide(monitorOn(SimulatedDevice.phone, { sampleInterval: 60_000 }))))

  it.effect("thresholdNotifications: false silences events", () =>
    Effect.gen(function*() {
      const m = yield* monitor
      const events = yield* collecting(m.events)
      yield* TestClock.adjust("200 seconds")
      assert.strictEqual((yield* events).length, 0)
    }).pipe(Effect.provide(monitorOn(rampUpAndDown, { thresholdNotifications: false }))))
})

describe("ResourceMonitor with a failing probe", () => {
  it.effect("keeps monitoring through failures, marks the reading stale, recovers", () =>
    Effect.gen(function*() {
      const m = yield* monitor
      const d = yield* device
      const changes = yield* collecting(m.changes)
      yield* d.injectFault("fail", 3)
      yield* TestClock.adjust("3 seconds")
      const stale = yield* m.latest
      assert.isTrue(stale.stale)
      assert.strictEqual(stale.timestamp, 0, "the last good reading, with its own timestamp")
      assert.deepStrictEqual(yield* m.stats, {
        samples: 1,
        failures: 3,
        timeouts: 0,
        consecutiveFailures: 3,
        lastFailure: "simulated probe failure"
      })
      yield* TestClock.adjust("1 second")
      const fresh = yield* m.latest
      assert.isFalse(fresh.stale)
      assert.strictEqual(fresh.timestamp, 4000)
      assert.strictEqual((yield* m.stats).consecutiveFailures, 0)
      assert.deepStrictEqual((yield* changes).map((s) => s.stale), [true, true, true, false])
      assert.strictEqual((yield* m.history).length, 2, "stale repeats are not history")
    }).pipe(Effect.provide(monitorOn(SimulatedDevice.laptop))))

  it.effect("a failure is logged: one warning when a run of failures starts, not one per failed sample", () => {
    const lines: Array<{ readonly level: string; readonly message: string }> = []
    const capture = Logger.make((options) => void lines.push({ level: options.logLevel, message: String(options.message) }))
    return Effect.gen(function*() {
      const d = yield* device
      yield* d.injectFault("fail", 3)
      yield* TestClock.adjust("3 seconds")
      const warnings = () => lines.filter((l) => l.level === "Warn" && l.message.includes("probe reading failed"))
      assert.strictEqual(warnings().length, 1)
      assert.match(warnings()[0]!.message, /\(Failed\): simulated probe failure; keeping the last good reading, marked stale/)
      yield* TestClock.adjust("1 second") // recovers
      yield* d.injectFault("fail", 1)
      yield* TestClock.adjust("1 second")
      assert.strictEqual(warnings().length, 2, "a new run after a recovery warns again")
    }).pipe(Effect.provide(monitorOn(SimulatedDevice.laptop)), Effect.provide(Logger.layer([capture])))
  })

  it.effect("a hanging probe times out and sampling continues", () =>
    Effect.gen(function*() {
      const m = yield* monitor
      const d = yield* device
      yield* d.injectFault("hang", 2)
      yield* TestClock.adjust("1 second")
      // The hanging sample started at 1 s; it is abandoned at 1 s + probeTimeout.
      yield* TestClock.adjust("300 millis")
      assert.strictEqual((yield* m.stats).timeouts, 1)
      assert.isTrue((yield* m.latest).stale)
      yield* TestClock.adjust("10 seconds")
      const stats = yield* m.stats
      assert.strictEqual(stats.timeouts, 2)
      assert.isTrue(stats.samples >= 8, `sampling went on: ${stats.samples}`)
      assert.isFalse((yield* m.latest).stale)
    }).pipe(Effect.provide(monitorOn(SimulatedDevice.laptop, { probeTimeout: 300 }))))

  it.effect("a crashing probe or an invalid reading is a counted failure, not a crash", () =>
    Effect.gen(function*() {
      const m = yield* monitor
      const d = yield* device
      yield* d.injectFault("die")
      yield* d.injectFault("invalid")
      yield* TestClock.adjust("2 seconds")
      const stats = yield* m.stats
      assert.strictEqual(stats.failures, 2)
      assert.match(stats.lastFailure ?? "", /memory\.used/, "the invalid field is named")
      yield* TestClock.adjust("1 second")
      assert.isFalse((yield* m.latest).stale)
    }).pipe(Effect.provide(monitorOn(SimulatedDevice.laptop))))

  it.effect("before any good reading, latest fails with the probe error and recovers later", () =>
    Effect.gen(function*() {
      const d = yield* device
      yield* d.injectFault("fail", 2)
      const m = yield* ResourceMonitor.make()
      const error = yield* Effect.flip(m.latest)
      assert.strictEqual(error._tag, "ProbeError")
      assert.strictEqual(error.reason, "Failed")
      assert.strictEqual((yield* Effect.flip(m.systemLoad)).reason, "Failed")
      yield* TestClock.adjust("2 seconds")
      assert.isFalse((yield* m.latest).stale)
    }).pipe(Effect.provide(SimulatedDevice.layer(SimulatedDevice.laptop))))
})
