/**
 * The code blocks of `SPEC-resource-management.md` about adaptive computation and prediction (and their integrated use), run
 * against `@provident/node/promise` on this machine, asserting what their
 * comments claim (through what the blocks print). The other blocks are in
 * `promise.spec.allocation.integration.test.ts`.
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
  AdaptiveComputation,
  type ComputationResources,
  ComputationStrategy,
  ResourceAllocator,
  ResourcePrediction,
  ResourcePriority,
  type ResourceSnapshot
} from "@provident/node/promise"
import { afterEach, describe, expect, it } from "vitest"
import { closeMonitors, GiB, recordConsole, TestMonitor as ResourceMonitor } from "./promiseHarness.ts"

afterEach(closeMonitors)

describe("the spec's code blocks: computation and prediction", () => {
  it("AdaptiveComputation: executeComputation succeeds with a strategy and an elapsed time, and its progress is readable", async () => {
    const printed = recordConsole()

    // Set up resource management
    const monitor = new ResourceMonitor()
    const allocator = new ResourceAllocator(monitor)
    const adaptive = new AdaptiveComputation(monitor, allocator, {
      enabledStrategies: [
        ComputationStrategy.FULL_COMPUTATION,
        ComputationStrategy.PROGRESSIVE_COMPUTATION,
        ComputationStrategy.FALLBACK_COMPUTATION
      ],
      serverFallbackEndpoint: "https://api.example.com/zk-fallback",
      timeout: 60000 // 1 minute
    })

    // Define computation profile
    const computationProfile = {
      circuitSize: 100000,
      expectedWitnessDuration: 2000,
      expectedProvingDuration: 8000,
      circuitMemoryRequirements: 1024 * 1024 * 1024, // 1 GB
      witnessMemoryRequirements: 2 * 1024 * 1024 * 1024, // 2 GB
      provingMemoryRequirements: 4 * 1024 * 1024 * 1024, // 4 GB
      canSplitComputation: true,
      supportsFallbackMode: true,
      supportsPartialResults: true,
      supportsCachedResults: false
    }

    // Define computation function
    const computation = async (resources: ComputationResources) => { // (ts) typed: a standalone arrow has no contextual type
      // Use allocated resources for computation
      // resources.memory - allocated memory
      // resources.cpu - allocated CPU cores

      // If using progressive computation, check for phases
      if (resources.progressive) {
        // Handle progressive computation
      }

      // Return computation result
      return { proof: "...", publicSignals: ["1"] } // (ts) `[...]`
    }

    // Execute computation with adaptive strategy
    try {
      const result = await adaptive.executeComputation(
        "proveTransaction",
        computation,
        computationProfile,
        ResourcePriority.MEDIUM
      )

      if (result.success) {
        console.log("Computation completed successfully")
        console.log("Strategy used:", result.strategy)
        console.log("Time taken:", result.elapsedTime, "ms")
        console.log("Resources used:", result.resourcesUsed)

        // Use computation result
        const { proof, publicSignals } = result.result
        console.log("Result:", proof, publicSignals) // (ts) the two locals would be unused
      } else {
        console.error("Computation failed:", result.error)
      }
    } catch (error) {
      console.error("Unexpected error:", error)
    }

    // Monitor progress of ongoing computations
    const progress = adaptive.getComputationProgress("proveTransaction")
    if (progress) {
      console.log("Current phase:", progress.phase)
      console.log("Progress:", progress.progress, "%")
      console.log("Strategy:", progress.strategy)
    }

    expect(printed.values("Computation failed:")).toEqual([])
    expect(printed.values("Unexpected error:")).toEqual([])
    expect(printed.values("Computation completed successfully")).toEqual([[]])
    const [strategy] = printed.values("Strategy used:")[0]!
    expect(["FULL_COMPUTATION", "PROGRESSIVE_COMPUTATION"]).toContain(strategy)
    const [elapsed, unit] = printed.values("Time taken:")[0]!
    expect(elapsed).toBeGreaterThanOrEqual(0)
    expect(unit).toBe("ms")
    const [used] = printed.values("Resources used:")[0]! as [{ memory: number; cores: number }]
    expect(used.memory).toBeGreaterThanOrEqual(GiB) // at least the circuit's gigabyte was granted
    expect(used.cores).toBeGreaterThanOrEqual(1)
    expect(printed.values("Result:")).toEqual([["...", ["1"]]])
    expect(printed.values("Current phase:")).toEqual([["done"]])
    expect(printed.values("Progress:")).toEqual([[100, "%"]])
    expect(printed.values("Strategy:")).toEqual([[strategy]])
  })

  it("ResourcePrediction: trends for memory and cpu, timestamped predictions, an operation prediction with confidence in 0..1", async () => {
    const printed = recordConsole()

    // Create components
    const monitor = new ResourceMonitor()
    const prediction = new ResourcePrediction(monitor, {
      predictionWindowSize: 30, // Predict 30 time periods ahead
      predictionInterval: 10000, // 10-second intervals
      smoothingFactor: 0.3,
      enableAutomaticModelUpdate: true
    })

    // Start prediction
    await prediction.start()

    // Get current resource trends
    const trends = prediction.getResourceTrends()
    console.log("Memory trend:", trends.find((t) => t.resource === "memory"))
    console.log("CPU trend:", trends.find((t) => t.resource === "cpu"))
    console.log("Battery trend:", trends.find((t) => t.resource === "battery"))

    // Get future resource predictions
    const predictions = prediction.getSystemPredictions()
    console.log(
      "Predicted memory usage in 1 minute:",
      predictions.find((p) => p.timestamp > Date.now() + 60000)?.memory.predicted
    )

    // Register operation for resource prediction
    const computationProfile = {
      circuitSize: 100000,
      expectedWitnessDuration: 2000,
      expectedProvingDuration: 5000,
      circuitMemoryRequirements: 1024 * 1024 * 1024, // 1 GB
      witnessMemoryRequirements: 512 * 1024 * 1024, // 512 MB
      provingMemoryRequirements: 2 * 1024 * 1024 * 1024, // 2 GB
      canSplitComputation: true,
      supportsFallbackMode: true,
      supportsPartialResults: true,
      supportsCachedResults: false
    }

    prediction.registerOperation("proofGeneration", computationProfile)

    // Get operation-specific prediction
    const operationPrediction = prediction.getOperationPrediction("proofGeneration")
    console.log("Estimated completion time:", operationPrediction?.estimatedTimeToComplete)
    console.log("Estimated peak memory:", operationPrediction?.estimatedPeakMemory)
    console.log("Confidence score:", operationPrediction?.confidenceScore)

    const stillThere = prediction.getOperationPrediction("proofGeneration") !== undefined // (test)
    // Clean up
    prediction.unregisterOperation("proofGeneration")
    const forgotten = prediction.getOperationPrediction("proofGeneration") === undefined // (test)
    prediction.stop()

    const [memoryTrend] = printed.values("Memory trend:")[0]!
    const [cpuTrend] = printed.values("CPU trend:")[0]!
    expect(memoryTrend).toMatchObject({ resource: "memory", direction: expect.stringMatching(/rising|falling|stable/) })
    expect(cpuTrend).toMatchObject({ resource: "cpu" })
    const [batteryTrend] = printed.values("Battery trend:")[0]!
    const snapshot: ResourceSnapshot = await monitor.sampleResources()
    expect(batteryTrend === undefined).toBe(snapshot.battery === undefined)
    expect(predictions).toHaveLength(30)
    expect(predictions.every((p, i) => i === 0 || p.timestamp - predictions[i - 1]!.timestamp === 10000)).toBe(true)
    const [inOneMinute] = printed.values("Predicted memory usage in 1 minute:")[0]!
    expect(inOneMinute).toBeGreaterThanOrEqual(0)
    expect(inOneMinute).toBeLessThanOrEqual(snapshot.memory.limit ?? snapshot.memory.total)
    // Before this device has run the circuit, the profile's own figures: witness + proving, circuit + the larger phase.
    expect(printed.values("Estimated completion time:")).toEqual([[7000]])
    expect(printed.values("Estimated peak memory:")).toEqual([[3 * GiB]])
    const [confidence] = printed.values("Confidence score:")[0]! as [number]
    expect(confidence).toBeGreaterThanOrEqual(0)
    expect(confidence).toBeLessThanOrEqual(1)
    expect(stillThere && forgotten).toBe(true)
    expect(() => prediction.getResourceTrends()).toThrow("ResourcePrediction is closed")
  })

  it("Integrated usage: monitoring, prediction and an adaptive proof together", async () => {
    const printed = recordConsole()

    // Setup resource management system
    const monitor = new ResourceMonitor()
    const allocator = new ResourceAllocator(monitor)
    const adaptive = new AdaptiveComputation(monitor, allocator)
    const prediction = new ResourcePrediction(monitor)

    // Start resource monitoring and prediction
    monitor.startContinuousMonitoring()
    await prediction.start()

    // Define computation profile
    const computationProfile = {
      circuitSize: 100000,
      expectedWitnessDuration: 2000,
      expectedProvingDuration: 5000,
      circuitMemoryRequirements: 1024 * 1024 * 1024, // 1 GB
      witnessMemoryRequirements: 512 * 1024 * 1024, // 512 MB
      provingMemoryRequirements: 2 * 1024 * 1024 * 1024, // 2 GB
      canSplitComputation: true,
      supportsFallbackMode: true,
      supportsPartialResults: true,
      supportsCachedResults: false
    }

    // Register operation with prediction system
    prediction.registerOperation("generateProof", computationProfile)

    // Get resource prediction
    const operationPrediction = prediction.getOperationPrediction("generateProof")
    console.log("Predicted resource needs:", operationPrediction)

    // Define computation function
    const computation = async (resources: ComputationResources) => { // (ts) typed: a standalone arrow has no contextual type
      // Perform ZK proof generation with allocated resources
      return { proof: "...", publicSignals: [resources.cpu] } // (ts) `[...]`
    }

    // Execute computation with adaptive strategy
    const result = await adaptive.executeComputation(
      "generateProof",
      computation,
      computationProfile,
      ResourcePriority.HIGH
    )

    // Use result
    if (result.success) {
      console.log("Proof generated successfully using strategy:", result.strategy)
      // Use proof...
    } else {
      console.error("Proof generation failed:", result.error)
    }

    // Clean up
    prediction.unregisterOperation("generateProof")
    prediction.stop()
    monitor.stopContinuousMonitoring()

    const [needs] = printed.values("Predicted resource needs:")[0]! as [Record<string, unknown>]
    expect(needs).toMatchObject({ name: "generateProof", estimatedTimeToComplete: 7000, estimatedPeakMemory: 3 * GiB, source: "declared" })
    expect(needs.confidenceScore).toBeGreaterThan(0)
    expect(printed.values("Proof generation failed:")).toEqual([])
    const [strategy] = printed.values("Proof generated successfully using strategy:")[0]!
    expect(["FULL_COMPUTATION", "PROGRESSIVE_COMPUTATION", "PARTIAL_COMPUTATION"]).toContain(strategy)
    expect(result.success && result.result.publicSignals[0]).toBeGreaterThanOrEqual(1)
  })

})
