/**
 * The code blocks of `SPEC-resource-management.md` about the resource monitor and allocator (custom strategies included), run
 * against `@provident/node/promise` on this machine, asserting what their
 * comments claim (through what the blocks print). The other blocks are in
 * `promise.spec.computation.integration.test.ts`.
 *
 * The blocks are verbatim but for: the imports (one module, enums
 * included); `ResourceMonitor` is the harness's `TestMonitor` (stores in a
 * temporary directory, pressure read as nominal: see `promiseNodeOptions.ts`);
 * and what is not valid TypeScript under this repository's settings, each
 * marked `// (ts)`: placeholders (`[...]`, `/* custom calculation *\/`),
 * types for values that have no contextual type (a standalone
 * `async (resources) =>`, string literals that would widen to `string`),
 * `?.` where a forecast may lack a resource, and a use of locals that would
 * otherwise be unused. Lines marked `// (test)` are the test's own.
 */
import {
  AllocationStrategy,
  type OperationProfile,
  ResourceAllocator,
  type ResourceAllocatorOptions,
  ResourcePriority
} from "@provident/node/promise"
import { afterEach, describe, expect, it } from "vitest"
import { closeMonitors, GiB, MiB, recordConsole, TestMonitor as ResourceMonitor, until } from "./promiseHarness.ts"

afterEach(closeMonitors)

const numbers = (values: ReadonlyArray<ReadonlyArray<unknown>>) => values.map((args) => args[0] as number)
const everyIn = (xs: ReadonlyArray<number>, low: number, high: number) => xs.every((x) => typeof x === "number" && x >= low && x <= high)

