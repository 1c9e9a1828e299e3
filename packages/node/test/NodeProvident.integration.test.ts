/** The composed Node layer on this machine: monitor, predictor and allocator, executor with file checkpoints. */
import { assert, describe, it } from "@effect/vitest"
import { AdaptiveExecutor, ResourceAllocator, ResourcePredictor } from "@provident/core"
import { Effect, Layer } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as NodeProvident from "../src/NodeProvident.ts"

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
