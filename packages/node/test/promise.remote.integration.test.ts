/**
 * The Promise facade's `serverFallbackEndpoint` on Node, against a real
 * `provident serve` proving the committed `square-1000` with snarkjs: the
 * computation that cannot run here gets a verified proof from the server,
 * a bad endpoint throws in the constructor, and a missing token is the
 * server's 401, reported by the fallback attempt. A server that answers a
 * real, valid proof of another input is not believed.
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
import { type CircuitArtifacts, type Proof, Prover } from "@provident/core/Prover"
import { Effect, ManagedRuntime } from "effect"
import * as fs from "node:fs"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import * as NodeSnarkjsProver from "../src/NodeSnarkjsProver.ts"
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
    // And its public signals were checked against the witness this client computed itself.
    expect(result.result.statement).toEqual({ checked: true })
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

/** A real, valid Groth16 proof of `input` for `circuit`, made here with snarkjs. */
const realProof = (circuit: CircuitArtifacts, input: Readonly<Record<string, unknown>>) =>
  Effect.runPromise(
    Effect.gen(function*() {
      const prover = yield* Prover
      const { witness } = yield* prover.computeWitness(circuit, input, { cores: 1 })
      return (yield* prover.prove(circuit, "groth16", witness, { cores: 1 })).proof
    }).pipe(Effect.provide(NodeSnarkjsProver.layer({ warm: 0 })))
  )

/** A server on 127.0.0.1:0 that answers every proof request with `proof`, whatever the input; its capacity lists `circuit`. */
const replayServer = (circuit: CircuitArtifacts, proof: Proof) =>
  new Promise<{ readonly url: string; readonly close: () => void }>((resolve) => {
    const server = http.createServer((req, res) => {
      req.resume()
      res.writeHead(200, { "content-type": "application/json" })
      res.end(JSON.stringify(
        req.url === "/v1/capacity"
          ? {
            freeMemory: 1, totalMemory: 1, freeCores: 1, totalCores: 1, inFlight: 0, maxInFlight: 1,
            circuits: [{ id: circuit.id, hash: circuit.hash, constraints: circuit.constraints, protocols: ["groth16"], estimatedProvingMs: 10, predictedWaitMs: 0, insecureSetup: true }]
          }
          : { circuit: circuit.id, protocol: "groth16", proof: proof.proof, publicSignals: proof.publicSignals, strategy: "FULL_COMPUTATION", timings: { totalMs: 1, queuedMs: 0 } }
      ))
    })
    server.listen(0, "127.0.0.1", () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        close: () => {
          server.closeAllConnections()
          server.close()
        }
      }))
  })

describe("serverFallbackEndpoint answering a valid proof of another input", () => {
  it("the proof of x = 2 replayed for x = 7 is refused: the result is not a success with that proof", async () => {
    const circuit = await Effect.runPromise(square1000)
    const proofOf2 = await realProof(circuit, { x: 2 })
    expect(proofOf2.publicSignals).toEqual([square1000Output(2n)])
    const replaying = await replayServer(circuit, proofOf2)
    try {
      const monitor = monitorWith({ token })
      const adaptive = new AdaptiveComputation(monitor, new ResourceAllocator(monitor), {
        enabledStrategies: [ComputationStrategy.FALLBACK_COMPUTATION],
        serverFallbackEndpoint: replaying.url,
        allowRemote: true,
        retries: 0
      })
      const result = await adaptive.executeComputation("replayed", (resources) =>
        resources.remote === undefined
          ? Promise.reject(new Error("no remote prover"))
          : resources.remote.prove({ circuit, protocol: "groth16", input: { x: 7 } }), ProofComputation.defaultProfile(circuit), ResourcePriority.HIGH)
      expect(result.success, "a valid proof of another statement is not a proof of this one").toBe(false)
      expect(result.attempts.map((a) => [a.strategy, a.outcome])).toEqual([["FALLBACK_COMPUTATION", "failed"]])
      expect(result.attempts[0]!.reason).toMatch(/another statement/)
      expect(result.attempts[0]!.reason).not.toContain(square1000Output(2n).slice(0, 12))
    } finally {
      replaying.close()
    }
  }, 60_000)
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
