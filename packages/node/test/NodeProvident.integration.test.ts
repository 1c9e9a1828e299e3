/**
 * The composed Node layer on this machine: monitor, predictor and allocator,
 * executor with file checkpoints, and with `remote` the fallback to a real
 * `provident serve`.
 */
import { assert, describe, it } from "@effect/vitest"
import { AdaptiveExecutor, ProofComputation, ResourceAllocator, ResourcePredictor } from "@provident/core"
import { Effect, Layer, Redacted } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as NodeProvident from "../src/NodeProvident.ts"
import * as NodeSnarkjsProver from "../src/NodeSnarkjsProver.ts"
import { nominalProbe, tempDir } from "./promiseNodeOptions.ts"
import { baseUrl, provingServer, square1000, square1000Output, token } from "./serverFixtures.ts"

describe("NodeProvident.layer", () => {
  it.live("admits work on this machine and learns what it cost, across restarts", () =>
    Effect.gen(function*() {
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "provident-")), "models.json")
      const checkpoints = path.join(path.dirname(file), "checkpoints")
      const layer = () =>
        NodeProvident.layer({
          monitor: { sampleInterval: 100 },
          modelStore: { file },
          checkpoints: { directory: checkpoints },
          // Progressive only, so the run goes through the file checkpoints.
          executor: { enabledStrategies: ["PROGRESSIVE_COMPUTATION"] }
        })
      const ran = yield* Effect.gen(function*() {
        const allocator = yield* ResourceAllocator.ResourceAllocator
        const predictor = yield* ResourcePredictor.ResourcePredictor
        const budget = yield* allocator.budget
        assert.isAbove(budget.memory, 0)
        assert.isAtLeast(budget.cores, Math.min(1, os.availableParallelism()))
        const cores = yield* allocator.run({ name: "tiny", estimatedMemory: 1024 ** 2 }, (a) => Effect.succeed(a.cores))
        const executor = yield* AdaptiveExecutor.AdaptiveExecutor
        const executed = yield* executor.execute("two-phases", (ctx) =>
          Effect.zipWith(ctx.phase("witness", () => Effect.succeed(new Uint8Array([1, 2]))), ctx.phase("proving", () => Effect.succeed(3)), (w, p) => w.length + p),
          {
            circuitSize: 10,
            expectedWitnessDuration: 1,
            expectedProvingDuration: 1,
            circuitMemoryRequirements: 1024 ** 2,
            witnessMemoryRequirements: 1024 ** 2,
            provingMemoryRequirements: 1024 ** 2,
            canSplitComputation: true,
            supportsFallbackMode: false,
            supportsPartialResults: false,
            supportsCachedResults: false
          }, "high", { phases: ["witness", "proving"] })
        assert.isTrue(executed.success)
        assert.strictEqual(executed.result, 5)
        assert.strictEqual(executed.strategy, "PROGRESSIVE_COMPUTATION")
        assert.deepStrictEqual(fs.readdirSync(checkpoints), [], "the checkpoints were written, then cleared on success")
        for (const size of [1000, 2000, 4000]) {
          yield* predictor.observe({
            circuitId: `square-${size}`,
            circuitFamily: "square",
            prover: "groth16",
            circuitSize: size,
            strategy: "FULL_COMPUTATION",
            cores: 1,
            duration: size,
            peakMemory: size * 1024 * 100
          })
        }
        return cores
      }).pipe(Effect.provide(Layer.fresh(layer())))
      assert.isAtLeast(ran, Math.min(1, os.availableParallelism()))
      assert.isTrue(fs.existsSync(file), "the cost models were written")
      const models = yield* Effect.flatMap(ResourcePredictor.ResourcePredictor, (p) => p.costModels).pipe(
        Effect.provide(Layer.fresh(layer()))
      )
      assert.strictEqual(models.length, 1)
      assert.strictEqual(models[0]!.samples, 3)
    }))
})

describe("NodeProvident.layer with remote endpoints", () => {
  /** The Node stack over throwaway stores, pressure read as nominal, and `remote`. */
  const stack = (remote: NodeProvident.Options["remote"] & {}) => {
    const dir = tempDir()
    return NodeProvident.layer({
      monitor: { sampleInterval: 100 },
      probe: nominalProbe(dir),
      modelStore: { file: path.join(dir, "models.json") },
      checkpoints: { directory: path.join(dir, "checkpoints") },
      executor: { enabledStrategies: ["FULL_COMPUTATION", "PROGRESSIVE_COMPUTATION", "FALLBACK_COMPUTATION"], retries: 0 },
      remote
    })
  }

  it.live("a proof too big for this machine is proved by provident serve and verified here", () =>
    Effect.gen(function*() {
      const circuit = yield* square1000
      // A petabyte to prove: no local strategy can have it, so the chain ends at the server.
      const profile = { ...ProofComputation.defaultProfile(circuit), provingMemoryRequirements: 2 ** 50 }
      const result = yield* Effect.gen(function*() {
        const url = yield* baseUrl
        const executed = yield* AdaptiveExecutor.AdaptiveExecutor.use((executor) =>
          executor.execute("remote-square", ProofComputation.computation(circuit, "groth16", { x: 3 }), profile, "high", { allowRemote: true })
        ).pipe(
          // The local prover is there for the local strategies; it never gets to run.
          Effect.provide(Layer.fresh(stack({ endpoints: [{ url, token: Redacted.make(token) }] }).pipe(
            Layer.provideMerge(NodeSnarkjsProver.layer({ warm: 0 }))
          )))
        )
        return { ...executed, url }
      }).pipe(Effect.provide(provingServer(circuit)))

      assert.isTrue(result.success, JSON.stringify(result.attempts))
      assert.strictEqual(result.strategy, "FALLBACK_COMPUTATION")
      assert.strictEqual(result.result?.provedBy, result.url)
      assert.strictEqual(result.result?.proof.protocol, "groth16")
      assert.deepStrictEqual(result.result?.proof.publicSignals, [square1000Output(3n)])
      assert.deepStrictEqual(result.attempts.map((a) => `${a.strategy}:${a.outcome}`), [
        "FULL_COMPUTATION:skipped",
        "PROGRESSIVE_COMPUTATION:failed",
        "FALLBACK_COMPUTATION:succeeded"
      ])
      assert.match(result.attempts[1]?.reason ?? "", /denied: needs at least .* but the whole budget is/)
    }), 30_000)

  it.effect("plain HTTP to another host fails the layer with InvalidInput naming the endpoint", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Layer.build(stack({ endpoints: [{ url: "http://prover.example.com", token: Redacted.make(token) }] })))
      assert.strictEqual(error._tag, "InvalidInput")
      assert.strictEqual(error.field, "endpoints[0].url")
      assert.match(error.message, /https/)
    }).pipe(Effect.scoped))
})
