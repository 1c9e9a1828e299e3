import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { TestClock } from "effect/testing"
import * as ProbeContract from "../src/ProbeContract.ts"
import { ResourceProbe } from "../src/ResourceProbe.ts"
import * as SimulatedDevice from "../src/SimulatedDevice.ts"

const presets = { phone: SimulatedDevice.phone, laptop: SimulatedDevice.laptop, container: SimulatedDevice.container, workstation: SimulatedDevice.workstation }

for (const [name, spec] of Object.entries(presets)) {
  describe(`ResourceProbe contract: simulated ${name}`, () => {
    for (const check of ProbeContract.checks) {
      it.effect(check.name, () => check.run.pipe(Effect.provide(SimulatedDevice.layer(spec))))
    }
  })
}

describe("the contract catches a broken probe", () => {
  it.effect("a probe claiming more effective than logical cores fails the device check", () =>
    Effect.gen(function*() {
      const broken = { ...SimulatedDevice.laptop, device: { ...SimulatedDevice.laptop.device, effectiveCores: 12 } }
      const error = yield* Effect.flip(ProbeContract.checks[0]!.run.pipe(Effect.provide(SimulatedDevice.layer(broken))))
      assert.strictEqual((error as ProbeContract.ContractViolation)._tag, "ContractViolation")
    }))
})

describe("SimulatedDevice presets", () => {
  it.effect("the container has 2 effective cores under cpu.max 2.5 and a 1 GiB limit", () =>
    Effect.gen(function*() {
      const probe = yield* ResourceProbe
      assert.strictEqual(probe.device.effectiveCores, 2)
      assert.strictEqual(probe.device.container?.cpuLimit, 2.5)
      const snapshot = yield* probe.sample
      assert.strictEqual(snapshot.memory.limit, 1024 ** 3)
      assert.strictEqual(snapshot.memory.available, 1024 ** 3 - snapshot.memory.used)
    }).pipe(Effect.provide(SimulatedDevice.layer(SimulatedDevice.container))))

  it.effect("the phone's battery drains in virtual time and says how long it lasts", () =>
    Effect.gen(function*() {
      const probe = yield* ResourceProbe
      const start = yield* probe.sample
      yield* TestClock.adjust("10 minutes")
      const later = yield* probe.sample
      assert.strictEqual(start.battery?.level, 80)
      assert.strictEqual(later.battery?.level, 75)
      assert.closeTo(later.battery?.dischargingTime ?? 0, 75 / (0.5 / 60), 1e-6)
      assert.strictEqual(later.memory.limit, 3 * 1024 ** 3)
    }).pipe(Effect.provide(SimulatedDevice.layer(SimulatedDevice.phone))))

  it.effect("setScript changes readings from now on", () =>
    Effect.gen(function*() {
      const probe = yield* ResourceProbe
      const device = yield* SimulatedDevice.SimulatedDevice
      yield* device.setScript({ cpuUsage: () => 77, pressure: () => "serious" })
      const snapshot = yield* probe.sample
      assert.strictEqual(snapshot.cpu.usagePercent, 77)
      assert.strictEqual(snapshot.pressure.state, "serious")
    }).pipe(Effect.provide(SimulatedDevice.layer(SimulatedDevice.laptop))))
})
