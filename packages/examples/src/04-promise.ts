/**
 * The spec's class API (`@provident/node/promise`) for code that does not
 * use Effect: a monitor with a callback, an allocation request, an adaptive
 * computation, and predictions. Run it: `npm run example:04`.
 */
import {
  AdaptiveComputation,
  ComputationStrategy,
  ResourceAllocator,
  ResourceMonitor,
  ResourcePrediction,
  ResourcePriority
} from "@provident/node/promise"

const GiB = 1024 ** 3
const computationProfile = {
  circuitSize: 1000,
  expectedWitnessDuration: 200,
  expectedProvingDuration: 800,
  circuitMemoryRequirements: 0.05 * GiB,
  witnessMemoryRequirements: 0.05 * GiB,
  provingMemoryRequirements: 0.1 * GiB,
  canSplitComputation: true,
  supportsFallbackMode: false,
  supportsPartialResults: false,
  supportsCachedResults: false
}

// `await using monitor = …` closes it at the end of the block where the runtime supports it (Node ≥ 24).
const monitor = new ResourceMonitor({ sampleInterval: 200 })
try {
  await monitor.startContinuousMonitoring()
  let readings = 0
  const id = monitor.registerCallback(() => void readings++)
  console.log(`system load ${(await monitor.getSystemLoad()).toFixed(2)}`)

  const allocator = new ResourceAllocator(monitor, { maxMemoryPercentage: 75 })
  const allocation = await allocator.requestAllocation({ name: "generateProof", estimatedMemory: GiB, priority: ResourcePriority.HIGH })
  console.log(`1 GiB request approved: ${allocation.approved}`)

  const adaptive = new AdaptiveComputation(monitor, allocator, {
    enabledStrategies: [ComputationStrategy.FULL_COMPUTATION, ComputationStrategy.PROGRESSIVE_COMPUTATION]
  })
  const result = await adaptive.executeComputation("proveTransaction", async (resources) => {
    await new Promise((resolve) => setTimeout(resolve, 300))
    return { cores: resources.cpu }
  }, computationProfile, ResourcePriority.MEDIUM)
  console.log(`computation succeeded: ${result.success} with ${result.strategy}`)

  const prediction = new ResourcePrediction(monitor)
  await prediction.start()
  prediction.registerOperation("proofGeneration", computationProfile)
  console.log(`prediction confidence ${prediction.getOperationPrediction("proofGeneration")?.confidenceScore.toFixed(2)}`)
  prediction.unregisterOperation("proofGeneration")
  monitor.unregisterCallback(id)
  console.log(`callbacks received ${readings > 0 ? "readings" : "nothing"}`)
} finally {
  await monitor.close()
}
