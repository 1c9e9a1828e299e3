/**
 * The Promise facade on this machine, beyond the spec's blocks: continuous
 * monitoring, callbacks that throw, the operation lifecycle, progress while
 * a computation runs, sharing one monitor (and allocator) between objects,
 * closing (calls reject, `await using`, objects built over a closed one),
 * and a script that exits by itself after `close()`.
 */
import {
  AdaptiveComputation,
  type Allocation,
  AllocationStrategy,
  type OperationProfile,
  ResourceAllocator,
  ResourcePrediction,
  ResourcePriority,
  type ResourceSnapshot
} from "@provident/node/promise"
import { spawn } from "node:child_process"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { afterEach, describe, expect, it } from "vitest"
import { closeMonitors, GiB, MiB, recordConsole, sleep, TestMonitor, until } from "./promiseHarness.ts"

const open = (options?: ConstructorParameters<typeof TestMonitor>[0]) => new TestMonitor(options)
afterEach(closeMonitors)

const profile = (over: Partial<OperationProfile> = {}): OperationProfile => ({
  name: "generateProof",
  estimatedMemory: GiB,
  priority: ResourcePriority.HIGH,
  canBePaused: true,
  requiredResources: [
    { type: "memory", minimumRequired: 512 * MiB, recommended: GiB, units: "bytes" },
    { type: "cpu", minimumRequired: 1, recommended: 1, units: "cores" }
  ],
  ...over
})

const computationProfile = {
  circuitSize: 1000,
  expectedWitnessDuration: 10,
  expectedProvingDuration: 10,
  circuitMemoryRequirements: 16 * MiB,
  witnessMemoryRequirements: 16 * MiB,
  provingMemoryRequirements: 16 * MiB,
  canSplitComputation: true,
  supportsFallbackMode: false,
  supportsPartialResults: false,
  supportsCachedResults: false
}

describe("continuous monitoring and callbacks", () => {
  it("readings arrive every sampleInterval only between start and stop; sampleResources works either way", async () => {
    const monitor = open({ sampleInterval: 50 })
    const readings: Array<ResourceSnapshot> = []
    monitor.registerCallback((r) => void readings.push(r))
    await monitor.sampleResources()
    await until(() => readings.length === 1, 2000, "the on-demand reading")
    await sleep(300)
    expect(readings).toHaveLength(1) // not started: no periodic readings
    await monitor.startContinuousMonitoring()
    await until(() => readings.length >= 5, 3000, "periodic readings")
    await monitor.stopContinuousMonitoring()
    const atStop = readings.length
    await sleep(300)
    expect(readings).toHaveLength(atStop)
    await monitor.sampleResources()
    await until(() => readings.length === atStop + 1, 2000, "the reading after stopping")
    expect(readings.every((r, i) => i === 0 || r.timestamp >= readings[i - 1]!.timestamp)).toBe(true)
  })

  it("a callback that throws is logged and stays registered; the others carry on", async () => {
    const printed = recordConsole()
    const monitor = open({ sampleInterval: 50 })
    let thrown = 0
    const good: Array<number> = []
    const bad = monitor.registerCallback(() => {
      thrown++
      throw new Error("callback bug")
    })
    monitor.registerCallback(async (r) => void good.push(r.memory.used))
    await monitor.startContinuousMonitoring()
    await until(() => thrown >= 3 && good.length >= 3, 3000, "three readings to both callbacks")
    expect(printed.calls().some((args) => args.some((a) => String(a).includes(`callback ${bad} failed`)))).toBe(true)
    expect(monitor.unregisterCallback(bad)).toBe(true)
    expect(monitor.unregisterCallback(bad)).toBe(false)
    const atUnregister = thrown
    const goodAtUnregister = good.length
    await until(() => good.length >= goodAtUnregister + 2, 3000, "more readings")
    expect(thrown).toBe(atUnregister)
  })
})

