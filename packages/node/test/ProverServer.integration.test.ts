import { assert, describe, it } from "@effect/vitest"
import { Clock, Context, Effect, Exit, Fiber, Layer, Ref, Scope } from "effect"
import { NodeHttpClient } from "@effect/platform-node"
import { HttpClient, HttpClientRequest } from "effect/http"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { baseUrl, circuit, Controls, provingServer, serverWith, token, VIOLATING } from "./serverFixtures.ts"

const call = (
  method: "GET" | "POST" | "OPTIONS",
  path: string,
  options: { body?: string; auth?: string | null; headers?: Record<string, string> } = {}
) =>
  Effect.gen(function*() {
    const base = yield* baseUrl
    const client = yield* HttpClient.HttpClient
    let request = HttpClientRequest.make(method)(`${base}${path}`, { headers: options.headers ?? {} })
    if (options.auth !== null) request = HttpClientRequest.bearerToken(request, options.auth ?? token)
    if (options.body !== undefined) request = HttpClientRequest.bodyText(request, options.body, "application/json")
    const response = yield* client.execute(request)
    const text = yield* response.text
    return { status: response.status, headers: response.headers, text, json: () => JSON.parse(text) }
  })

const proofBody = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({ circuit: circuit.id, protocol: "groth16", input: { x: "7" }, ...extra })

