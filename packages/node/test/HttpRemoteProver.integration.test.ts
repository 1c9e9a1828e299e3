/**
 * The HTTP remote prover against a real `provident serve` and against fault
 * servers (slow, 500, garbage, connection reset, forged proofs, busy).
 */
import { assert, describe, it } from "@effect/vitest"
import { NodeHttpClient } from "@effect/platform-node"
import { AdaptiveExecutor, HttpRemoteProver, ProofComputation, ProverError, RemoteProver } from "@provident/core"
import { Prover } from "@provident/core/Prover"
import { Effect, Layer, Logger, Redacted } from "effect"
import type { ReadableSpan, SpanProcessor } from "@opentelemetry/sdk-trace-base"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import * as NodeTelemetry from "../src/NodeTelemetry.ts"
import { baseUrl, circuit, Controls, scriptedProver, serverWith, stack, token } from "./serverFixtures.ts"

type Mode = "slow" | "500" | "garbage" | "reset" | "forged" | "busy-then-ok" | "busy-date-then-ok" | "401" | "422" | "ok"

/** A raw HTTP server that misbehaves as told, counting the proof requests it got. */
const faultServer = (mode: Mode, predictedWaitMs = 0) =>
  Effect.acquireRelease(
    Effect.callback<{ readonly url: string; readonly hits: () => number; readonly close: () => void }>((resume) => {
      let hits = 0
      const server = http.createServer((req, res) => {
        if (req.url === "/v1/capacity") {
          res.writeHead(200, { "content-type": "application/json" })
          res.end(JSON.stringify({
            freeMemory: 1, totalMemory: 1, freeCores: 1, totalCores: 1, inFlight: 0, maxInFlight: 1,
            circuits: [{ id: circuit.id, hash: circuit.hash, constraints: 10, protocols: ["groth16"], estimatedProvingMs: 10, predictedWaitMs, insecureSetup: true }]
          }))
          return
        }
        hits++
        req.resume()
        const answer = (sum: string, signal: string) => {
          res.writeHead(200, { "content-type": "application/json" })
          res.end(JSON.stringify({ circuit: circuit.id, protocol: "groth16", proof: { sum }, publicSignals: [signal], strategy: "FULL_COMPUTATION", timings: { totalMs: 1, queuedMs: 0 } }))
        }
        switch (mode) {
          case "slow":
            setTimeout(() => answer("7", "7"), 3000)
            return
          case "500":
            res.writeHead(500)
            res.end()
            return
          case "garbage":
            res.writeHead(200, { "content-type": "application/json" })
            res.end("<html>not json")
            return
          case "reset":
            req.socket.destroy()
            return
          case "forged":
            answer("7", "8")
            return
          case "busy-then-ok":
            if (hits === 1) {
              res.writeHead(503, { "retry-after": "1" })
              res.end(JSON.stringify({ error: "busy", message: "busy" }))
            } else answer("7", "7")
            return
          case "busy-date-then-ok":
            if (hits === 1) {
              // Retry-After as an HTTP-date two seconds ahead (RFC 9110 allows either form).
              res.writeHead(503, { "retry-after": new Date(Date.now() + 2000).toUTCString() })
              res.end(JSON.stringify({ error: "busy", message: "busy" }))
            } else answer("7", "7")
            return
          case "401":
            res.writeHead(401, { "content-type": "application/json" })
            res.end(JSON.stringify({ error: "unauthorized", message: "a bearer token is required" }))
            return
          case "422":
            res.writeHead(422, { "content-type": "application/json" })
            res.end(JSON.stringify({ error: "invalid-input", message: "input: the circuit rejects it" }))
            return
          case "ok":
            answer("7", "7")
            return
        }
      })
      server.listen(0, "127.0.0.1", () =>
        resume(Effect.succeed({
          url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
          hits: () => hits,
          close: () => {
            server.closeAllConnections()
            server.close()
          }
        })))
    }),
    (s) => Effect.sync(() => s.close())
  )

const remoteOver = (urls: ReadonlyArray<string>, options: Partial<HttpRemoteProver.Options> = {}) =>
  Layer.unwrap(Effect.gen(function*() {
    const prover = yield* scriptedProver
    return HttpRemoteProver.layer({
      endpoints: urls.map((url) => ({ url, token: Redacted.make(token) })),
      timeoutMs: 1000,
      retries: 2,
      ...options
    }).pipe(Layer.provide(Layer.succeed(Prover, prover.service)), Layer.provide(NodeHttpClient.layerUndici))
  }))