describe("ResourceAllocator", () => {
  it("grants a request that fits and denies an oversized one with recommendations and fallback options", async () => {
    const allocator = new ResourceAllocator(open(), { strategy: AllocationStrategy.AGGRESSIVE })
    const granted = await allocator.requestAllocation(profile())
    expect(granted).toMatchObject({ approved: true, allocatedMemory: GiB, allocatedCores: 1, reasons: [] })
    const denied = await allocator.requestAllocation(profile({ name: "huge", estimatedMemory: 1024 ** 5, requiredResources: [] }))
    expect(denied.approved).toBe(false)
    expect(denied.reasons.map((r) => r.code)).toEqual(["oversized-memory"])
    expect(denied.recommendations).toContain("use the remote prover")
    expect(denied.fallbackOptions.map((o) => o.kind)).toEqual(["remote", "smaller-circuit"])
    await expect(allocator.requestAllocation({ name: "", estimatedMemory: -1 })).rejects.toThrow(TypeError)
    // A requirement type is a plain string in the facade's types; the decode names a wrong one.
    const gpu = { name: "gpu", estimatedMemory: MiB, requiredResources: [{ type: "gpu", minimumRequired: 1, recommended: 1, units: "cores" }] }
    await expect(allocator.requestAllocation(gpu)).rejects.toThrow(/requiredResources.*type/)
  })

  it("queued operations start, pause, resume and cancel; the spec's unawaited calls apply in order", async () => {
    const allocator = new ResourceAllocator(open())
    await allocator.queueOperation(profile())
    expect((await allocator.getOperationStatus("generateProof")).state).toBe("queued")
    const started = await allocator.startOperation("generateProof")
    expect(started).toMatchObject({ name: "generateProof", memory: GiB, cores: 1, restarts: 0 })
    expect((await allocator.getOperationStatus("generateProof")).state).toBe("running")
    await allocator.pauseOperation("generateProof")
    expect((await allocator.getOperationStatus("generateProof")).state).toBe("paused")
    await allocator.resumeOperation("generateProof")
    const resumed = await allocator.startOperation("generateProof")
    expect(resumed.restarts).toBe(1)
    await allocator.cancelOperation("generateProof")
    expect((await allocator.getOperationStatus("generateProof")).state).toBe("cancelled")

    // As the spec writes it: nothing awaited between the calls.
    allocator.queueOperation(profile({ name: "again" }))
    await allocator.startOperation("again")
    allocator.pauseOperation("again")
    allocator.resumeOperation("again")
    allocator.cancelOperation("again")
    const status = await allocator.getOperationStatus("again")
    expect(status.state).toBe("cancelled")
    await expect(allocator.pauseOperation("again")).rejects.toMatchObject({ _tag: "InvalidOperationState" })
    await expect(allocator.startOperation("nobody")).rejects.toMatchObject({ _tag: "UnknownOperation" })
  })

  it("queueOperation(profile, work) runs the work under the grant and completes", async () => {
    const allocator = new ResourceAllocator(open())
    let got: Allocation | undefined
    await allocator.queueOperation(profile({ name: "work" }), async (allocation) => void (got = allocation))
    await allocator.startOperation("work")
    await until(() => got !== undefined, 2000, "the work")
    expect(got).toMatchObject({ name: "work", memory: GiB })
    await expect.poll(async () => (await allocator.getOperationStatus("work")).state).toBe("completed")
  })

  it("a custom strategy that refuses or rejects denies the request, with its reason", async () => {
    const monitor = open()
    const refusing = new ResourceAllocator(monitor, {
      strategy: AllocationStrategy.CUSTOM,
      customStrategyFn: async () => ({ approved: false, reason: "not today" })
    })
    expect((await refusing.requestAllocation(profile())).reasons).toEqual([{ code: "custom", message: "not today" }])
    const failing = new ResourceAllocator(monitor, {
      strategy: AllocationStrategy.CUSTOM,
      customStrategyFn: () => Promise.reject(new Error("strategy bug"))
    })
    const decision = await failing.requestAllocation(profile())
    expect(decision.approved).toBe(false)
    expect(decision.reasons[0]!.message).toMatch(/the custom strategy failed: .*strategy bug/s)
  })
})

