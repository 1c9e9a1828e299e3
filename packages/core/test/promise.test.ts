/**
 * The platform-free Promise facade over `Platform.simulated()`: what a
 * platform package binds (the Node tests run the spec against the real
 * probe). The simulated laptop reads 6 of 16 GiB used, 8 cores, charging.
 */
import { describe, expect, it } from "vitest"
import {
  AdaptiveComputation,
  Platform,
  ResourceAllocator,
  ResourceMonitor,
  ResourcePrediction,
  ResourcePriority
} from "../src/promise.ts"

const GiB = 1024 ** 3

const profile = {
  circuitSize: 100,
  expectedWitnessDuration: 10,
  expectedProvingDuration: 10,
  circuitMemoryRequirements: GiB,
  witnessMemoryRequirements: GiB,
  provingMemoryRequirements: GiB,
  canSplitComputation: true,
  supportsFallbackMode: false,
  supportsPartialResults: false,
  supportsCachedResults: false
}

describe("the Promise facade over a simulated platform", () => {
  it("runs every class over the platform's probe and stores", async () => {
    const monitor = new ResourceMonitor(Platform.simulated(), { sampleInterval: 20 })
    const snapshot = await monitor.sampleResources()
    expect(snapshot.memory).toMatchObject({ total: 16 * GiB, used: 6 * GiB })
    expect(snapshot.battery).toEqual({ level: 100, charging: true })
    expect(await monitor.getSystemLoad()).toBeCloseTo(0.375)

    const allocator = new ResourceAllocator(monitor)
    const decision = await allocator.requestAllocation({ name: "p", estimatedMemory: 2 * GiB, priority: ResourcePriority.HIGH })
    expect(decision).toMatchObject({ approved: true, allocatedMemory: 2 * GiB, allocatedCores: 1, strategy: "balanced" })

    const adaptive = new AdaptiveComputation(monitor, allocator)
    const result = await adaptive.executeComputation("c", async (resources) => resources.cpu, profile, ResourcePriority.HIGH)
    expect(result).toMatchObject({ success: true, strategy: "FULL_COMPUTATION", result: 6 }) // balanced: 75% of 8 cores

    const prediction = new ResourcePrediction(monitor)
    expect(() => prediction.getResourceTrends()).toThrow("ResourcePrediction is not started: await prediction.start() first")
    await prediction.start()
    expect(prediction.getResourceTrends().map((t) => t.resource)).toEqual(["memory", "cpu", "battery", "storage"])

    await monitor.close()
    await expect(allocator.requestAllocation({ name: "q", estimatedMemory: 1 })).rejects.toThrow("ResourceAllocator is closed")
    expect(() => prediction.getSystemPredictions()).toThrow("ResourcePrediction is closed")
  })

  it("each monitor has its own services: what one allocator holds, another monitor's allocator does not see", async () => {
    const [one, two] = [new ResourceMonitor(Platform.simulated()), new ResourceMonitor(Platform.simulated())]
    const [a, b] = [new ResourceAllocator(one), new ResourceAllocator(two)]
    await a.queueOperation({ name: "held", estimatedMemory: GiB })
    await a.startOperation("held")
    expect((await a.getOperationStatus("held")).state).toBe("running")
    await expect(b.getOperationStatus("held")).rejects.toMatchObject({ _tag: "UnknownOperation" })
    expect(() => new AdaptiveComputation(one, b)).toThrow(TypeError)
    await Promise.all([one.close(), two.close()])
  })
})
