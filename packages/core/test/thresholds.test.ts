import { assert, describe, it } from "@effect/vitest"
import { evaluate, noAlerts, rulesFor, type AlertState } from "../src/internal/thresholds.ts"
import * as MonitorConfig from "../src/MonitorConfig.ts"
import type { ResourceSnapshot } from "../src/ResourceSnapshot.ts"
import * as SimulatedDevice from "../src/SimulatedDevice.ts"

const base = SimulatedDevice.readingAt(SimulatedDevice.phone, SimulatedDevice.phone.script, 0, 0, { memory: 0, cores: 0 })
const at = (memory: number, cpu: number, battery: number, timestamp = 0): ResourceSnapshot => ({
  ...base,
  timestamp,
  memory: { ...base.memory, usagePercent: memory },
  cpu: { ...base.cpu, usagePercent: cpu },
  battery: { level: battery, charging: false }
})
const rules = rulesFor(MonitorConfig.defaults) // memory 80, cpu 90, battery 20, margin 5

const run = (readings: ReadonlyArray<ResourceSnapshot>) => {
  let state: AlertState = noAlerts
  const out: Array<string> = []
  for (const r of readings) {
    const step = evaluate(state, r, rules)
    state = step.state
    out.push(...step.events.map((e) => `${e.resource}:${e.kind}@${e.value}`))
  }
  return { state, events: out }
}

describe("thresholds with hysteresis", () => {
  it("memory fires at the threshold, not below", () => {
    assert.deepStrictEqual(run([at(79.9, 0, 100), at(80, 0, 100)]).events, ["memory:crossed@80"])
  })

  it("clears only below threshold minus margin", () => {
    const { events, state } = run([at(85, 0, 100), at(76, 0, 100), at(75, 0, 100), at(74.9, 0, 100)])
    assert.deepStrictEqual(events, ["memory:crossed@85", "memory:cleared@74.9"])
    assert.isFalse(state.memory)
  })

  it("fires again after clearing", () => {
    assert.deepStrictEqual(run([at(90, 0, 100), at(50, 0, 100), at(90, 0, 100)]).events, [
      "memory:crossed@90",
      "memory:cleared@50",
      "memory:crossed@90"
    ])
  })

  it("battery fires when falling to the threshold and clears above threshold plus margin", () => {
    assert.deepStrictEqual(run([at(0, 0, 21), at(0, 0, 20), at(0, 0, 24), at(0, 0, 25.5)]).events, [
      "battery:crossed@20",
      "battery:cleared@25.5"
    ])
  })

  it("a snapshot without battery leaves the battery alert untouched", () => {
    const { battery: _, ...noBattery } = at(0, 0, 10)
    const step = evaluate({ ...noAlerts, battery: true }, noBattery, rules)
    assert.deepStrictEqual(step.events, [])
    assert.isTrue(step.state.battery)
  })

  it("resources are independent", () => {
    assert.deepStrictEqual(run([at(85, 95, 10)]).events, ["memory:crossed@85", "cpu:crossed@95", "battery:crossed@10"])
  })
})