describe("AdaptiveComputation", () => {
  it("progress is readable while a computation runs; a failing one resolves with success false and its error", async () => {
    const monitor = open()
    const adaptive = new AdaptiveComputation(monitor, new ResourceAllocator(monitor), { retries: 0 })
    expect(adaptive.getComputationProgress("slow")).toBeUndefined()
    let release: () => void = () => undefined
    const running = adaptive.executeComputation("slow", async (resources) => {
      resources.progress("witness", 40)
      await new Promise<void>((resolve) => (release = resolve))
      return resources.strategy
    }, computationProfile, ResourcePriority.HIGH)
    await until(() => adaptive.getComputationProgress("slow")?.phase === "witness", 5000, "the witness phase")
    expect(adaptive.getComputationProgress("slow")).toMatchObject({ phase: "witness", progress: 40, strategy: "FULL_COMPUTATION" })
    release()
    const result = await running
    expect(result.success && result.result).toBe("FULL_COMPUTATION")
    expect(adaptive.getComputationProgress("slow")).toMatchObject({ phase: "done", progress: 100 })

    const failed = await adaptive.executeComputation("broken", async () => {
      throw new Error("constraint not satisfied")
    }, { ...computationProfile, canSplitComputation: false }, ResourcePriority.LOW)
    expect(failed.success).toBe(false)
    expect(failed.success ? undefined : failed.error).toMatchObject({ message: "constraint not satisfied" })
    expect(failed.attempts.map((a) => [a.strategy, a.outcome])).toContainEqual(["FULL_COMPUTATION", "failed"])
    await expect(adaptive.executeComputation("bad", async () => 1, { ...computationProfile, circuitSize: -1 }, ResourcePriority.LOW))
      .rejects.toThrow(/^Invalid ComputationProfile: circuitSize/)
  })
})

describe("one runtime per monitor", () => {
  it("two allocators over one monitor see that monitor; a computation admits through its allocator", async () => {
    const monitor = open()
    const seenBy: Record<string, Array<[unknown, number]>> = { a: [], b: [] }
    const allocatorOf = (key: "a" | "b") =>
      new ResourceAllocator(monitor, {
        strategy: AllocationStrategy.CUSTOM,
        customStrategyFn: async (m, _operation, context) => {
          seenBy[key]!.push([m, context.snapshot.timestamp])
          return { approved: true }
        }
      })
    const [a, b] = [allocatorOf("a"), allocatorOf("b")]
    await a.requestAllocation(profile())
    await sleep(20)
    // A reading taken through the monitor is the one both allocators decide on.
    const reading = await monitor.sampleResources()
    await a.requestAllocation(profile())
    await b.requestAllocation(profile())
    expect(seenBy.a!.map(([m]) => m === monitor)).toEqual([true, true])
    expect(seenBy.a![1]![1]).toBe(reading.timestamp)
    expect(seenBy.b![0]).toEqual([monitor, reading.timestamp])

    const adaptive = new AdaptiveComputation(monitor, a)
    const result = await adaptive.executeComputation("shared", async () => "ok", computationProfile, ResourcePriority.HIGH)
    expect(result.success).toBe(true)
    expect((await a.getOperationStatus("shared")).state).toBe("completed")
    await expect(b.getOperationStatus("shared")).rejects.toMatchObject({ _tag: "UnknownOperation" })
  })
})