describe("provident serve over HTTP", { timeout: 30_000 }, () => {
  it.live("healthz needs no token; everything else does", () =>
    Effect.gen(function*() {
      assert.strictEqual((yield* call("GET", "/healthz", { auth: null })).status, 200)
      assert.strictEqual((yield* call("GET", "/v1/capacity", { auth: null })).status, 401)
      assert.strictEqual((yield* call("GET", "/v1/capacity", { auth: "wrong" })).status, 401)
      assert.strictEqual((yield* call("POST", "/v1/proofs", { auth: null, body: proofBody() })).status, 401)
      assert.strictEqual((yield* call("GET", "/metrics", { auth: null })).status, 401)
      const capacity = yield* call("GET", "/v1/capacity")
      assert.strictEqual(capacity.status, 200)
      const body = capacity.json()
      assert.strictEqual(body.circuits[0].id, circuit.id)
      assert.deepStrictEqual(body.circuits[0].protocols, ["groth16"])
      assert.isAbove(body.totalMemory, 0)
    }).pipe(Effect.provide(serverWith())))

  it.live("proves a request and answers with the proof", () =>
    Effect.gen(function*() {
      const response = yield* call("POST", "/v1/proofs", { body: proofBody() })
      assert.strictEqual(response.status, 200, response.text)
      const body = response.json()
      assert.deepStrictEqual(body.publicSignals, ["7"])
      assert.strictEqual(body.circuit, circuit.id)
      assert.isAtLeast(body.timings.totalMs, 0)
      const metrics = yield* call("GET", "/metrics")
      assert.include(metrics.text, "provident_executor_executions_total")
      // The allocator's gauges are read from its books when /metrics is read: nothing is held once the proof is done.
      assert.match(metrics.text, /^provident_allocator_running(\{[^}]*\})? 0$/m)
      assert.match(metrics.text, /^provident_allocator_queue_length(\{[^}]*\})? 0$/m)
    }).pipe(Effect.provide(serverWith())))

  it.live("bad requests get 400 with the field, 404 for unknown circuits, 413 when too large, 422 for violating inputs", () =>
    Effect.gen(function*() {
      const malformed = yield* call("POST", "/v1/proofs", { body: "{not json" })
      assert.strictEqual(malformed.status, 400)
      const wrongProtocol = yield* call("POST", "/v1/proofs", { body: proofBody({ protocol: "stark", input: { x: "secret-4711" } }) })
      assert.strictEqual(wrongProtocol.status, 400)
      assert.strictEqual(wrongProtocol.json().field, "protocol")
      assert.notInclude(wrongProtocol.text, "secret-4711", "inputs are never echoed")
      const badInput = yield* call("POST", "/v1/proofs", { body: proofBody({ input: { x: { nested: true } } }) })
      assert.strictEqual(badInput.status, 400)
      assert.match(badInput.json().field, /^input\.x/)
      const unknown = yield* call("POST", "/v1/proofs", { body: proofBody({ circuit: "nope" }) })
      assert.strictEqual(unknown.status, 404)
      const otherHash = yield* call("POST", "/v1/proofs", { body: proofBody({ hash: "not-it" }) })
      assert.strictEqual(otherHash.status, 404)
      const big = yield* call("POST", "/v1/proofs", { body: proofBody({ input: { x: "1".repeat(5000) } }) })
      assert.strictEqual(big.status, 413)
      const violates = yield* call("POST", "/v1/proofs", { body: proofBody({ input: { x: VIOLATING } }) })
      assert.strictEqual(violates.status, 422)
      assert.strictEqual(violates.json().field, "input")
    }).pipe(Effect.provide(serverWith({ maxBodyBytes: 2048 }))))

  it.live("a JSON number that is not a safe integer, or a value outside the field, is a 400 naming the signal, never proved rounded", () =>
    Effect.gen(function*() {
      const controls = yield* Controls
      const P = "21888242871839275222246405745257275088548364400416034343698204186575808495617"
      const cases: ReadonlyArray<readonly [string, string, RegExp]> = [
        [`{"x": 9007199254740993}`, "input.x", /^input\.x: must be a safe integer; send larger values as decimal strings$/],
        [`{"x": 1.5}`, "input.x", /^input\.x: must be an integer$/],
        [`{"x": -7}`, "input.x", /^input\.x: must not be negative/],
        [`{"x": "-7"}`, "input.x", /^input\.x: must not be negative/],
        [`{"x": "${P}"}`, "input.x", /^input\.x: must be below the BN254 scalar field modulus/],
        [`{"x": ["1", "0x10"]}`, "input.x[1]", /^input\.x\[1\]: must be a decimal integer string/]
      ]
      for (const [input, field, message] of cases) {
        const body = `{"circuit": "${circuit.id}", "protocol": "groth16", "input": ${input}}`
        const response = yield* call("POST", "/v1/proofs", { body })
        assert.strictEqual(response.status, 400, `${input}: ${response.text}`)
        assert.strictEqual(response.json().field, field, input)
        assert.match(response.json().message, message, input)
        assert.notInclude(response.text, "900719925474099", "the value is never echoed")
      }
      assert.strictEqual(yield* Ref.get(controls.witnesses), 0, "nothing reached the prover")
      // The big value as a decimal string is exact, and proved as sent.
      const exact = yield* call("POST", "/v1/proofs", { body: proofBody({ input: { x: "9007199254740993" } }) })
      assert.strictEqual(exact.status, 200, exact.text)
      assert.deepStrictEqual(exact.json().publicSignals, ["9007199254740993"])
    }).pipe(Effect.provide(serverWith())))

  it.live("an input nested 10,000 levels deep is a 400 naming the field, not a crashed decoder", () =>
    Effect.gen(function*() {
      const deep = `${"[".repeat(10_000)}1${"]".repeat(10_000)}`
      const response = yield* call("POST", "/v1/proofs", { body: `{"circuit": "${circuit.id}", "protocol": "groth16", "input": {"x": ${deep}}}` })
      assert.strictEqual(response.status, 400, response.text)
      assert.strictEqual(response.json().field, "input.x")
      assert.match(response.json().message, /^input\.x: nests arrays deeper than 32 levels/)
      // 32 levels are fine.
      const ok = yield* call("POST", "/v1/proofs", { body: proofBody({ input: { x: "5", m: JSON.parse(`${"[".repeat(32)}1${"]".repeat(32)}`) } }) })
      assert.strictEqual(ok.status, 200, ok.text)
    }).pipe(Effect.provide(serverWith())))

  it.live("the bearer scheme is matched in any case (RFC 9110), the token still exactly", () =>
    Effect.gen(function*() {
      for (const scheme of ["Bearer", "bearer", "BEARER", "bEaReR"]) {
        const response = yield* call("GET", "/v1/capacity", { auth: null, headers: { authorization: `${scheme} ${token}` } })
        assert.strictEqual(response.status, 200, scheme)
      }
      for (const header of [`Bearer ${token.toUpperCase()}`, `Bearer ${token}x`, `Basic ${token}`, `Bearer${token}`, "Bearer ", "bearer"]) {
        const response = yield* call("GET", "/v1/capacity", { auth: null, headers: { authorization: header } })
        assert.strictEqual(response.status, 401, header)
      }
    }).pipe(Effect.provide(serverWith())))

  it.live("a 404 for an unknown circuit echoes a bounded part of the id", () =>
    Effect.gen(function*() {
      const id = "c".repeat(50_000)
      const response = yield* call("POST", "/v1/proofs", { body: proofBody({ circuit: id }) })
      assert.strictEqual(response.status, 404)
      assert.isBelow(response.text.length, 300, "the 50 KB id is not echoed")
      assert.strictEqual(response.json().message, `this server has no circuit ${"c".repeat(64)}…`)
      const short = yield* call("POST", "/v1/proofs", { body: proofBody({ circuit: "nope" }) })
      assert.strictEqual(short.json().message, "this server has no circuit nope")
    }).pipe(Effect.provide(serverWith())))

  it.live("a full server answers 503 with Retry-After", () =>
    Effect.gen(function*() {
      const controls = yield* Controls
      yield* Ref.set(controls.delay, 1500)
      const first = yield* Effect.forkChild(call("POST", "/v1/proofs", { body: proofBody() }), { startImmediately: true })
      yield* Effect.sleep("200 millis")
      const busy = yield* call("POST", "/v1/proofs", { body: proofBody() })
      assert.strictEqual(busy.status, 503)
      assert.isAtLeast(Number(busy.headers["retry-after"]), 1)
      assert.strictEqual((yield* Fiber.join(first)).status, 200)
    }).pipe(Effect.provide(serverWith({ maxInFlight: 1 }))))

  it.live("past its deadline a request gets 504 and its job is cancelled", () =>
    Effect.gen(function*() {
      const controls = yield* Controls
      yield* Ref.set(controls.delay, 3000)
      const late = yield* call("POST", "/v1/proofs", { body: proofBody({ deadlineMs: 300 }) })
      assert.strictEqual(late.status, 504)
      assert.strictEqual(yield* Ref.get(controls.interrupted), 1, "the prover was interrupted")
      const capacity = (yield* call("GET", "/v1/capacity")).json()
      assert.strictEqual(capacity.inFlight, 0)
    }).pipe(Effect.provide(serverWith())))
})

