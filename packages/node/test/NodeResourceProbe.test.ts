import { assert, describe, it } from "@effect/vitest"
import { ResourceProbe } from "@provident/core"
import { Effect } from "effect"
import { TestClock } from "effect/testing"
import * as os from "node:os"
import * as NodeResourceProbe from "../src/NodeResourceProbe.ts"
import { fixtureReader } from "./fixtures.ts"

const GiB = 1024 ** 3

// The probe's logic on this machine's os/process readings, but with cgroup
// and pressure files from fixtures: as if this process ran in those cgroups.
const inFixture = (tree: string) => NodeResourceProbe.layer({ readFile: fixtureReader(tree), factsTimeout: "3 seconds" })

describe("NodeResourceProbe in a simulated cgroup", () => {
  it.effect("a v2 container: limit, effective cores, working set and cgroup pressure", () =>
    Effect.gen(function*() {
      const probe = yield* ResourceProbe.ResourceProbe
      assert.strictEqual(probe.device.memoryLimit, Math.min(GiB, os.totalmem()))
      assert.deepStrictEqual(probe.device.container, {
        cgroupVersion: 2,
        path: "/app.slice/web.service",
        memoryLimit: GiB,
        cpuLimit: 2.5
      })
      assert.strictEqual(probe.device.effectiveCores, Math.min(os.availableParallelism(), 2.5))
      assert.strictEqual(probe.device.deviceClass, "server")
      // it.effect runs on the TestClock: let a second pass so CPU usage has an interval.
      yield* TestClock.adjust("1 second")
      const snapshot = yield* probe.sample
      assert.strictEqual(snapshot.memory.limit, GiB)
      assert.strictEqual(snapshot.memory.used, 512 * 1024 ** 2, "the limiting cgroup's working set")
      assert.strictEqual(snapshot.memory.usagePercent, 50)
      assert.isAtMost(snapshot.memory.available, 512 * 1024 ** 2)
      assert.strictEqual(snapshot.cpu.usagePercent, 0, "the fixture's cgroup CPU time does not move")
      // cpu some 55% → serious; memory full 5.5% → serious
      assert.deepStrictEqual(snapshot.pressure, { state: "serious", cpu: "serious", memory: "serious", source: "psi" })
    }).pipe(Effect.provide(inFixture("cgroup/v2-nested"))))

  it.effect("without cgroups or PSI, pressure is derived and nothing is limited", () =>
    Effect.gen(function*() {
      const probe = yield* ResourceProbe.ResourceProbe
      const snapshot = yield* probe.sample
      assert.isUndefined(probe.device.container)
      assert.isFalse(probe.device.supports.pressure)
      assert.strictEqual(snapshot.pressure.source, "derived")
      assert.strictEqual(snapshot.memory.total, os.totalmem())
    }).pipe(Effect.provide(NodeResourceProbe.layer({ readFile: () => undefined, factsTimeout: "3 seconds" }))))
})

describe("NodeResourceProbe under process.constrainedMemory()", () => {
  const constrainedTo = (limit: number | undefined, available: number) =>
    NodeResourceProbe.layer({
      readFile: () => undefined,
      factsTimeout: "3 seconds",
      processMemory: { constrainedMemory: () => limit, availableMemory: () => available }
    })

  // A quarter of this machine's memory, a multiple of 4 bytes so that the figures below are exact.
  const limit = 4 * Math.floor(os.totalmem() / 16)

  it.effect("a limit Node reports without cgroups bounds the memory; usage is what is not available under it", () =>
    Effect.gen(function*() {
      const probe = yield* ResourceProbe.ResourceProbe
      assert.strictEqual(probe.device.memoryLimit, limit)
      assert.isUndefined(probe.device.container, "no cgroup was found")
      const snapshot = yield* probe.sample
      assert.strictEqual(snapshot.memory.limit, limit)
      assert.strictEqual(snapshot.memory.used, 0.75 * limit)
      assert.strictEqual(snapshot.memory.usagePercent, 75)
      assert.isAtMost(snapshot.memory.available, 0.25 * limit)
    }).pipe(Effect.provide(constrainedTo(limit, limit / 4))))

  it.effect("Node's 'no constraint' (2^64-ish) and a limit above physical memory limit nothing", () =>
    Effect.gen(function*() {
      for (const limit of [2 ** 64, os.totalmem() * 2, undefined]) {
        const probe = yield* ResourceProbe.ResourceProbe.pipe(Effect.provide(constrainedTo(limit, GiB)))
        assert.isUndefined(probe.device.memoryLimit, `constrainedMemory() = ${limit}`)
        const snapshot = yield* probe.sample
        assert.isUndefined(snapshot.memory.limit)
        assert.strictEqual(snapshot.memory.total, os.totalmem())
      }
    }))
})

describe("NodeResourceProbe facts from systeminformation", () => {
  /** A laptop on battery as systeminformation would describe it; `level` is what the next battery read answers. */
  const laptop = (state: { level: number; charging: boolean; reads: number }): NodeResourceProbe.SystemInformation => ({
    battery: () => {
      state.reads++
      return Promise.resolve({ hasBattery: true, percent: state.level, isCharging: state.charging, timeRemaining: state.charging ? -1 : 90 } as never)
    },
    system: () => Promise.resolve({ manufacturer: "Framework", model: "Laptop 13" } as never),
    networkInterfaces: () => Promise.resolve({ iface: "wlan0", type: "wireless" } as never)
  })

  it.effect("battery level, charging and time left (minutes → seconds), re-read every 30 s by the clock; network type; model", () => {
    const state = { level: 64, charging: false, reads: 0 }
    return Effect.gen(function*() {
      const probe = yield* ResourceProbe.ResourceProbe
      assert.isTrue(probe.device.supports.battery)
      assert.strictEqual(probe.device.model, "Framework Laptop 13")
      const first = yield* probe.sample
      assert.deepStrictEqual(first.battery, { level: 64, charging: false, dischargingTime: 90 * 60 })
      assert.strictEqual(first.network?.type, "wireless")
      assert.strictEqual(state.reads, 1, "read once at start")

      Object.assign(state, { level: 63, charging: true })
      yield* TestClock.adjust("10 seconds")
      assert.strictEqual((yield* probe.sample).battery?.level, 64, "not re-read within 30 s")
      yield* TestClock.adjust("25 seconds")
      const later = yield* probe.sample
      assert.deepStrictEqual(later.battery, { level: 63, charging: true }, "charging: no time left to report")
      assert.strictEqual(state.reads, 2)
    }).pipe(Effect.provide(NodeResourceProbe.layer({ readFile: () => undefined, systemInformation: laptop(state) })))
  })

  it.effect("a machine without a battery has none, and says so", () =>
    Effect.gen(function*() {
      const probe = yield* ResourceProbe.ResourceProbe
      assert.isFalse(probe.device.supports.battery)
      assert.isUndefined((yield* probe.sample).battery)
    }).pipe(Effect.provide(NodeResourceProbe.layer({
      readFile: () => undefined,
      systemInformation: {
        battery: () => Promise.resolve({ hasBattery: false, percent: 0, isCharging: false } as never),
        system: () => Promise.reject(new Error("no DMI here")),
        networkInterfaces: () => Promise.resolve([] as never)
      }
    }))))
})