describe("closing", () => {
  it("after close every call rejects (or throws) with a clear error, for everything built over the monitor", async () => {
    const monitor = open({ sampleInterval: 50 })
    const allocator = new ResourceAllocator(monitor)
    const adaptive = new AdaptiveComputation(monitor, allocator)
    const prediction = new ResourcePrediction(monitor)
    await prediction.start()
    await monitor.startContinuousMonitoring()
    const pending = allocator.queueOperation(profile()).then(() => allocator.startOperation("generateProof"))
    await pending
    const spare = new ResourceAllocator(monitor)
    const closingSpare = spare.close()
    expect(spare.close()).toBe(closingSpare) // idempotent: one closing, whoever asks
    await closingSpare
    await expect(spare.requestAllocation(profile())).rejects.toThrow("ResourceAllocator is closed")
    expect((await monitor.sampleResources()).stale).toBe(false) // the monitor outlives what was built over it
    await Promise.all([monitor.close(), monitor.close()])
    await monitor.close()
    await expect(monitor.sampleResources()).rejects.toThrow(/^ResourceMonitor is closed$/)
    await expect(monitor.getSystemLoad()).rejects.toThrow("ResourceMonitor is closed")
    await expect(monitor.startContinuousMonitoring()).rejects.toThrow("ResourceMonitor is closed")
    expect(() => monitor.registerCallback(() => undefined)).toThrow("ResourceMonitor is closed")
    await expect(allocator.requestAllocation(profile())).rejects.toThrow("ResourceAllocator is closed")
    await expect(allocator.cancelOperation("generateProof")).rejects.toThrow("ResourceAllocator is closed")
    await expect(adaptive.executeComputation("x", async () => 1, computationProfile, ResourcePriority.LOW)).rejects.toThrow(
      "AdaptiveComputation is closed"
    )
    expect(() => adaptive.getComputationProgress("x")).toThrow("AdaptiveComputation is closed")
    expect(() => prediction.getSystemPredictions()).toThrow("ResourcePrediction is closed")
    await expect(prediction.start()).rejects.toThrow("ResourcePrediction is closed")
    expect(() => new ResourceAllocator(monitor)).toThrow("ResourceMonitor is closed")
  })

  it("closing an allocator stops its computations, in flight too, and leaves the monitor working", async () => {
    const monitor = open()
    const allocator = new ResourceAllocator(monitor)
    const adaptive = new AdaptiveComputation(monitor, allocator)
    let aborted = false
    const running = adaptive.executeComputation("forever", (resources) =>
      new Promise((_, reject) =>
        resources.signal.addEventListener("abort", () => {
          aborted = true
          reject(new Error("aborted"))
        })
      ), computationProfile, ResourcePriority.HIGH)
    await until(() => adaptive.getComputationProgress("forever")?.phase === "running", 5000, "the computation to run")
    await allocator.close()
    await expect(running).rejects.toThrow("AdaptiveComputation is closed")
    expect(aborted).toBe(true)
    expect((await monitor.sampleResources()).stale).toBe(false)
  })

  it("await using closes at the end of the block", async () => {
    let escaped: TestMonitor | undefined
    {
      await using monitor = new TestMonitor({ sampleInterval: 50 })
      escaped = monitor
      await monitor.startContinuousMonitoring()
      expect((await monitor.sampleResources()).memory.total).toBeGreaterThan(0)
    }
    await expect(escaped.sampleResources()).rejects.toThrow("ResourceMonitor is closed")
  })

  it("await using closes an allocator, an adaptive computation and a prediction too, the monitor staying open", async () => {
    const monitor = open({ sampleInterval: 50 })
    let escaped: { allocator?: ResourceAllocator; adaptive?: AdaptiveComputation; prediction?: ResourcePrediction } = {}
    {
      await using allocator = new ResourceAllocator(monitor, { strategy: AllocationStrategy.BALANCED })
      await using adaptive = new AdaptiveComputation(monitor, allocator)
      await using prediction = new ResourcePrediction(monitor)
      escaped = { allocator, adaptive, prediction }
      await prediction.start()
      expect((await allocator.requestAllocation(profile({ estimatedMemory: MiB, requiredResources: [] }))).name).toBe("generateProof")
      expect(() => prediction.getSystemPredictions()).not.toThrow()
    }
    await expect(escaped.allocator!.requestAllocation(profile())).rejects.toThrow("ResourceAllocator is closed")
    await expect(escaped.adaptive!.executeComputation("late", async () => 1, computationProfile, ResourcePriority.LOW)).rejects.toThrow(
      "AdaptiveComputation is closed"
    )
    expect(() => escaped.prediction!.getSystemPredictions()).toThrow("ResourcePrediction is closed")
    expect((await monitor.sampleResources()).stale).toBe(false)
  })

  it("a script using the facade exits by itself after close()", async () => {
    const script = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures", "promise-script.ts")
    const child = spawn(process.execPath, ["--conditions=@provident/source", script], { cwd: path.dirname(script), stdio: ["ignore", "pipe", "pipe"] })
    let output = ""
    child.stdout.on("data", (chunk) => (output += String(chunk)))
    child.stderr.on("data", (chunk) => (output += String(chunk)))
    const code = await new Promise<number | string>((resolve) => {
      const timer = setTimeout(() => {
        child.kill("SIGKILL")
        resolve("still running after 20 s")
      }, 20_000)
      child.on("exit", (exitCode) => {
        clearTimeout(timer)
        resolve(exitCode ?? "killed")
      })
    })
    expect({ code, output }).toMatchObject({ code: 0, output: expect.stringContaining("closed after") })
  }, 30_000)
})
