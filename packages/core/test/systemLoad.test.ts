import { assert, describe, it } from "@effect/vitest"
import { systemLoad } from "../src/internal/systemLoad.ts"
import type { PressureState } from "../src/PressureState.ts"
import type { ResourceSnapshot } from "../src/ResourceSnapshot.ts"
import * as SimulatedDevice from "../src/SimulatedDevice.ts"

const base = SimulatedDevice.readingAt(SimulatedDevice.workstation, SimulatedDevice.workstation.script, 0, 0, { memory: 0, cores: 0 })
const at = (o: { memory: number; cpu: number; pressure?: PressureState; battery?: { level: number; charging: boolean } }): ResourceSnapshot => {
  const { battery: _, ...rest } = base
  return {
    ...rest,
    memory: { ...base.memory, usagePercent: o.memory },
    cpu: { ...base.cpu, usagePercent: o.cpu },
    pressure: { state: o.pressure ?? "nominal", source: "derived" },
    ...(o.battery === undefined ? {} : { battery: o.battery })
  }
}

describe("systemLoad", () => {
  it("is the tighter of memory and cpu when nothing else weighs", () => {
    assert.strictEqual(systemLoad(at({ memory: 30, cpu: 60 })), 0.6)
    assert.strictEqual(systemLoad(at({ memory: 70, cpu: 10 })), 0.7)
  })

  it("is 0 on an idle machine and 1 when a resource is exhausted", () => {
    assert.strictEqual(systemLoad(at({ memory: 0, cpu: 0 })), 0)
    assert.strictEqual(systemLoad(at({ memory: 100, cpu: 0 })), 1)
  })

  it("critical pressure halves the headroom", () => {
    assert.closeTo(systemLoad(at({ memory: 40, cpu: 0, pressure: "critical" })), 1 - 0.6 * 0.5, 1e-12)
    assert.closeTo(systemLoad(at({ memory: 40, cpu: 0, pressure: "fair" })), 1 - 0.6 * (1 - 1 / 6), 1e-12)
  })

  it("a draining battery weighs, a charging one does not", () => {
    assert.closeTo(systemLoad(at({ memory: 0, cpu: 0, battery: { level: 0, charging: false } })), 0.25, 1e-12)
    assert.closeTo(systemLoad(at({ memory: 0, cpu: 0, battery: { level: 50, charging: false } })), 0.125, 1e-12)
    assert.strictEqual(systemLoad(at({ memory: 0, cpu: 0, battery: { level: 5, charging: true } })), 0)
  })

  it("never leaves [0, 1] and never falls when an input rises", () => {
    const states: ReadonlyArray<PressureState> = ["nominal", "fair", "serious", "critical"]
    for (let memory = 0; memory <= 100; memory += 10) {
      for (let cpu = 0; cpu <= 100; cpu += 10) {
        for (const pressure of states) {
          for (let level = 0; level <= 100; level += 25) {
            const load = systemLoad(at({ memory, cpu, pressure, battery: { level, charging: false } }))
            assert.isTrue(load >= 0 && load <= 1)
            if (memory < 100) {
              assert.isAtLeast(systemLoad(at({ memory: memory + 10, cpu, pressure, battery: { level, charging: false } })), load)
            }
            if (level > 0) {
              assert.isAtLeast(systemLoad(at({ memory, cpu, pressure, battery: { level: level - 25, charging: false } })), load)
            }
          }
        }
      }
    }
  })
})
