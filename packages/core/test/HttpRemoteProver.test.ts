import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as HttpRemoteProver from "../src/HttpRemoteProver.ts"

const endpoints = [{ url: "https://prover.example.com" }]

describe("HttpRemoteProver.validate", () => {
  it.effect("names each setting that breaks its rule, all at once, before the endpoints are looked at", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(HttpRemoteProver.validate({
        endpoints: [{ url: "nowhere" }],
        retries: -2,
        timeoutMs: 0,
        maxRetryDelayMs: Number.NaN
      }))
      assert.strictEqual(error._tag, "InvalidInput")
      assert.deepStrictEqual([...new Set(error.issues.map((issue) => issue.path))].sort(), ["maxRetryDelayMs", "retries", "timeoutMs"])
      assert.match(error.message, /^Invalid HttpRemoteProver: /)
    }))

  it.effect("whole retries ≥ 0 and positive timeouts pass; then the endpoints are checked", () =>
    Effect.gen(function*() {
      yield* HttpRemoteProver.validate({ endpoints, retries: 0, timeoutMs: 1, capacityTimeoutMs: 500, maxRetryDelayMs: 0, uploadBytesPerSecond: 1e6, maxResponseBytes: 65_536 })
      for (const maxResponseBytes of [0, 1.5, Number.POSITIVE_INFINITY]) {
        const cap = yield* Effect.flip(HttpRemoteProver.validate({ endpoints, maxResponseBytes }))
        assert.strictEqual(cap.field, "maxResponseBytes", String(maxResponseBytes))
      }
      const fractional = yield* Effect.flip(HttpRemoteProver.validate({ endpoints, retries: 1.5 }))
      assert.strictEqual(fractional.field, "retries")
      const url = yield* Effect.flip(HttpRemoteProver.validate({ endpoints: [{ url: "nowhere" }], retries: 1 }))
      assert.strictEqual(url.field, "endpoints[0].url")
    }))
})