describe("provident serve to web pages on other origins (CORS)", { timeout: 30_000 }, () => {
  const page = "http://localhost:5173"
  const preflight = (path: string, origin: string, method = "POST") =>
    call("OPTIONS", path, {
      auth: null,
      headers: { origin, "access-control-request-method": method, "access-control-request-headers": "authorization,content-type" }
    })

  it.live("a preflight from an allowed origin is answered without a token; another origin's is refused", () =>
    Effect.gen(function*() {
      for (const path of ["/v1/proofs", "/v1/capacity", "/healthz", "/metrics"]) {
        const allowed = yield* preflight(path, page)
        assert.strictEqual(allowed.status, 204, `${path}: ${allowed.text}`)
        assert.strictEqual(allowed.headers["access-control-allow-origin"], page)
        assert.strictEqual(allowed.headers["access-control-allow-methods"], "GET, POST")
        assert.strictEqual(allowed.headers["access-control-allow-headers"], "authorization, content-type")
        assert.isAbove(Number(allowed.headers["access-control-max-age"]), 0)
        assert.strictEqual(allowed.headers["vary"], "Origin")
      }
      const other = yield* preflight("/v1/proofs", "https://evil.example")
      assert.strictEqual(other.status, 403)
      assert.isUndefined(other.headers["access-control-allow-origin"])
      assert.isUndefined(other.headers["access-control-allow-methods"])
      // Not a route: no preflight is answered for it.
      assert.strictEqual((yield* preflight("/nope", page)).status, 404)
    }).pipe(Effect.provide(serverWith({ corsOrigins: [page, "https://app.example.com"] }))))

  it.live("every response to an allowed origin can be read by it, errors included; other origins' cannot", () =>
    Effect.gen(function*() {
      const fromPage = { origin: page }
      const readable = (response: { headers: Record<string, string> }) => {
        assert.strictEqual(response.headers["access-control-allow-origin"], page)
        assert.strictEqual(response.headers["access-control-expose-headers"], "Retry-After")
        assert.strictEqual(response.headers["vary"], "Origin")
      }
      const ok = yield* call("GET", "/v1/capacity", { headers: fromPage })
      assert.strictEqual(ok.status, 200)
      readable(ok)
      const unauthorized = yield* call("POST", "/v1/proofs", { auth: null, body: proofBody(), headers: fromPage })
      assert.strictEqual(unauthorized.status, 401)
      readable(unauthorized)
      const invalid = yield* call("POST", "/v1/proofs", { body: "{not json", headers: fromPage })
      assert.strictEqual(invalid.status, 400)
      readable(invalid)
      const proved = yield* call("POST", "/v1/proofs", { body: proofBody(), headers: fromPage })
      assert.strictEqual(proved.status, 200, proved.text)
      readable(proved)
      const other = yield* call("GET", "/v1/capacity", { headers: { origin: "https://evil.example" } })
      assert.strictEqual(other.status, 200, "CORS is the browser's check: the server still answers")
      assert.isUndefined(other.headers["access-control-allow-origin"])
      assert.strictEqual(other.headers["vary"], "Origin")
    }).pipe(Effect.provide(serverWith({ corsOrigins: [page] }))))

  it.live("a 503 to an allowed origin exposes its Retry-After", () =>
    Effect.gen(function*() {
      const controls = yield* Controls
      yield* Ref.set(controls.delay, 1500)
      const first = yield* Effect.forkChild(call("POST", "/v1/proofs", { body: proofBody() }), { startImmediately: true })
      yield* Effect.sleep("200 millis")
      const busy = yield* call("POST", "/v1/proofs", { body: proofBody(), headers: { origin: page } })
      assert.strictEqual(busy.status, 503)
      assert.isAtLeast(Number(busy.headers["retry-after"]), 1)
      assert.strictEqual(busy.headers["access-control-allow-origin"], page)
      assert.strictEqual(busy.headers["access-control-expose-headers"], "Retry-After")
      assert.strictEqual((yield* Fiber.join(first)).status, 200)
    }).pipe(Effect.provide(serverWith({ maxInFlight: 1, corsOrigins: [page] }))))

  it.live("\"*\" admits any origin, only when configured", () =>
    Effect.gen(function*() {
      const anyPage = yield* preflight("/v1/proofs", "https://anywhere.example")
      assert.strictEqual(anyPage.status, 204)
      assert.strictEqual(anyPage.headers["access-control-allow-origin"], "https://anywhere.example")
    }).pipe(Effect.provide(serverWith({ corsOrigins: ["*"] }))))

  it.live("without corsOrigins no CORS header is sent and OPTIONS is no route", () =>
    Effect.gen(function*() {
      const answered = yield* preflight("/v1/proofs", page)
      assert.strictEqual(answered.status, 404)
      assert.isUndefined(answered.headers["access-control-allow-origin"])
      const capacity = yield* call("GET", "/v1/capacity", { headers: { origin: page } })
      assert.strictEqual(capacity.status, 200)
      for (const header of Object.keys(capacity.headers)) assert.notMatch(header, /^access-control-/)
      assert.isUndefined(capacity.headers["vary"])
    }).pipe(Effect.provide(serverWith())))

  it.effect("an origin a browser never sends fails the layer with InvalidInput naming the entry", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Layer.build(serverWith({ corsOrigins: [page, "https://app.example.com/"] })))
      assert.include(error, { _tag: "InvalidInput", field: "corsOrigins[1]" })
      assert.match(error.message, /no path or trailing slash/)
    }).pipe(Effect.scoped))
})

