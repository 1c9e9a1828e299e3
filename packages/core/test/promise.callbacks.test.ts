/** `registerCallback` checks its argument where it is called: a non-function would otherwise fail, only logged, at every reading. */
import { describe, expect, it } from "vitest"
import { Platform, ResourceMonitor } from "../src/promise.ts"

describe("ResourceMonitor.registerCallback", () => {
  it("rejects anything but a function with a TypeError naming the argument", async () => {
    const monitor = new ResourceMonitor(Platform.simulated(), { sampleInterval: 20 })
    try {
      for (const [value, kind] of [[42, "number"], ["callback", "string"], [null, "null"], [undefined, "undefined"], [{}, "object"], [[], "an array"]] as const) {
        expect(() => monitor.registerCallback(value as never)).toThrow(TypeError)
        expect(() => monitor.registerCallback(value as never)).toThrow(
          `Invalid ResourceMonitor.registerCallback argument callback: must be a function (got ${kind})`
        )
      }
      // A function is still registered, and called with readings.
      const called = new Promise<number>((resolve) => {
        const id = monitor.registerCallback((r) => resolve(r.memory.used))
        expect(id).toMatch(/^callback-\d+$/)
      })
      await monitor.sampleResources()
      expect(await called).toBeGreaterThan(0)
    } finally {
      await monitor.close()
    }
  })
})
