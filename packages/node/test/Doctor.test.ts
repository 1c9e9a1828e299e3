import { assert, describe, it } from "@effect/vitest"
import { SimulatedDevice } from "@provident/core/testing"
import * as Doctor from "../src/Doctor.ts"
import * as format from "../src/internal/format.ts"

const { container } = SimulatedDevice
const reading = SimulatedDevice.readingAt(container, container.script, 0, Date.UTC(2026, 0, 1, 12, 30, 5), { memory: 0, cores: 0 })

describe("doctor report", () => {
  it("shows the device and its container limits", () => {
    const text = Doctor.renderDevice(container.device).join("\n")
    assert.include(text, "8.0 GiB total, limited to 1.0 GiB")
    assert.include(text, "2 logical, 2 effective")
    assert.include(text, "v2 /simulated")
    assert.include(text, "2.5 cores")
    assert.include(text, "not available: battery, process")
  })

  it("says when there are no container limits", () => {
    const text = Doctor.renderDevice(SimulatedDevice.laptop.device).join("\n")
    assert.include(text, "no memory or CPU limit found")
  })

  it("shows a reading with memory against the limit, pressure and load", () => {
    const text = Doctor.renderSnapshot(reading, 0.42).join("\n")
    assert.include(text, "Readings at 12:30:05 UTC")
    assert.include(text, "200.0 MiB used of 1.0 GiB (19.5%)")
    assert.include(text, "5.0% of 2 cores")
    assert.include(text, "nominal (derived)")
    assert.include(text, "battery   none")
    assert.include(text, "0.42")
  })

  it("live lines are compact and mark stale readings", () => {
    const line = Doctor.renderLive({ ...reading, stale: true }, 0.5)
    assert.match(line, /^ {2}12:30:05 +19\.5% +824\.0 MiB +5\.0% +0\.50 {2}nominal \(stale\)$/)
  })
})

describe("format", () => {
  it("bytes, cores and percentages", () => {
    assert.strictEqual(format.bytes(512), "512 B")
    assert.strictEqual(format.bytes(1536), "1.5 KiB")
    assert.strictEqual(format.bytes(3 * 1024 ** 3), "3.0 GiB")
    assert.strictEqual(format.cores(2), "2")
    assert.strictEqual(format.cores(2.5), "2.5")
    assert.strictEqual(format.percent(12.345), "12.3%")
  })
})