describe("provident serve failing a proof", { timeout: 60_000 }, () => {
  it.live("a 500 names no filesystem path of the server (the real prover, a circuit whose wasm is gone)", () => {
    const hidden = fs.mkdtempSync(path.join(os.tmpdir(), "provident secret dir-"))
    const gone = {
      ...circuit,
      wasm: path.join(hidden, "square-10", "circuit.wasm"),
      keys: { groth16: { zkey: path.join(hidden, "square-10", "groth16.zkey"), vkey: path.join(hidden, "square-10", "groth16.vkey.json") } }
    }
    return Effect.gen(function*() {
      const response = yield* call("POST", "/v1/proofs", { body: proofBody() })
      assert.strictEqual(response.status, 500, response.text)
      const message: string = response.json().message
      assert.match(message, /circuit\.wasm is missing/, "the file is still named")
      assert.notInclude(message, hidden)
      assert.notInclude(message, os.tmpdir())
      assert.notMatch(message, /secret dir/)
    }).pipe(Effect.provide(provingServer(gone).pipe(Layer.provideMerge(NodeHttpClient.layerUndici))))
  })
})

describe("provident serve shutting down", { timeout: 30_000 }, () => {
  /** The server in a scope of its own, so the test decides when it closes; requests go through `fetch`, outside it. */
  const started = (options: { readonly gracePeriodMs: number; readonly delayMs: number }) =>
    Effect.gen(function*() {
      const scope = yield* Scope.make()
      const context = yield* Layer.buildWithScope(serverWith({ gracePeriodMs: options.gracePeriodMs }), scope)
      const controls = Context.get(context, Controls)
      yield* Ref.set(controls.delay, options.delayMs)
      const base = yield* Effect.provideContext(baseUrl, context)
      const prove = Effect.tryPromise(() =>
        fetch(`${base}/v1/proofs`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: proofBody() })
          .then(async (r) => ({ status: r.status, body: await r.text() }))
      )
      return { scope, controls, base, prove }
    })

  it.live("an in-flight proof that ends within the grace period is answered; then the port is closed", () =>
    Effect.gen(function*() {
      const { base, controls, prove, scope } = yield* started({ gracePeriodMs: 5000, delayMs: 600 })
      const inFlight = yield* Effect.forkChild(prove, { startImmediately: true })
      yield* Effect.sleep("200 millis")
      yield* Scope.close(scope, Exit.void)
      const answer = yield* Fiber.join(inFlight)
      assert.strictEqual(answer.status, 200, answer.body)
      assert.strictEqual(yield* Ref.get(controls.interrupted), 0, "the job was left to finish")
      const after = yield* Effect.tryPromise(() => fetch(`${base}/healthz`)).pipe(Effect.result)
      assert.strictEqual(after._tag, "Failure", "nothing listens any more")
    }))

  it.live("an in-flight proof still running when the grace period ends is cancelled", () =>
    Effect.gen(function*() {
      const { controls, prove, scope } = yield* started({ gracePeriodMs: 300, delayMs: 20_000 })
      const inFlight = yield* Effect.forkChild(Effect.result(prove), { startImmediately: true })
      yield* Effect.sleep("200 millis")
      const closing = yield* Clock.currentTimeMillis
      yield* Scope.close(scope, Exit.void)
      assert.isBelow((yield* Clock.currentTimeMillis) - closing, 5000, "shutdown did not wait for the 20 s proof")
      assert.strictEqual(yield* Ref.get(controls.interrupted), 1, "the prover was interrupted")
      const answer = yield* Fiber.join(inFlight)
      // The connection is dropped or answered with an error: never a proof.
      if (answer._tag === "Success") assert.notStrictEqual(answer.success.status, 200)
    }))
})
