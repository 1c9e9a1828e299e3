/**
 * The HTTP remote prover against a real `provident serve` and against fault
 * servers (slow, 500, garbage, connection reset, forged proofs, busy, a
 * valid proof of another input, a body dripped or flooded, 422s).
 */
import { assert, describe, it } from "@effect/vitest"
import { NodeHttpClient } from "@effect/platform-node"
import { AdaptiveExecutor, HttpRemoteProver, ProofComputation, ProverError, RemoteProver } from "@provident/core"
import { type CircuitArtifacts, type Proof, Prover } from "@provident/core/Prover"
import { Effect, Layer, Logger, Redacted } from "effect"
import type { ReadableSpan, SpanProcessor } from "@opentelemetry/sdk-trace-base"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import * as NodeSnarkjsProver from "../src/NodeSnarkjsProver.ts"
import * as NodeTelemetry from "../src/NodeTelemetry.ts"
import { baseUrl, circuit, Controls, scriptedProver, serverWith, square1000, square1000Output, stack, token } from "./serverFixtures.ts"
import { wtnsOf } from "./wtnsBytes.ts"

type Mode =
  | "slow"
  | "500"
  | "garbage"
  | "reset"
  | "forged"
  | "busy-then-ok"
  | "busy-date-then-ok"
  | "401"
  | "422"
  | "ok"
  | "echo"
  | "drip"
  | "flood"
  | "huge-length"
  | "replay"

/**
 * A raw HTTP server that misbehaves as told, counting the proof requests it
 * got. `ok` answers a valid proof of x = 7 whatever it is asked, `echo` one of
 * the input it was sent, `replay` the given proof.
 */