describe("the spec's code blocks: monitoring and allocation", () => {
  it("ResourceMonitor: callbacks receive each reading, sampleResources reads on demand, load is within 0..1", async () => {
    const printed = recordConsole()

    // Create a monitor with custom configuration
    const monitor = new ResourceMonitor({
      sampleInterval: 1000, // Sample every 1 second
      enableBatteryMonitoring: true,
      enableNetworkMonitoring: true,
      thresholdNotifications: true,
      memoryThresholdPercent: 80,
      cpuThresholdPercent: 90
    })

    // Start continuous monitoring
    monitor.startContinuousMonitoring()

    // Register a callback for resource updates
    const callbackId = monitor.registerCallback((resources) => {
      console.log("Current memory usage:", resources.memory.usagePercent)
      console.log("CPU usage:", resources.cpu.usagePercent)
      if (resources.battery) {
        console.log("Battery level:", resources.battery.level)
      }
    })

    // Take on-demand resource sample
    const currentResources = await monitor.sampleResources()

    // Check system load (0-1 scale)
    const load = await monitor.getSystemLoad()

    await until(() => printed.values("Current memory usage:").length > 0, 5000, "the callback") // (test)

    // Unregister callback when no longer needed
    monitor.unregisterCallback(callbackId)

    // Stop continuous monitoring when done
    monitor.stopContinuousMonitoring()

    expect(currentResources.stale).toBe(false)
    expect(currentResources.memory.total).toBeGreaterThan(0)
    expect(currentResources.memory.usagePercent).toBeGreaterThanOrEqual(0)
    expect(currentResources.memory.usagePercent).toBeLessThanOrEqual(100)
    expect(currentResources.cpu.cores).toBeGreaterThan(0)
    expect(load).toBeGreaterThanOrEqual(0)
    expect(load).toBeLessThanOrEqual(1)
    const memory = numbers(printed.values("Current memory usage:"))
    expect(everyIn(memory, 0, 100)).toBe(true)
    expect(memory).toContain(currentResources.memory.usagePercent)
    expect(everyIn(numbers(printed.values("CPU usage:")), 0, 100)).toBe(true)
    expect(printed.values("Battery level:").length > 0).toBe(currentResources.battery !== undefined)
    // Unregistered: later readings are not delivered.
    const delivered = memory.length
    await monitor.sampleResources()
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(printed.values("Current memory usage:").length).toBe(delivered)
  })

  it("ResourceAllocator: a 1 GB request is granted, or denied with recommendations; queued operations start, pause, resume and cancel", async () => {
    const printed = recordConsole()

    // Create monitor and allocator
    const monitor = new ResourceMonitor()
    const allocator = new ResourceAllocator(monitor, {
      strategy: AllocationStrategy.ADAPTIVE,
      maxMemoryPercentage: 75,
      maxCpuPercentage: 80
    })

    // Define operation profile
    const operationProfile = {
      name: "generateProof",
      estimatedMemory: 1024 * 1024 * 1024, // 1 GB
      estimatedCpuUtilization: 0.6,
      estimatedDuration: 10000, // 10 seconds
      priority: ResourcePriority.HIGH,
      canBePaused: true,
      requiredResources: [
        {
          type: "memory",
          minimumRequired: 512 * 1024 * 1024, // 512 MB
          recommended: 1024 * 1024 * 1024, // 1 GB
          units: "bytes",
          priority: ResourcePriority.HIGH
        },
        {
          type: "cpu",
          minimumRequired: 2,
          recommended: 4,
          units: "cores",
          priority: ResourcePriority.HIGH
        }
      ]
    }

    // Request resource allocation
    const allocation = await allocator.requestAllocation(operationProfile)

    if (allocation.approved) {
      // Resources are available
      console.log("Allocated memory:", allocation.allocatedMemory)
      console.log("Allocated cores:", allocation.allocatedCores)

      // Perform operation with allocated resources
      // ...
    } else {
      // Resources not available
      console.log("Resource allocation denied:", allocation.recommendations)

      // Check for fallback options
      if (allocation.fallbackOptions && allocation.fallbackOptions.length > 0) {
        console.log("Fallback options available:", allocation.fallbackOptions[0])
      }
    }

    const operations = (async () => { // (test) the block's second half, whose outcome depends on the machine
      // Alternative approach: queue and start operations
      allocator.queueOperation(operationProfile)
      const started = await allocator.startOperation("generateProof")

      // Operations can be paused when resources are needed elsewhere
      allocator.pauseOperation("generateProof")

      // And resumed later
      allocator.resumeOperation("generateProof")

      // Or cancelled
      allocator.cancelOperation("generateProof")
      return started
    })()

    if (allocation.approved) {
      const [memory] = printed.values("Allocated memory:")[0]!
      const [cores] = printed.values("Allocated cores:")[0]!
      expect(memory).toBeGreaterThanOrEqual(512 * MiB)
      expect(memory).toBeLessThanOrEqual(GiB)
      expect(cores).toBeGreaterThanOrEqual(2)
      expect(cores).toBeLessThanOrEqual(4)
    } else {
      const [recommendations] = printed.values("Resource allocation denied:")[0]!
      expect(recommendations).toEqual(allocation.recommendations)
      expect(allocation.recommendations.length).toBeGreaterThan(0)
      expect(printed.values("Fallback options available:")).toEqual([[allocation.fallbackOptions[0]]])
    }
    // A profile whose minimum exceeds the whole budget (on a 2-core machine,
    // 2 cores against 80% of 2) can never start: startOperation says so at
    // once. Otherwise it starts, and the unawaited calls apply in order.
    if (allocation.reasons.some((r) => r.code === "oversized-cores" || r.code === "oversized-memory")) {
      await expect(operations).rejects.toMatchObject({ _tag: "AllocationDenied", name: "generateProof" })
    } else {
      const started = await operations
      expect(started.name).toBe("generateProof")
      expect(started.memory).toBeGreaterThanOrEqual(512 * MiB)
      expect(started.cores).toBeGreaterThanOrEqual(2)
      const status = await allocator.getOperationStatus("generateProof")
      expect(status.state).toBe("cancelled")
      expect(status.restarts).toBeGreaterThanOrEqual(0)
    }
  })

  it("Custom allocation strategies: customStrategyFn(monitor, operation) decides each request", async () => {
    const monitor = new ResourceMonitor() // (test) the block uses a monitor built earlier
    const seen: Array<OperationProfile> = [] // (test)

    // Custom allocation strategy
    const customConfig: ResourceAllocatorOptions = { // (ts) typed: the function's parameters would have no type
      strategy: AllocationStrategy.CUSTOM,
      customStrategyFn: async (monitor, operation) => {
        const resources = await monitor.sampleResources()
        seen.push(operation) // (test)
        // Custom allocation logic
        return {
          approved: true,
          allocatedMemory: Math.min(operation.estimatedMemory, resources.memory.available / 2), // (ts) was /* custom calculation */
          allocatedCores: Math.max(1, Math.floor(resources.cpu.cores / 2)) // (ts) was /* custom calculation */
          // ... other allocation parameters
        }
      }
    }

    const allocator = new ResourceAllocator(monitor, customConfig)

    const decision = await allocator.requestAllocation({ name: "custom-op", estimatedMemory: 256 * MiB }) // (test)
    expect(decision.approved).toBe(true)
    expect(decision.strategy).toBe("custom")
    expect(decision.allocatedMemory).toBeGreaterThan(0)
    expect(decision.allocatedMemory).toBeLessThanOrEqual(256 * MiB)
    const snapshot = await monitor.sampleResources()
    expect(decision.allocatedCores).toBe(Math.max(1, Math.floor(snapshot.cpu.cores / 2)))
    expect(seen.map((p) => [p.name, p.estimatedMemory])).toEqual([["custom-op", 256 * MiB]])
  })
})
