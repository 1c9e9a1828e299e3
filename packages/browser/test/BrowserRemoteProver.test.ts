/**
 * Remote fallback from this page to a real `provident serve` (the
 * `startProverServer` command: the Node server proving the committed
 * `square-1000` with snarkjs, CORS open to this page's origin) through
 * `BrowserProvident.layer({ remote })`: a proof too big for the page is
 * proved by the server, over `fetch` across origins, and verified here.
 */
import { assert, describe, it } from "@effect/vitest"
import { AdaptiveExecutor, ProofComputation, Prover, RemoteProver } from "@provident/core"
import { Effect, Layer, Redacted } from "effect"
import { afterAll, beforeAll } from "vitest"
import { commands } from "vitest/browser"
import * as BrowserProvident from "../src/BrowserProvident.ts"
import * as BrowserRemoteProver from "../src/BrowserRemoteProver.ts"
import * as BrowserSnarkjsProver from "../src/BrowserSnarkjsProver.ts"
import { loadCircuit, squares } from "./fixtures.ts"

let server: { readonly url: string; readonly token: string } | undefined

beforeAll(async () => {
  server = await commands.startProverServer(location.origin)
}, 30_000)
afterAll(async () => {
  if (server !== undefined) await commands.stopProverServer(server.url)
})

/** The browser stack, its stores in memory, falling back on the server. */
const stack = (url: string, token: string) =>
  BrowserProvident.layer({
    storage: { indexedDB: null },
    monitor: { sampleInterval: 250 },
    executor: { enabledStrategies: ["FULL_COMPUTATION", "PROGRESSIVE_COMPUTATION", "FALLBACK_COMPUTATION"], retries: 0 },
    remote: { endpoints: [{ url, token: Redacted.make(token) }] }
  })

describe("BrowserProvident.layer with remote endpoints", () => {
  it.live("a proof too big for this page is proved by provident serve and verified here", () =>
    Effect.gen(function*() {
      const { url, token } = server!
      const circuit = yield* loadCircuit("square-1000")
      // A petabyte to prove: no local strategy can have it, so the chain ends at the server.
      const profile = { ...ProofComputation.defaultProfile(circuit), provingMemoryRequirements: 2 ** 50 }
      const result = yield* AdaptiveExecutor.AdaptiveExecutor.use((executor) =>
        // Critical: under the CPU pressure headless Chromium often reports, the allocator starts only critical work.
        executor.execute("remote-square", ProofComputation.computation(circuit, "groth16", { x: 3 }), profile, "critical", { allowRemote: true })
      ).pipe(
        // The page's prover is there for the local strategies; it never gets to run.
        Effect.provide(Layer.fresh(stack(url, token).pipe(Layer.provideMerge(BrowserSnarkjsProver.layer({ warm: 0 })))))
      )

      assert.isTrue(result.success, JSON.stringify(result.attempts))
      assert.strictEqual(result.strategy, "FALLBACK_COMPUTATION")
      assert.strictEqual(result.result?.provedBy, url)
      assert.strictEqual(result.result?.proof.protocol, "groth16")
      assert.deepStrictEqual(result.result?.proof.publicSignals, [squares(3n, 1000)])
      assert.deepStrictEqual(result.attempts.map((a) => `${a.strategy}:${a.outcome}`), [
        "FULL_COMPUTATION:skipped",
        "PROGRESSIVE_COMPUTATION:failed",
        "FALLBACK_COMPUTATION:succeeded"
      ])
    }), 30_000)

  it.live("BrowserRemoteProver alone: a proof over fetch, which its verifier would refuse for other public signals", () =>
    Effect.gen(function*() {
      const { url, token } = server!
      const circuit = yield* loadCircuit("square-1000")
      const { proof, endpoint } = yield* RemoteProver.RemoteProver.use((remote) =>
        remote.prove({ circuit, protocol: "groth16", input: { x: 3 } })
      ).pipe(Effect.provide(BrowserRemoteProver.layer({ endpoints: [{ url, token: Redacted.make(token) }], retries: 0 })))
      assert.strictEqual(endpoint, url)
      assert.deepStrictEqual(proof.publicSignals, [squares(3n, 1000)])
      // What the remote prover checked before accepting it: the same proof claiming another output does not verify.
      const verify = (publicSignals: ReadonlyArray<string>) =>
        Prover.Prover.use((p) => p.verify(circuit, { ...proof, publicSignals })).pipe(Effect.provide(BrowserRemoteProver.verifier()))
      assert.isTrue(yield* verify(proof.publicSignals))
      assert.isFalse(yield* verify([squares(4n, 1000)]))
    }), 30_000)

  it.effect("plain HTTP to another host fails the layer with InvalidInput naming the endpoint", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Layer.build(stack("http://example.com", "a-token-of-twenty-chars")))
      assert.strictEqual(error._tag, "InvalidInput")
      assert.strictEqual(error.field, "endpoints[0].url")
      assert.match(error.message, /https/)
    }).pipe(Effect.scoped))
})
