/**
 * `@provident/browser/promise` in real Chromium: the spec's classes over
 * this page's probe and the IndexedDB stores. Each monitor gets a database
 * of its own, deleted after the test. Work runs as `critical`: the test run
 * keeps the cores busy, headless Chromium then often reports critical CPU
 * pressure, and under it the allocator starts only critical work (by
 * design; see BrowserProvident.test.ts). `serverFallbackEndpoint` is
 * tested against a real `provident serve` (the `startProverServer` command)
 * proving `square-1000` with snarkjs, which this page calls across origins.
 */
import {
  AdaptiveComputation,
  type ComputationProfile,
  type ComputationResources,
  ComputationStrategy,
  type OperationProfile,
  type OperationStatus,
  ResourceAllocator,
  ResourceMonitor,
  type ResourceMonitorOptions,
  ResourcePrediction,
  ResourcePriority,
  type RemoteOptions,
  type ResourceSnapshot
} from "@provident/browser/promise"
import { ProofComputation, Prover } from "@provident/core"
import type { CircuitArtifacts } from "@provident/core/Prover"
import { Effect, ManagedRuntime } from "effect"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { commands } from "vitest/browser"
import * as BrowserSnarkjsProver from "../src/BrowserSnarkjsProver.ts"
import { loadCircuit, squares } from "./fixtures.ts"

const MiB = 1024 ** 2
const PiB = 1024 ** 5

const opened: Array<{ readonly monitor: ResourceMonitor; readonly databaseName: string }> = []

const deleteDatabase = (name: string) =>
  new Promise<void>((resolve) => {
    const request = indexedDB.deleteDatabase(name)
    request.onsuccess = request.onerror = request.onblocked = () => resolve()
  })

/** A monitor over this page whose stores use a database of their own. */
const monitorOf = (options?: ResourceMonitorOptions): { readonly monitor: ResourceMonitor; readonly databaseName: string } => {
  const databaseName = `provident-promise-test-${crypto.randomUUID()}`
  const monitor = new ResourceMonitor(options, { storage: { databaseName } })
  opened.push({ monitor, databaseName })
  return { monitor, databaseName }
}

afterEach(async () => {
  const all = opened.splice(0)
  await Promise.all(all.map(({ monitor }) => monitor.close()))
  await Promise.all(all.map(({ databaseName }) => deleteDatabase(databaseName)))
})

/** Settles with `promise`, or rejects after `ms`. */
const within = <A>(promise: Promise<A>, ms: number, what: string): Promise<A> =>
  Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms))
  ])

