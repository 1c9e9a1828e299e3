/**
 * The Promise facade's constructors and enums: options are validated in the
 * constructor, synchronously, with the services' schemas, and a bad option
 * throws a `TypeError` naming it. Nothing here builds a runtime (that waits
 * for the first call), so no probe runs.
 */
import {
  AdaptiveComputation,
  AllocationStrategy,
  ComputationStrategy,
  ResourceAllocator,
  ResourceMonitor,
  ResourcePrediction,
  ResourcePriority
} from "@provident/node/promise"
import { Priority } from "@provident/core"
import { chainOrder } from "@provident/core/ComputationStrategy"
import { AllocationStrategy as CoreAllocationStrategy } from "@provident/core/AllocatorConfig"
import { afterEach, describe, expect, it } from "vitest"
import { closeMonitors, TestMonitor, thrown } from "./promiseHarness.ts"

const monitor = () => new TestMonitor({ sampleInterval: 100 })
afterEach(closeMonitors)

describe("constructor validation", () => {
  it("ResourceMonitor names the option and the rule", () => {
    expect(thrown(() => new ResourceMonitor({ sampleInterval: -1 }))).toEqual([
      "TypeError",
      "Invalid ResourceMonitor option sampleInterval: must be at least 10 ms"
    ])
    const [kind, message] = thrown(() => new ResourceMonitor({ memoryThresholdPercent: 150 }))
    expect(kind).toBe("TypeError")
    expect(message).toMatch(/^Invalid ResourceMonitor option memoryThresholdPercent: /)
    expect(thrown(() => new ResourceMonitor({ cpuThresholdPercent: 3, hysteresisPercent: 5 }))[1]).toBe(
      "Invalid ResourceMonitor option cpuThresholdPercent: must be greater than hysteresisPercent"
    )
  })

  it("a misspelt or mistyped option is reported, every issue at once", () => {
    const [kind, message] = thrown(() => new ResourceMonitor({ sampleIntervall: 100, thresholdNotifications: "yes" } as never))
    expect(kind).toBe("TypeError")
    expect(message).toMatch(/Invalid ResourceMonitor option sampleIntervall: /)
    expect(message).toMatch(/; Invalid ResourceMonitor option thresholdNotifications: /)
    expect(thrown(() => new ResourceMonitor(42 as never))[1]).toMatch(/^Invalid ResourceMonitor options: /)
  })

  it("the Node platform's options (the second argument) too, by their path, unknown ones included", async () => {
    const nodeOption = (node: unknown) => thrown(() => new ResourceMonitor({}, node as never))
    expect(nodeOption({ probe: { batteryRefresh: "soon" } })).toEqual([
      "TypeError",
      "Invalid ResourceMonitor option probe.batteryRefresh: must be a duration: milliseconds, or a string such as \"30 seconds\""
    ])
    expect(nodeOption({ probe: { factsTimeout: -5 } })[1]).toMatch(/^Invalid ResourceMonitor option probe\.factsTimeout: must be a duration/)
    expect(nodeOption({ probe: { storagePath: 42 } })[1]).toMatch(/^Invalid ResourceMonitor option probe\.storagePath: /)
    expect(nodeOption({ probe: { processMemory: { constrainedMemory: () => 1 } } })[1]).toBe(
      "Invalid ResourceMonitor option probe.processMemory: must be an object with the functions constrainedMemory, availableMemory"
    )
    expect(nodeOption({ resultCacheSize: 0 })[1]).toMatch(/^Invalid ResourceMonitor option resultCacheSize: /)
    expect(nodeOption({ remote: { retries: -2 } })[1]).toMatch(/^Invalid ResourceMonitor option remote\.retries: /)
    expect(nodeOption({ remote: { token: 7 } })[1]).toBe("Invalid ResourceMonitor option remote.token: must be a string or a Redacted string")
    expect(nodeOption({ modelStore: { path: "models.json" } })[1]).toMatch(/^Invalid ResourceMonitor option modelStore\.path: /)
    const valid = new ResourceMonitor({}, {
      probe: { batteryRefresh: "1 minute", factsTimeout: 500, readFile: () => undefined },
      resultCacheSize: 16,
      remote: { token: "secret", retries: 0, timeoutMs: 1000 }
    })
    expect(valid).toBeInstanceOf(ResourceMonitor)
    await valid.close()
  })

  it("ResourceAllocator: strategy, caps, and customStrategyFn with the custom strategy", () => {
    const m = monitor()
    expect(thrown(() => new ResourceAllocator(m, { strategy: "greedy" as never }))[1]).toMatch(
      /^Invalid ResourceAllocator option strategy: /
    )
    expect(thrown(() => new ResourceAllocator(m, { maxCpuPercentage: 0 }))[1]).toMatch(
      /^Invalid ResourceAllocator option maxCpuPercentage: /
    )
    expect(thrown(() => new ResourceAllocator(m, { strategy: AllocationStrategy.CUSTOM }))).toEqual([
      "TypeError",
      "Invalid ResourceAllocator option customStrategyFn: a function is required when strategy is custom"
    ])
    expect(thrown(() => new ResourceAllocator(m, { customStrategyFn: "mine" as never }))[1]).toBe(
      "Invalid ResourceAllocator option customStrategyFn: must be a function"
    )
    expect(thrown(() => new ResourceAllocator({} as never))).toEqual(["TypeError", "Expected a ResourceMonitor"])
  })

  it("AdaptiveComputation: timeout, enabledStrategies, and an allocator over the same monitor", () => {
    const m = monitor()
    const allocator = new ResourceAllocator(m)
    expect(thrown(() => new AdaptiveComputation(m, allocator, { timeout: -5 }))[1]).toMatch(
      /^Invalid AdaptiveComputation option timeout: /
    )
    expect(thrown(() => new AdaptiveComputation(m, allocator, { enabledStrategies: [] }))[1]).toMatch(
      /^Invalid AdaptiveComputation option enabledStrategies: /
    )
    expect(thrown(() => new AdaptiveComputation(m, allocator, { enabledStrategies: ["FAST" as never] }))[1]).toMatch(
      /^Invalid AdaptiveComputation option enabledStrategies\[0\]: /
    )
    expect(thrown(() => new AdaptiveComputation(monitor(), allocator))).toEqual([
      "TypeError",
      "AdaptiveComputation: the ResourceAllocator was built over another ResourceMonitor"
    ])
  })

  it("ResourcePrediction: window, interval and smoothing", () => {
    const m = monitor()
    expect(thrown(() => new ResourcePrediction(m, { predictionWindowSize: 0 }))[1]).toMatch(
      /^Invalid ResourcePrediction option predictionWindowSize: /
    )
    expect(thrown(() => new ResourcePrediction(m, { predictionInterval: 1 }))[1]).toBe(
      "Invalid ResourcePrediction option predictionInterval: must be at least 10 ms"
    )
    expect(thrown(() => new ResourcePrediction(m, { smoothingFactor: 2 }))[1]).toMatch(
      /^Invalid ResourcePrediction option smoothingFactor: /
    )
  })

  it("valid options construct without touching the machine", () => {
    const m = monitor()
    const allocator = new ResourceAllocator(m, { strategy: AllocationStrategy.BALANCED, maxMemoryPercentage: 50 })
    expect(new AdaptiveComputation(m, allocator, { enabledStrategies: [ComputationStrategy.PROGRESSIVE_COMPUTATION] })).toBeInstanceOf(
      AdaptiveComputation
    )
    expect(new ResourcePrediction(m, { predictionWindowSize: 10 })).toBeInstanceOf(ResourcePrediction)
  })
})

describe("enums", () => {
  it("are the core literals, every one of them", () => {
    expect(ResourcePriority.HIGH).toBe("high")
    expect(Object.values(ResourcePriority)).toEqual([...Priority.all])
    expect(AllocationStrategy.ADAPTIVE).toBe("adaptive")
    expect(Object.values(AllocationStrategy).sort()).toEqual([...CoreAllocationStrategy.literals].sort())
    expect(ComputationStrategy.FULL_COMPUTATION).toBe("FULL_COMPUTATION")
    expect(Object.values(ComputationStrategy)).toEqual([...chainOrder])
  })
})
