import { assert, describe, it } from "@effect/vitest"
import * as DeviceInfo from "../src/DeviceInfo.ts"
import * as DeviceScript from "../src/DeviceScript.ts"
import { RingBuffer } from "../src/internal/RingBuffer.ts"
import * as PressureState from "../src/PressureState.ts"
import * as Priority from "../src/Priority.ts"

describe("DeviceInfo", () => {
  const base = { platform: "linux", hasBattery: false, inContainer: false, headless: false }
  it("classifies by the first matching rule", () => {
    assert.strictEqual(DeviceInfo.classify({ ...base, platform: "android" }), "mobile")
    assert.strictEqual(DeviceInfo.classify({ ...base, platform: "browser", mobileHint: true }), "mobile")
    assert.strictEqual(DeviceInfo.classify({ ...base, hasBattery: true, headless: true }), "laptop")
    assert.strictEqual(DeviceInfo.classify({ ...base, inContainer: true }), "server")
    assert.strictEqual(DeviceInfo.classify({ ...base, headless: true }), "server")
    assert.strictEqual(DeviceInfo.classify(base), "workstation")
  })

  it("effective cores are bounded by the quota, never zero", () => {
    assert.strictEqual(DeviceInfo.effectiveCores(2, 2.5), 2)
    assert.strictEqual(DeviceInfo.effectiveCores(8, 1.5), 1.5)
    assert.strictEqual(DeviceInfo.effectiveCores(8), 8)
    assert.strictEqual(DeviceInfo.effectiveCores(8, 0), 0.01)
  })
})

describe("PressureState and Priority", () => {
  it("rank, max and weight follow the scale", () => {
    assert.deepStrictEqual(PressureState.levels.map(PressureState.rank), [0, 1, 2, 3])
    assert.strictEqual(PressureState.max("fair", "serious"), "serious")
    assert.strictEqual(PressureState.weight("critical"), 1)
  })

  it("pressure derived from usage counts memory earlier than cpu", () => {
    assert.strictEqual(PressureState.fromUsage(50, 50), "nominal")
    assert.strictEqual(PressureState.fromUsage(72, 0), "fair")
    assert.strictEqual(PressureState.fromUsage(0, 72), "nominal")
    assert.strictEqual(PressureState.fromUsage(90, 0), "serious")
    assert.strictEqual(PressureState.fromUsage(0, 100), "critical")
    assert.strictEqual(PressureState.fromUsage(96, 10), "critical")
  })

  it("priorities sort critical first", () => {
    const sorted = [...Priority.all].reverse().sort((a, b) => Priority.order(b, a))
    assert.deepStrictEqual(sorted, ["critical", "high", "medium", "low", "background"])
    assert.isAbove(Priority.rank("critical"), Priority.rank("background"))
  })
})

describe("DeviceScript", () => {
  it("ramp, steps, spike and drain shape time as documented", () => {
    const r = DeviceScript.ramp({ from: 10, to: 20, over: "10 seconds", startAfter: "5 seconds" })
    assert.deepStrictEqual([r(0), r(5000), r(10_000), r(15_000), r(60_000)], [10, 10, 15, 20, 20])
    const s = DeviceScript.steps(1, [["2 seconds", 3], ["1 second", 2]])
    assert.deepStrictEqual([s(0), s(1000), s(1999), s(2000)], [1, 2, 2, 3])
    const p = DeviceScript.spike({ base: 0, peak: 9, at: "1 second", duration: "1 second" })
    assert.deepStrictEqual([p(999), p(1000), p(1999), p(2000)], [0, 9, 9, 0])
    const d = DeviceScript.drain({ from: 50, perMinute: 10, floor: 5 })
    assert.deepStrictEqual([d(0), d(60_000), d(600_000)], [50, 40, 5])
  })

  it("noise is bounded, reproducible per seed and held for its period", () => {
    const n = DeviceScript.noise(DeviceScript.constant(50), { amplitude: 5, seed: 7 })
    const again = DeviceScript.noise(DeviceScript.constant(50), { amplitude: 5, seed: 7 })
    const other = DeviceScript.noise(DeviceScript.constant(50), { amplitude: 5, seed: 8 })
    const values = Array.from({ length: 200 }, (_, i) => n(i * 1000))
    assert.isTrue(values.every((v) => v >= 45 && v <= 55))
    assert.deepStrictEqual(values, Array.from({ length: 200 }, (_, i) => again(i * 1000)))
    assert.notDeepEqual(values, Array.from({ length: 200 }, (_, i) => other(i * 1000)))
    assert.strictEqual(n(1000), n(1999))
    assert.isAbove(new Set(values).size, 150, "values vary between periods")
  })

  it("sum adds pointwise", () => {
    const s = DeviceScript.sum(DeviceScript.constant(1), DeviceScript.ramp({ from: 0, to: 10, over: 10 }))
    assert.deepStrictEqual([s(0), s(5), s(10)], [1, 6, 11])
  })
})

describe("RingBuffer", () => {
  it("keeps the most recent items, oldest first", () => {
    const ring = new RingBuffer<number>(3)
    assert.deepStrictEqual(ring.toArray(), [])
    for (let i = 1; i <= 7; i++) ring.push(i)
    assert.deepStrictEqual(ring.toArray(), [5, 6, 7])
    assert.strictEqual(ring.size, 3)
  })
})