/** Polls `read` until `done` holds of its value; rejects after `ms`. */
const until = async <A>(read: () => Promise<A>, done: (a: A) => boolean, ms: number, what: string): Promise<A> => {
  const deadline = Date.now() + ms
  for (;;) {
    const value = await read()
    if (done(value)) return value
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what} (last: ${JSON.stringify(value)})`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

const databases = async (): Promise<Array<string | undefined>> => (await indexedDB.databases()).map((d) => d.name)

const profile: ComputationProfile = {
  circuitSize: 1000,
  expectedWitnessDuration: 50,
  expectedProvingDuration: 200,
  circuitMemoryRequirements: 8 * MiB,
  witnessMemoryRequirements: 8 * MiB,
  provingMemoryRequirements: 16 * MiB,
  canSplitComputation: false,
  supportsFallbackMode: false,
  supportsPartialResults: false,
  supportsCachedResults: false
}

describe("ResourceMonitor", () => {
  it("samples continuously: callbacks receive readings, sampleResources reads the page, load is within 0..1", async () => {
    const { monitor } = monitorOf({ sampleInterval: 100 })
    void monitor.startContinuousMonitoring()
    const readings: Array<ResourceSnapshot> = []
    const twoReadings = new Promise<void>((resolve) => {
      monitor.registerCallback((snapshot) => {
        readings.push(snapshot)
        if (readings.length >= 2) resolve()
      })
    })
    await within(twoReadings, 5000, "two readings delivered to the callback")
    expect(readings[0]!.memory.total).toBeGreaterThan(0)

    const load = await monitor.getSystemLoad()
    expect(load).toBeGreaterThanOrEqual(0)
    expect(load).toBeLessThanOrEqual(1)

    const snapshot = await monitor.sampleResources()
    expect(snapshot.stale).toBe(false)
    expect(snapshot.memory.total).toBeGreaterThan(0)
    expect(snapshot.memory.used).toBeGreaterThan(0)
    expect(snapshot.memory.available).toBeGreaterThan(0)
    expect(snapshot.memory.usagePercent).toBeGreaterThan(0)
    expect(snapshot.memory.usagePercent).toBeLessThanOrEqual(100)
    expect(snapshot.cpu.cores).toBe(navigator.hardwareConcurrency)
    await monitor.stopContinuousMonitoring()
  })

  it("a bad option throws a TypeError naming it, the browser platform's too (by its path, unknown ones included)", async () => {
    expect(() => new ResourceMonitor({ sampleInterval: -1 })).toThrow(
      new TypeError("Invalid ResourceMonitor option sampleInterval: must be at least 10 ms")
    )
    const browserOption = (browser: unknown) => () => new ResourceMonitor({ sampleInterval: 100 }, browser as never)
    expect(browserOption({ probe: { memoryCeiling: 1 } })).toThrow(
      new TypeError("Invalid ResourceMonitor option probe.memoryCeiling: must be at least 1 MiB")
    )
    expect(browserOption({ storage: { indexedDB: "idb" } })).toThrow(
      new TypeError("Invalid ResourceMonitor option storage.indexedDB: must be an IDBFactory, or null to keep everything in memory")
    )
    expect(browserOption({ resultCacheSize: 2.5 })).toThrow(/^Invalid ResourceMonitor option resultCacheSize: /)
    expect(browserOption({ remote: { retries: -1 } })).toThrow(/^Invalid ResourceMonitor option remote\.retries: /)
    expect(browserOption({ probe: { storageRefesh: 5000 } })).toThrow(/^Invalid ResourceMonitor option probe\.storageRefesh: /)
    const monitor = new ResourceMonitor({ sampleInterval: 100 }, { probe: { storageRefresh: 5000 }, storage: { indexedDB: null } })
    expect((await monitor.sampleResources()).stale).toBe(false)
    await monitor.close()
  })

  it("after close() every call rejects (or throws) with `<Class> is closed`; Symbol.asyncDispose closes", async () => {
    const { monitor } = monitorOf({ sampleInterval: 100 })
    const allocator = new ResourceAllocator(monitor)
    const adaptive = new AdaptiveComputation(monitor, allocator)
    const prediction = new ResourcePrediction(monitor)
    await monitor.sampleResources()
    await prediction.start()
    expect(typeof monitor[Symbol.asyncDispose]).toBe("function")
    expect(typeof allocator[Symbol.asyncDispose]).toBe("function")
    expect(typeof adaptive[Symbol.asyncDispose]).toBe("function")
    expect(typeof prediction[Symbol.asyncDispose]).toBe("function")

    await monitor[Symbol.asyncDispose]()
    await expect(monitor.sampleResources()).rejects.toThrow("ResourceMonitor is closed")
    await expect(monitor.getSystemLoad()).rejects.toThrow("ResourceMonitor is closed")
    await expect(monitor.startContinuousMonitoring()).rejects.toThrow("ResourceMonitor is closed")
    await expect(allocator.requestAllocation({ name: "late", estimatedMemory: MiB })).rejects.toThrow("ResourceAllocator is closed")
    await expect(adaptive.executeComputation("late", async () => 1, profile, ResourcePriority.CRITICAL)).rejects.toThrow(
      "AdaptiveComputation is closed"
    )
    expect(() => prediction.getSystemPredictions()).toThrow("ResourcePrediction is closed")
    expect(() => new ResourceAllocator(monitor)).toThrow("ResourceMonitor is closed")
    await monitor.close() // idempotent
  })
})

describe("ResourceAllocator", () => {
  it("approves a small request and denies 1 PiB with reasons", async () => {
    const { monitor } = monitorOf({ sampleInterval: 100 })
    const allocator = new ResourceAllocator(monitor)

    const small = await allocator.requestAllocation({ name: "small", estimatedMemory: 16 * MiB, priority: ResourcePriority.CRITICAL })
    expect(small.approved, JSON.stringify(small.reasons)).toBe(true)
    expect(small.allocatedMemory).toBe(16 * MiB)
    expect(small.allocatedCores).toBeGreaterThanOrEqual(1)

    const absurd = await allocator.requestAllocation({ name: "absurd", estimatedMemory: PiB, priority: ResourcePriority.CRITICAL })
    expect(absurd.approved).toBe(false)
    expect(absurd.allocatedMemory).toBe(0)
    expect(absurd.reasons.map((r) => r.code)).toContain("oversized-memory")
    expect(absurd.reasons.every((r) => r.message.length > 0)).toBe(true)
  })

  it("queues, starts, pauses, resumes and cancels an operation; getOperationStatus follows", async () => {
    const { monitor } = monitorOf({ sampleInterval: 100 })
    const allocator = new ResourceAllocator(monitor)
    const operation: OperationProfile = {
      name: "op",
      estimatedMemory: 16 * MiB,
      priority: ResourcePriority.CRITICAL,
      canBePaused: true
    }
    const state = async (): Promise<OperationStatus["state"]> => (await allocator.getOperationStatus("op")).state

    await allocator.queueOperation(operation)
    expect(await state()).toBe("queued")
    const grant = await within(allocator.startOperation("op"), 5000, "the operation's admission")
    expect(grant.memory).toBe(16 * MiB)
    const running = await allocator.getOperationStatus("op")
    expect(running.state).toBe("running")

    await allocator.pauseOperation("op")
    expect(await state()).toBe("paused")
    await allocator.resumeOperation("op")
    await until(state, (s) => s === "running", 5000, "the resumed operation to run again")
    await allocator.cancelOperation("op")
    expect(await state()).toBe("cancelled")
    await expect(allocator.getOperationStatus("nope")).rejects.toMatchObject({ _tag: "UnknownOperation" })
  })
})

describe("AdaptiveComputation", () => {
  it("runs an async computation with its grant to success, with the full strategy", async () => {
    const { monitor } = monitorOf({ sampleInterval: 100 })
    const allocator = new ResourceAllocator(monitor)
    const adaptive = new AdaptiveComputation(monitor, allocator, { timeout: 20_000 })
    const result = await adaptive.executeComputation(
      "sum",
      async (resources) => {
        expect(resources.memory).toBeGreaterThan(0)
        expect(resources.cpu).toBeGreaterThanOrEqual(1)
        await new Promise((resolve) => setTimeout(resolve, 10))
        return { sum: 1 + 2 + 3, cores: resources.cpu }
      },
      profile,
      ResourcePriority.CRITICAL
    )
    expect(result.success, JSON.stringify(result)).toBe(true)
    expect(result.strategy).toBe(ComputationStrategy.FULL_COMPUTATION)
    if (!result.success) return
    expect(result.result.sum).toBe(6)
    expect(result.elapsedTime).toBeGreaterThan(0)
    expect(adaptive.getComputationProgress("sum")?.phase).toBe("done")
  })

  it("proves square-1000 with BrowserSnarkjsProver inside the computation; the proof verifies", async () => {
    const prover = ManagedRuntime.make(BrowserSnarkjsProver.layer())
    try {
      const circuit = await Effect.runPromise(loadCircuit("square-1000"))
      const { monitor } = monitorOf({ sampleInterval: 250 })
      const allocator = new ResourceAllocator(monitor)
      const adaptive = new AdaptiveComputation(monitor, allocator)
      const result = await adaptive.executeComputation(
        "proof",
        (resources) =>
          prover.runPromise(
            Prover.Prover.use((p) =>
              Effect.gen(function*() {
                const limits = { cores: Math.max(1, Math.floor(resources.cpu)) }
                const { witness } = yield* p.computeWitness(circuit, { x: 3 }, limits)
                const { proof } = yield* p.prove(circuit, "groth16", witness, limits)
                return proof
              })
            ),
            { signal: resources.signal as AbortSignal }
          ),
        { ...profile, supportsCachedResults: true },
        ResourcePriority.CRITICAL,
        { cacheKey: "square-1000:x=3" }
      )
      expect(result.success, JSON.stringify(result.attempts)).toBe(true)
      expect(result.strategy).toBe(ComputationStrategy.FULL_COMPUTATION)
      if (!result.success) return
      expect(result.result.publicSignals).toEqual([squares(3n, 1000)])
      expect(await prover.runPromise(Prover.Prover.use((p) => p.verify(circuit, result.result)))).toBe(true)

      // The same key again: served from the result cache in IndexedDB, no second proof.
      const again = await adaptive.executeComputation("proof-again", () => Promise.reject(new Error("not called")), {
        ...profile,
        supportsCachedResults: true
      }, ResourcePriority.CRITICAL, { cacheKey: "square-1000:x=3" })
      expect(again.strategy).toBe(ComputationStrategy.CACHED_COMPUTATION)
      expect(again.success && again.result).toEqual(result.result)
    } finally {
      await prover.dispose()
    }
  }, 60_000)
})

describe("AdaptiveComputation's serverFallbackEndpoint against a real provident serve", () => {
  let circuit: CircuitArtifacts
  let server: { readonly url: string; readonly token: string } | undefined

  beforeAll(async () => {
    circuit = await Effect.runPromise(loadCircuit("square-1000"))
    server = await commands.startProverServer(location.origin)
  }, 30_000)
  afterAll(async () => {
    if (server !== undefined) await commands.stopProverServer(server.url)
  })

  const monitors: Array<ResourceMonitor> = []
  afterEach(async () => {
    await Promise.all(monitors.splice(0).map((monitor) => monitor.close()))
  })

  /** A monitor keeping its stores in memory, with the server's token (or none) and settings. */
  const monitorWith = (remote: RemoteOptions) => {
    const monitor = new ResourceMonitor({ sampleInterval: 100 }, { storage: { indexedDB: null }, remote })
    monitors.push(monitor)
    return monitor
  }

  /** What constructing throws: its class and message. */
  const thrown = (construct: () => unknown): [string, string] => {
    try {
      construct()
    } catch (error) {
      return [(error as Error).constructor.name, (error as Error).message]
    }
    throw new Error("the constructor did not throw")
  }

  it("a computation that cannot run in this page gets a verified proof from provident serve", async () => {
    const { url, token } = server!
    const monitor = monitorWith({ token })
    const adaptive = new AdaptiveComputation(monitor, new ResourceAllocator(monitor), {
      enabledStrategies: [ComputationStrategy.FULL_COMPUTATION, ComputationStrategy.FALLBACK_COMPUTATION],
      serverFallbackEndpoint: url,
      allowRemote: true,
      retries: 0
    })
    const seen: Array<[string, boolean]> = []
    const prove = async (resources: ComputationResources) => {
      seen.push([resources.strategy, resources.remote !== undefined])
      if (resources.strategy !== ComputationStrategy.FALLBACK_COMPUTATION || resources.remote === undefined) {
        throw new Error("square-1000 cannot be proved in this page")
      }
      return resources.remote.prove({ circuit, protocol: "groth16", input: { x: 3 } })
    }

    const result = await adaptive.executeComputation("remote-square", prove, ProofComputation.defaultProfile(circuit), ResourcePriority.CRITICAL)

    expect(result.success, JSON.stringify(result.attempts)).toBe(true)
    expect(result.strategy).toBe(ComputationStrategy.FALLBACK_COMPUTATION)
    if (!result.success) return
    // Accepted only after the page verified it with square-1000's verification key.
    expect(result.result.endpoint).toBe(url)
    expect(result.result.proof.protocol).toBe("groth16")
    expect(result.result.proof.publicSignals).toEqual([squares(3n, 1000)])
    expect(result.attempts.map((a) => [a.strategy, a.outcome, a.reason])).toEqual([
      ["FULL_COMPUTATION", "failed", "square-1000 cannot be proved in this page"],
      ["FALLBACK_COMPUTATION", "succeeded", undefined]
    ])
    expect(seen, "the remote prover is handed over on fallback only").toEqual([["FULL_COMPUTATION", false], ["FALLBACK_COMPUTATION", true]])
  }, 30_000)

  it("without the server's token the fallback attempt fails with its 401, which the page could read", async () => {
    const monitor = monitorWith({})
    const adaptive = new AdaptiveComputation(monitor, new ResourceAllocator(monitor), {
      enabledStrategies: [ComputationStrategy.FALLBACK_COMPUTATION],
      serverFallbackEndpoint: server!.url,
      allowRemote: true,
      retries: 0
    })
    const result = await adaptive.executeComputation("no-token", (resources) =>
      resources.remote === undefined
        ? Promise.reject(new Error("no remote prover"))
        : resources.remote.prove({ circuit, protocol: "groth16", input: { x: 3 } }), ProofComputation.defaultProfile(circuit), ResourcePriority.CRITICAL)
    expect(result.success).toBe(false)
    expect(result.attempts.map((a) => [a.strategy, a.outcome])).toEqual([["FALLBACK_COMPUTATION", "failed"]])
    // The status and the server's reason: CORS let the page read the error response.
    expect(result.attempts[0]!.reason).toContain("refused the request (401): a valid bearer token is required")
  }, 30_000)

  it("the endpoint is checked in the constructor: a TypeError naming serverFallbackEndpoint", () => {
    const monitor = monitorWith({ token: server!.token })
    const construct = (serverFallbackEndpoint: string) => () =>
      new AdaptiveComputation(monitor, new ResourceAllocator(monitor), { serverFallbackEndpoint })
    expect(thrown(construct("http://example.com"))).toEqual([
      "TypeError",
      "Invalid AdaptiveComputation option serverFallbackEndpoint: must be https for a host other than loopback (or set allowInsecureHttp)"
    ])
    expect(thrown(construct("prover.example.com"))).toEqual([
      "TypeError",
      "Invalid AdaptiveComputation option serverFallbackEndpoint: is not an absolute URL"
    ])
    expect(construct("https://prover.example.com/zk-fallback")()).toBeInstanceOf(AdaptiveComputation)
    expect(construct(server!.url)(), "plain HTTP to loopback").toBeInstanceOf(AdaptiveComputation)
    const insecure = monitorWith({ allowInsecureHttp: true })
    expect(new AdaptiveComputation(insecure, new ResourceAllocator(insecure), { serverFallbackEndpoint: "http://example.com" }))
      .toBeInstanceOf(AdaptiveComputation)
  })
})

describe("ResourcePrediction", () => {
  it("starts over the monitor, predicts a registered operation, and keeps its models in the monitor's IndexedDB database", async () => {
    const { monitor, databaseName } = monitorOf({ sampleInterval: 100 })
    const prediction = new ResourcePrediction(monitor)
    expect(() => prediction.getResourceTrends()).toThrow("ResourcePrediction is not started")
    await prediction.start()
    expect(await databases()).toContain(databaseName)

    prediction.registerOperation("proof", profile)
    const predicted = prediction.getOperationPrediction("proof")
    expect(predicted).toBeDefined()
    expect(predicted!.estimatedTimeToComplete).toBeGreaterThan(0)
    expect(predicted!.estimatedPeakMemory).toBeGreaterThan(0)
    expect(predicted!.confidenceScore).toBeGreaterThanOrEqual(0)
    expect(predicted!.confidenceScore).toBeLessThanOrEqual(1)
    expect(prediction.getOperationPrediction("unknown")).toBeUndefined()
    expect(prediction.getResourceTrends().map((t) => t.resource)).toContain("memory")
    expect(prediction.unregisterOperation("proof")).toBe(true)
    await prediction.stop()
    expect(() => prediction.getSystemPredictions()).toThrow("ResourcePrediction is closed")
  })

  it("with `indexedDB: null` the stores are kept in memory: no database is opened", async () => {
    const databaseName = `provident-promise-test-${crypto.randomUUID()}`
    await using monitor = new ResourceMonitor({ sampleInterval: 100 }, { storage: { databaseName, indexedDB: null } })
    const prediction = new ResourcePrediction(monitor)
    await prediction.start()
    prediction.registerOperation("proof", profile)
    expect(prediction.getOperationPrediction("proof")?.estimatedPeakMemory).toBeGreaterThan(0)
    expect(await databases()).not.toContain(databaseName)
  })
})
