/**
 * The Promise facade's `serverFallbackEndpoint` on Node, against a real
 * `provident serve` proving the committed `square-1000` with snarkjs: the
 * computation that cannot run here gets a verified proof from the server,
 * a bad endpoint throws in the constructor, and a missing token is the
 * server's 401, reported by the fallback attempt.
 */
import {
  AdaptiveComputation,
  type ComputationResources,
  ComputationStrategy,
  ResourceAllocator,
  ResourceMonitor,
  ResourcePriority
} from "@provident/node/promise"
import { ProofComputation } from "@provident/core"
import type { CircuitArtifacts } from "@provident/core/Prover"
import { Effect, ManagedRuntime } from "effect"
import * as fs from "node:fs"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { thrown } from "./promiseHarness.ts"
import { nodeOptions, tempDir } from "./promiseNodeOptions.ts"
import { baseUrl, provingServer, square1000, square1000Output, token } from "./serverFixtures.ts"

const monitors: Array<{ readonly monitor: ResourceMonitor; readonly dir: string }> = []

/** A Node monitor over temporary stores with nominal pressure, and the given `remote` option. */
const monitorWith = (remote?: { readonly token?: string; readonly allowInsecureHttp?: boolean }) => {
  const dir = tempDir()
  const monitor = new ResourceMonitor({ sampleInterval: 100 }, { ...nodeOptions(dir), ...(remote === undefined ? {} : { remote }) })
  monitors.push({ monitor, dir })
  return monitor
}

afterEach(async () => {
  for (const { monitor, dir } of monitors.splice(0)) {
    await monitor.close()
    fs.rmSync(dir, { recursive: true, force: true })
  }
})

describe("AdaptiveComputation's serverFallbackEndpoint on Node", () => {
  let circuit: CircuitArtifacts
  let url: string
  let stopServer = (): Promise<void> => Promise.resolve()

  beforeAll(async () => {
    circuit = await Effect.runPromise(square1000)
    const server = ManagedRuntime.make(provingServer(circuit))
    stopServer = () => server.dispose()
    url = await server.runPromise(baseUrl)
  })
  afterAll(() => stopServer())

  it("a computation that fails here gets a verified proof from provident serve", async () => {
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
        throw new Error("square-1000 cannot be proved on this device")
      }
      return resources.remote.prove({ circuit, protocol: "groth16", input: { x: 3 } })
    }

    const result = await adaptive.executeComputation("remote-square", prove, ProofComputation.defaultProfile(circuit), ResourcePriority.HIGH)

    expect(result.success, JSON.stringify(result.attempts)).toBe(true)
    expect(result.strategy).toBe(ComputationStrategy.FALLBACK_COMPUTATION)
    if (!result.success) return
    // The remote prover accepted the proof only after verifying it here with square-1000's verification key.
    expect(result.result.endpoint).toBe(url)
    expect(result.result.proof.protocol).toBe("groth16")
    expect(result.result.proof.publicSignals).toEqual([square1000Output(3n)])
    expect(result.attempts.map((a) => [a.strategy, a.outcome, a.reason])).toEqual([
      ["FULL_COMPUTATION", "failed", "square-1000 cannot be proved on this device"],
      ["FALLBACK_COMPUTATION", "succeeded", undefined]
    ])
    expect(seen, "the remote prover is handed over on fallback only").toEqual([["FULL_COMPUTATION", false], ["FALLBACK_COMPUTATION", true]])
  }, 30_000)

  it("without the server's token the fallback attempt fails with its 401, and the result says so", async () => {
    const monitor = monitorWith()
    const adaptive = new AdaptiveComputation(monitor, new ResourceAllocator(monitor), {
      enabledStrategies: [ComputationStrategy.FALLBACK_COMPUTATION],
      serverFallbackEndpoint: url,
      allowRemote: true,
      retries: 0
    })
    const result = await adaptive.executeComputation("no-token", (resources) =>
      resources.remote === undefined
        ? Promise.reject(new Error("no remote prover"))
        : resources.remote.prove({ circuit, protocol: "groth16", input: { x: 3 } }), ProofComputation.defaultProfile(circuit), ResourcePriority.HIGH)
    expect(result.success).toBe(false)
    expect(result.attempts.map((a) => [a.strategy, a.outcome])).toEqual([["FALLBACK_COMPUTATION", "failed"]])
    expect(result.attempts[0]!.reason).toContain("refused the request (401)")
  }, 30_000)
})

describe("serverFallbackEndpoint is checked in the constructor", () => {
  const construct = (monitor: ResourceMonitor, serverFallbackEndpoint: string) => () =>
    new AdaptiveComputation(monitor, new ResourceAllocator(monitor), { serverFallbackEndpoint })

  it("plain HTTP to another host, or no URL at all, throws a TypeError naming the option and the rule", () => {
    const monitor = monitorWith({ token })
    expect(thrown(construct(monitor, "http://example.com/zk-fallback"))).toEqual([
      "TypeError",
      "Invalid AdaptiveComputation option serverFallbackEndpoint: must be https for a host other than loopback (or set allowInsecureHttp)"
    ])
    expect(thrown(construct(monitor, "prover.example.com"))).toEqual([
      "TypeError",
      "Invalid AdaptiveComputation option serverFallbackEndpoint: is not an absolute URL"
    ])
    expect(construct(monitor, "https://prover.example.com/zk-fallback")()).toBeInstanceOf(AdaptiveComputation)
    expect(construct(monitor, "http://127.0.0.1:8787")()).toBeInstanceOf(AdaptiveComputation)
    const insecure = monitorWith({ token, allowInsecureHttp: true })
    expect(construct(insecure, "http://example.com/zk-fallback")()).toBeInstanceOf(AdaptiveComputation)
  })

  it("without a token, the spec's example constructs: no token is no endpoint error", () => {
    const monitor = monitorWith()
    expect(construct(monitor, "https://api.example.com/zk-fallback")()).toBeInstanceOf(AdaptiveComputation)
  })
})
