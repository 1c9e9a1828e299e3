import { assert, describe, it } from "@effect/vitest"
import { adaptive, fixed, type BudgetInput } from "../src/internal/budget.ts"
import type { ResourceSnapshot } from "../src/ResourceSnapshot.ts"
import * as SimulatedDevice from "../src/SimulatedDevice.ts"
import { GiB, testbox } from "./allocatorFixtures.ts"

const snapshotOf = (spec: SimulatedDevice.DeviceSpec, patch: Partial<ResourceSnapshot> = {}): ResourceSnapshot => ({
  ...SimulatedDevice.readingAt(spec, spec.script, 0, 0, { memory: 0, cores: 0 }),
  ...patch
})
const input = (spec: SimulatedDevice.DeviceSpec, patch: Partial<ResourceSnapshot> = {}, extra: Partial<BudgetInput> = {}): BudgetInput => ({
  snapshot: snapshotOf(spec, patch),
  device: spec.device,
  maxMemoryPercentage: 100,
  maxCpuPercentage: 100,
  granted: { memory: 0, cores: 0 },
  ...extra
})
const withUsed = (used: number): Partial<ResourceSnapshot> => ({
  memory: { total: 10 * GiB, used, available: 10 * GiB - used, usagePercent: used / (10 * GiB) * 100 }
})

describe("fixed strategies", () => {
  it("take their share of the memory others leave free, and of the cores", () => {
    assert.deepStrictEqual(
      [fixed("conservative", input(testbox)), fixed("balanced", input(testbox)), fixed("aggressive", input(testbox))].map((b) => [b.memory / GiB, b.cores]),
      [[5, 2], [7, 3], [9, 4]]
    )
  })

  it("our own grants do not shrink the budget; others' use does", () => {
    const ours = fixed("aggressive", input(testbox, withUsed(4 * GiB), { granted: { memory: 4 * GiB, cores: 1 } }))
    assert.strictEqual(ours.memory, 9 * GiB)
    const theirs = fixed("aggressive", input(testbox, withUsed(4 * GiB)))
    assert.closeTo(theirs.memory, 0.9 * 6 * GiB, 1)
  })

  it("maxMemoryPercentage and maxCpuPercentage cap every strategy", () => {
    const capped = fixed("aggressive", input(testbox, {}, { maxMemoryPercentage: 75, maxCpuPercentage: 50 }))
    assert.strictEqual(capped.memory, 7.5 * GiB)
    assert.strictEqual(capped.cores, 2)
    assert.deepStrictEqual(capped.ceiling, { memory: 7.5 * GiB, cores: 2 })
  })

  it("pressure scales the share down; cores never fall below one", () => {
    const serious = fixed("aggressive", input(testbox, { pressure: { state: "serious", source: "psi" } }))
    const critical = fixed("conservative", input(testbox, { pressure: { state: "critical", source: "psi" } }))
    assert.strictEqual(serious.memory, 0.9 * 0.75 * 10 * GiB)
    assert.strictEqual(critical.cores, 1)
    assert.strictEqual(critical.ceiling.memory, 5 * GiB, "the ceiling ignores momentary pressure")
  })

  it("a container's limit is the capacity, and a sliver of a core is all there is", () => {
    const tiny = { ...SimulatedDevice.container, device: { ...SimulatedDevice.container.device, effectiveCores: 0.5 } }
    const budget = fixed("conservative", input(tiny))
    assert.strictEqual(budget.memory, 0.5 * (GiB - 200 * 1024 ** 2))
    assert.strictEqual(budget.cores, 0.5)
  })
})

describe("adaptive", () => {
  const pick = (spec: SimulatedDevice.DeviceSpec, patch: Partial<ResourceSnapshot> = {}, forecast?: number) =>
    adaptive(input(spec, patch, forecast === undefined ? {} : { forecastFreeMemory: forecast }), 20)

  it("is conservative on a phone, balanced on a laptop, aggressive on a workstation or server", () => {
    assert.strictEqual(pick(SimulatedDevice.phone).strategy, "conservative")
    assert.strictEqual(pick(SimulatedDevice.laptop).strategy, "balanced")
    assert.strictEqual(pick(SimulatedDevice.workstation).strategy, "aggressive")
    assert.strictEqual(pick(testbox).strategy, "aggressive")
  })

  it("a low, discharging battery makes anything conservative; charging does not", () => {
    const low = pick(SimulatedDevice.laptop, { battery: { level: 15, charging: false } })
    assert.strictEqual(low.strategy, "conservative")
    assert.match(low.why, /battery low \(15%\) and discharging/)
    assert.strictEqual(pick(SimulatedDevice.laptop, { battery: { level: 15, charging: true } }).strategy, "balanced")
  })

  it("pressure moves it down a step or two", () => {
    assert.strictEqual(pick(testbox, { pressure: { state: "fair", source: "psi" } }).strategy, "balanced")
    assert.strictEqual(pick(testbox, { pressure: { state: "serious", source: "psi" } }).strategy, "conservative")
  })

  it("on battery a workstation-class laptop is balanced", () => {
    assert.strictEqual(pick(testbox, { battery: { level: 80, charging: false } }).strategy, "balanced")
  })

  it("a forecast of less headroom lowers the budget", () => {
    const now = pick(testbox)
    const forecast = pick(testbox, {}, 2 * GiB)
    assert.strictEqual(forecast.memory, 0.9 * 2 * GiB)
    assert.isBelow(forecast.memory, now.memory)
    assert.match(forecast.why, /predicted headroom/)
  })
})