const proveVia = (urls: ReadonlyArray<string>, options: Partial<HttpRemoteProver.Options> = {}) =>
  Effect.flatMap(RemoteProver.RemoteProver, (remote) => remote.prove({ circuit, protocol: "groth16", input: { x: "7" } })).pipe(
    Effect.provide(remoteOver(urls, options)),
    Effect.result
  )

describe("HttpRemoteProver against fault servers", { timeout: 30_000 }, () => {
  it.live("a slow endpoint times out, a 500 fails, garbage is rejected, a reset is retried then given up", () =>
    Effect.gen(function*() {
      for (const [mode, reason] of [["slow", "Timeout"], ["500", "Unavailable"], ["garbage", "Unavailable"], ["reset", "Unavailable"]] as const) {
        const server = yield* faultServer(mode)
        const result = yield* proveVia([server.url], { timeoutMs: 500, retries: 2 })
        assert.strictEqual(result._tag, "Failure", mode)
        if (result._tag === "Failure") {
          assert.strictEqual(result.failure._tag, "RemoteProverError", mode)
          if (result.failure._tag === "RemoteProverError") assert.strictEqual(result.failure.reason, reason, mode)
        }
        if (mode === "reset") assert.strictEqual(server.hits(), 3, "one try and two retries")
      }
    }))

  it.live("a forged proof is refused after local verification; the next endpoint is tried", () =>
    Effect.gen(function*() {
      const forged = yield* faultServer("forged")
      const alone = yield* proveVia([forged.url])
      assert.strictEqual(alone._tag === "Failure" ? alone.failure._tag : "", "RemoteProofInvalid")
      const honest = yield* faultServer("ok", 5000)
      const both = yield* proveVia([forged.url, honest.url])
      assert.strictEqual(both._tag, "Success")
      if (both._tag === "Success") assert.strictEqual(both.success.endpoint, honest.url)
    }))

  it.live("a 4xx is never retried; the next endpoint is tried, except when the input itself is refused (422)", () =>
    Effect.gen(function*() {
      const unauthorized = yield* faultServer("401")
      const honest = yield* faultServer("ok", 5000)
      const result = yield* proveVia([unauthorized.url, honest.url], { retries: 3 })
      assert.strictEqual(result._tag === "Success" ? result.success.endpoint : "", honest.url)
      assert.strictEqual(unauthorized.hits(), 1, "asked once, not retried")
      const refused = yield* faultServer("422")
      const other = yield* faultServer("ok", 5000)
      const rejected = yield* proveVia([refused.url, other.url], { retries: 3 })
      assert.strictEqual(rejected._tag === "Failure" ? rejected.failure._tag : "", "RemoteProverError")
      if (rejected._tag === "Failure" && rejected.failure._tag === "RemoteProverError") {
        assert.strictEqual(rejected.failure.reason, "Rejected")
        assert.match(rejected.failure.message, /\(422\): input: the circuit rejects it/)
      }
      assert.deepStrictEqual([refused.hits(), other.hits()], [1, 0], "an input refused by one is refused by all: no other is asked")
    }))

  it.live("after a 500, garbage or a reset, the next endpoint proves", () =>
    Effect.gen(function*() {
      for (const mode of ["500", "garbage", "reset"] as const) {
        const failing = yield* faultServer(mode)
        const honest = yield* faultServer("ok", 5000)
        const result = yield* proveVia([failing.url, honest.url], { timeoutMs: 500, retries: 1 })
        assert.strictEqual(result._tag === "Success" ? result.success.endpoint : "", honest.url, mode)
        assert.isAtLeast(failing.hits(), 1, mode)
        assert.strictEqual(honest.hits(), 1, mode)
      }
    }))

  it.live("a Retry-After given as an HTTP-date is honoured", () =>
    Effect.gen(function*() {
      const busy = yield* faultServer("busy-date-then-ok")
      const started = Date.now()
      const result = yield* proveVia([busy.url])
      assert.strictEqual(result._tag, "Success")
      assert.strictEqual(busy.hits(), 2)
      // The date has a one-second resolution: at least ~1 s of the 2 s asked for.
      assert.isAtLeast(Date.now() - started, 900)
    }))

  it.live("a busy endpoint is retried after its Retry-After", () =>
    Effect.gen(function*() {
      const busy = yield* faultServer("busy-then-ok")
      const started = Date.now()
      const result = yield* proveVia([busy.url])
      assert.strictEqual(result._tag, "Success")
      assert.strictEqual(busy.hits(), 2)
      assert.isAtLeast(Date.now() - started, 900, "waited the second it was told")
    }))

  it.live("endpoints are tried by predicted completion", () =>
    Effect.gen(function*() {
      const slowQueue = yield* faultServer("ok", 60_000)
      const idle = yield* faultServer("ok", 0)
      const result = yield* proveVia([slowQueue.url, idle.url])
      assert.strictEqual(result._tag === "Success" ? result.success.endpoint : "", idle.url)
      assert.deepStrictEqual([slowQueue.hits(), idle.hits()], [0, 1])
    }))

  it.effect("plain HTTP to another host is refused unless allowed", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Layer.build(remoteOver(["http://prover.example.com"])))
      assert.strictEqual(error.field, "endpoints[0].url")
      assert.match(error.message, /https/)
      yield* Layer.build(remoteOver(["http://prover.example.com"], { allowInsecureHttp: true }))
      yield* Layer.build(remoteOver(["https://prover.example.com"]))
    }).pipe(Effect.scoped))
})