const faultServer = (mode: Mode, predictedWaitMs = 0, replayed?: Proof, forCircuit: CircuitArtifacts = circuit) =>
  Effect.acquireRelease(
    Effect.callback<{ readonly url: string; readonly hits: () => number; readonly close: () => void }>((resume) => {
      let hits = 0
      const server = http.createServer((req, res) => {
        if (req.url === "/v1/capacity") {
          res.writeHead(200, { "content-type": "application/json" })
          res.end(JSON.stringify({
            freeMemory: 1, totalMemory: 1, freeCores: 1, totalCores: 1, inFlight: 0, maxInFlight: 1,
            circuits: [{ id: forCircuit.id, hash: forCircuit.hash, constraints: 10, protocols: ["groth16"], estimatedProvingMs: 10, predictedWaitMs, insecureSetup: true }]
          }))
          return
        }
        hits++
        const chunks: Array<Buffer> = []
        req.on("data", (chunk: Buffer) => void chunks.push(chunk))
        const reply = (proof: unknown, publicSignals: ReadonlyArray<string>) => {
          res.writeHead(200, { "content-type": "application/json" })
          res.end(JSON.stringify({ circuit: forCircuit.id, protocol: "groth16", proof, publicSignals, strategy: "FULL_COMPUTATION", timings: { totalMs: 1, queuedMs: 0 } }))
        }
        const answer = (sum: string, signal: string) => reply({ sum }, [signal])
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
          case "echo":
            req.on("end", () => {
              const x = String((JSON.parse(Buffer.concat(chunks).toString("utf8")) as { input: { x: unknown } }).input.x)
              answer(x, x)
            })
            return
          case "replay":
            reply(replayed!.proof, replayed!.publicSignals)
            return
          case "drip": {
            // Headers at once, then a byte every 200 ms, forever: only the client's deadline ends it.
            res.writeHead(200, { "content-type": "application/json" })
            res.write("{")
            const drip = setInterval(() => res.write(" "), 200)
            res.on("close", () => clearInterval(drip))
            return
          }
          case "flood": {
            // An endless body, as fast as the socket takes it (chunked: no length to refuse it by).
            res.writeHead(200, { "content-type": "application/json" })
            const block = Buffer.alloc(64 * 1024, 0x20)
            const pump = () => {
              while (!res.destroyed && res.write(block)) {
                // keep writing until the socket pushes back
              }
            }
            res.on("drain", pump)
            pump()
            return
          }
          case "huge-length":
            res.writeHead(200, { "content-type": "application/json", "content-length": String(1024 ** 3) })
            res.write("{")
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

const usage = { durationMs: 1, threads: 1 }

/**
 * The client's prover: the scripted prover's `verify`, and a witness as
 * circom lays it out (the constant 1, then the public signal: `x`, as the
 * scripted proofs have it) so the client can check public signals.
 */
const clientProver = (service: typeof Prover.Service): typeof Prover.Service => ({
  ...service,
  computeWitness: (c, input) =>
    input.x === "violates"
      ? Effect.fail(new ProverError.ProverError({ reason: "InvalidWitnessInput", circuit: c.id, phase: "witness", message: "an assertion failed" }))
      : Effect.succeed({ witness: wtnsOf([1n, BigInt(String(input.x))]), usage })
})

/** A client prover that verifies but cannot compute a witness (its worker dies). */
const crashingWitness = (service: typeof Prover.Service): typeof Prover.Service => ({
  ...service,
  computeWitness: (c) => Effect.fail(new ProverError.ProverError({ reason: "WorkerCrashed", circuit: c.id, phase: "witness", message: "the prover process was killed (SIGKILL)" }))
})

const remoteOver = (
  urls: ReadonlyArray<string>,
  options: Partial<HttpRemoteProver.Options> = {},
  client: (service: typeof Prover.Service) => typeof Prover.Service = clientProver
) =>
  Layer.unwrap(Effect.gen(function*() {
    const prover = yield* scriptedProver
    return HttpRemoteProver.layer({
      endpoints: urls.map((url) => ({ url, token: Redacted.make(token) })),
      timeoutMs: 1000,
      retries: 2,
      ...options
    }).pipe(Layer.provide(Layer.succeed(Prover, client(prover.service))), Layer.provide(NodeHttpClient.layerUndici))
  }))

const proveVia = (
  urls: ReadonlyArray<string>,
  options: Partial<HttpRemoteProver.Options> = {},
  input: Readonly<Record<string, unknown>> = { x: "7" },
  client?: (service: typeof Prover.Service) => typeof Prover.Service
) =>
  Effect.flatMap(RemoteProver.RemoteProver, (remote) => remote.prove({ circuit, protocol: "groth16", input })).pipe(
    Effect.provide(remoteOver(urls, options, client)),
    Effect.result
  )

/** A loopback URL nothing listens on. */
const deadUrl = Effect.callback<string>((resume) => {
  const server = http.createServer()
  server.listen(0, "127.0.0.1", () => {
    const { port } = server.address() as AddressInfo
    server.close(() => resume(Effect.succeed(`http://127.0.0.1:${port}`)))
  })
})

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

  it.live("a 4xx is never retried; the next endpoint is tried, a 422 too: any endpoint could be the one that is wrong", () =>
    Effect.gen(function*() {
      const unauthorized = yield* faultServer("401")
      const honest = yield* faultServer("ok", 5000)
      const result = yield* proveVia([unauthorized.url, honest.url], { retries: 3 })
      assert.strictEqual(result._tag === "Success" ? result.success.endpoint : "", honest.url)
      assert.strictEqual(unauthorized.hits(), 1, "asked once, not retried")
      // The best-ranked endpoint refuses the input; another proves it.
      const refused = yield* faultServer("422")
      const other = yield* faultServer("ok", 5000)
      const proved = yield* proveVia([refused.url, other.url], { retries: 3 })
      assert.strictEqual(proved._tag === "Success" ? proved.success.endpoint : "", other.url)
      assert.deepStrictEqual([refused.hits(), other.hits()], [1, 1], "the 422 is not retried, and does not stop the chain")
    }))

  it.live("when every endpoint that answered refused the input (422), that is the verdict: Rejected, status 422", () =>
    Effect.gen(function*() {
      const first = yield* faultServer("422")
      const second = yield* faultServer("422", 5000)
      const dead = yield* deadUrl
      for (const urls of [[first.url, second.url], [first.url, dead]]) {
        const result = yield* proveVia(urls, { retries: 0 })
        assert.strictEqual(result._tag === "Failure" ? result.failure._tag : "", "RemoteProverError", urls.join(" "))
        if (result._tag === "Failure" && result.failure._tag === "RemoteProverError") {
          assert.strictEqual(result.failure.reason, "Rejected")
          assert.strictEqual(result.failure.status, 422)
          assert.match(result.failure.message, /\(422\): input: the circuit rejects it/)
        }
      }
      assert.deepStrictEqual([first.hits(), second.hits()], [2, 1], "each asked once per proof")
      // A refusal and a failure of another kind: not the input's fault, so not Rejected.
      const failing = yield* faultServer("500", 5000)
      const mixed = yield* proveVia([first.url, failing.url], { retries: 0 })
      assert.strictEqual(mixed._tag === "Failure" && mixed.failure._tag === "RemoteProverError" ? mixed.failure.status : 0, 500)
    }))

  it.live("a valid proof of another input is refused, naming neither; the next endpoint is tried", () =>
    Effect.gen(function*() {
      // Asked for x = 8, this one answers its valid proof of x = 7.
      const replaying = yield* faultServer("ok")
      const alone = yield* proveVia([replaying.url], {}, { x: "8" })
      assert.strictEqual(alone._tag === "Failure" ? alone.failure._tag : "", "RemoteProofInvalid")
      if (alone._tag === "Failure") {
        assert.match(alone.failure.message, /another statement/)
        assert.notMatch(alone.failure.message.replace(replaying.url, ""), /[78]/, "no input or signal value in the message")
      }
      const honest = yield* faultServer("echo", 5000)
      const both = yield* proveVia([replaying.url, honest.url], {}, { x: "8" })
      assert.strictEqual(both._tag === "Success" ? both.success.endpoint : "", honest.url)
      if (both._tag === "Success") {
        assert.deepStrictEqual(both.success.proof.publicSignals, ["8"])
        assert.deepStrictEqual(both.success.statement, { checked: true })
      }
    }))

  it.live("an input the client's own witness says violates the circuit has no proof: any that verifies is refused", () =>
    Effect.gen(function*() {
      const server = yield* faultServer("ok")
      const result = yield* proveVia([server.url], {}, { x: "violates" })
      assert.strictEqual(result._tag === "Failure" ? result.failure._tag : "", "RemoteProofInvalid")
    }))

  it.live("where the client cannot compute the witness, the proof comes back marked unchecked, with why", () =>
    Effect.gen(function*() {
      const server = yield* faultServer("ok")
      const result = yield* proveVia([server.url], {}, { x: "7" }, crashingWitness)
      assert.strictEqual(result._tag, "Success")
      if (result._tag === "Success") {
        assert.isFalse(result.success.statement.checked)
        if (!result.success.statement.checked) assert.match(result.success.statement.reason, /could not compute the witness.*SIGKILL/)
      }
    }))

  it.live("the deadline covers the body: a server that sends headers then drips forever is cut off at timeoutMs", () =>
    Effect.gen(function*() {
      const dripping = yield* faultServer("drip")
      const started = Date.now()
      const result = yield* proveVia([dripping.url], { timeoutMs: 1500, retries: 0 })
      const elapsed = Date.now() - started
      assert.strictEqual(result._tag === "Failure" && result.failure._tag === "RemoteProverError" ? result.failure.reason : "", "Timeout")
      assert.isAtLeast(elapsed, 1400)
      assert.isBelow(elapsed, 4000, "within about its timeout")
    }))

  it.live("a body over maxResponseBytes is a typed failure while reading, endless or declared; the next endpoint proves", () =>
    Effect.gen(function*() {
      for (const mode of ["flood", "huge-length"] as const) {
        const flooding = yield* faultServer(mode)
        const started = Date.now()
        const result = yield* proveVia([flooding.url], { timeoutMs: 20_000, retries: 0, maxResponseBytes: 1024 ** 2 })
        assert.isBelow(Date.now() - started, 10_000, mode)
        assert.strictEqual(result._tag === "Failure" && result.failure._tag === "RemoteProverError" ? result.failure.reason : "", "Unavailable", mode)
        if (result._tag === "Failure") assert.match(result.failure.message, /body over 1\.0 MiB/, mode)
        const honest = yield* faultServer("ok", 5000)
        const next = yield* proveVia([flooding.url, honest.url], { retries: 0, maxResponseBytes: 1024 ** 2 })
        assert.strictEqual(next._tag === "Success" ? next.success.endpoint : "", honest.url, mode)
      }
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
      assert.isUndefined(result.result?.statementUnchecked, "checked against the client's own witness")
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

/** The client's own prover: verifies like the server's and computes witnesses, but cannot prove here (as if out of memory). */
const failingLocally = (service: typeof Prover.Service): typeof Prover.Service => ({
  ...clientProver(service),
  prove: (c) => Effect.fail(new ProverError.ProverError({ reason: "OutOfMemory", circuit: c.id, phase: "proving", message: "no memory here" }))
})

describe("a real proof replayed for another input (square-1000, snarkjs)", { timeout: 90_000 }, () => {
  it.live("a server answering its valid proof of x = 2 to a request for x = 7 is refused; asked for x = 2, the same proof is accepted, checked", () =>
    Effect.gen(function*() {
      const real = yield* square1000
      const prover = yield* Prover
      const witness = yield* prover.computeWitness(real, { x: "2" }, { cores: 1 })
      const { proof } = yield* prover.prove(real, "groth16", witness.witness, { cores: 1 })
      assert.deepStrictEqual(proof.publicSignals, [square1000Output(2n)])
      assert.isTrue(yield* prover.verify(real, proof), "a real, valid proof")
      const replaying = yield* faultServer("replay", 0, proof, real)
      const ask = (x: string) =>
        RemoteProver.RemoteProver.use((remote) => remote.prove({ circuit: real, protocol: "groth16", input: { x } })).pipe(
          Effect.provide(HttpRemoteProver.layer({ endpoints: [{ url: replaying.url, token: Redacted.make(token) }], retries: 0, timeoutMs: 30_000 }).pipe(
            Layer.provide(Layer.succeed(Prover, prover)),
            Layer.provide(NodeHttpClient.layerUndici)
          )),
          Effect.result
        )
      const replayed = yield* ask("7")
      assert.strictEqual(replayed._tag === "Failure" ? replayed.failure._tag : "", "RemoteProofInvalid")
      if (replayed._tag === "Failure") {
        assert.match(replayed.failure.message, /another statement/)
        assert.notInclude(replayed.failure.message, square1000Output(2n).slice(0, 12))
        assert.notInclude(replayed.failure.message, square1000Output(7n).slice(0, 12))
      }
      const matching = yield* ask("2")
      assert.strictEqual(matching._tag, "Success")
      if (matching._tag === "Success") assert.deepStrictEqual(matching.success.statement, { checked: true })
    }).pipe(Effect.provide(NodeSnarkjsProver.layer({ warm: 0 }))))
})
