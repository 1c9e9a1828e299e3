import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Ref } from "effect"
import { HttpClient, HttpClientRequest } from "effect/http"
import { baseUrl, circuit, Controls, serverWith, token } from "./serverFixtures.ts"

const call = (method: "GET" | "POST", path: string, options: { body?: string; auth?: string | null } = {}) =>
  Effect.gen(function*() {
    const base = yield* baseUrl
    const client = yield* HttpClient.HttpClient
    let request = method === "GET" ? HttpClientRequest.get(`${base}${path}`) : HttpClientRequest.post(`${base}${path}`)
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
      const violates = yield* call("POST", "/v1/proofs", { body: proofBody({ input: { x: "violates" } }) })
      assert.strictEqual(violates.status, 422)
      assert.strictEqual(violates.json().field, "input")
    }).pipe(Effect.provide(serverWith({ maxBodyBytes: 2048 }))))

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