describe("the executor falling back to provident serve", { timeout: 30_000 }, () => {
  it.live("gets a verified proof from the server, and inputs never reach the logs or the spans", () => {
    // Kept by a processor of our own: an in-memory exporter forgets its spans when the SDK shuts down with the layer.
    const ended: Array<ReadableSpan> = []
    const keep: SpanProcessor = { onStart: () => {}, onEnd: (span) => void ended.push(span), forceFlush: async () => {}, shutdown: async () => {} }
    const logs: Array<string> = []
    const capture = Logger.make((options) => void logs.push(JSON.stringify(options.message)))
    return Effect.gen(function*() {
      const url = yield* baseUrl
      const controls = yield* Controls
      const result = yield* Effect.gen(function*() {
        const executor = yield* AdaptiveExecutor.AdaptiveExecutor
        return yield* executor.execute("remote-proof", ProofComputation.computation(circuit, "groth16", { x: "90210" }),
          ProofComputation.defaultProfile(circuit), "high", { allowRemote: true })
      }).pipe(Effect.provide(Layer.fresh(
        stack({ enabledStrategies: ["FULL_COMPUTATION", "FALLBACK_COMPUTATION"] }).pipe(
          Layer.provideMerge(remoteOver([url])),
          Layer.provideMerge(Layer.succeed(Prover, failingLocally(controls.service)))
        )
      )), Effect.provide(NodeTelemetry.layer({ spanProcessors: [keep] })))
      assert.isTrue(result.success, JSON.stringify(result.attempts))
      assert.strictEqual(result.strategy, "FALLBACK_COMPUTATION")
      assert.strictEqual(result.result?.provedBy, url)
      assert.deepStrictEqual(result.result?.proof.publicSignals, ["90210"])
      assert.deepStrictEqual(result.attempts.map((a) => `${a.strategy}:${a.outcome}`).filter((a) => !a.endsWith("skipped")), [
        "FULL_COMPUTATION:failed",
        "FULL_COMPUTATION:failed",
        "FALLBACK_COMPUTATION:succeeded"
      ])
      yield* Effect.logInfo("a line the capture must see")
      assert.isTrue(logs.some((l) => l.includes("a line the capture must see")), "the capture works")
      assert.isFalse(logs.some((l) => l.includes("90210")), "the private input is in no log line")
      // The fallback branch of the story: attempt (FALLBACK_COMPUTATION) → HttpRemoteProver.prove.
      const spans = ended
      const remoteSpan = spans.find((s) => s.name === "HttpRemoteProver.prove")
      const attempt = spans.find((s) => s.spanContext().spanId === remoteSpan?.parentSpanContext?.spanId)
      assert.strictEqual(attempt?.name, "AdaptiveExecutor.attempt")
      assert.strictEqual(attempt?.attributes["provident.strategy"], "FALLBACK_COMPUTATION")
      assert.strictEqual(remoteSpan!.attributes["provident.endpoint"], url)
      assert.isAbove(remoteSpan!.attributes["provident.request_bytes"] as number, 0)
      for (const span of spans) assert.notInclude(JSON.stringify(span.attributes), "90210", span.name)
    }).pipe(Effect.provide(serverWith()), Effect.provide(Logger.layer([capture])))
  })
})

/** The client's own prover: verifies like the server's, but cannot prove here (as if out of memory). */
const failingLocally = (service: typeof Prover.Service): typeof Prover.Service => ({
  ...service,
  computeWitness: (c) => Effect.fail(new ProverError.ProverError({ reason: "OutOfMemory", circuit: c.id, phase: "witness", message: "no memory here" }))
})
