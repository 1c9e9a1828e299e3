/** The composed Node layer on this machine: monitor, predictor (with a file store) and allocator together. */
import { assert, describe, it } from "@effect/vitest"
import { ResourceAllocator, ResourcePredictor } from "@provident/core"
import { Effect, Layer } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as NodeProvident from "../src/NodeProvident.ts"

describe("NodeProvident.layer", () => {
  it.live("admits work on this machine and learns what it cost, across restarts", () =>
    Effect.gen(function*() {
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "provident-")), "models.json")
      const layer = () => NodeProvident.layer({ monitor: { sampleInterval: 100 }, modelStore: { file } })
      const ran = yield* Effect.gen(function*() {
        const allocator = yield* ResourceAllocator.ResourceAllocator
        const predictor = yield* ResourcePredictor.ResourcePredictor
        const budget = yield* allocator.budget
        assert.isAbove(budget.memory, 0)
        assert.isAtLeast(budget.cores, Math.min(1, os.availableParallelism()))
        const cores = yield* allocator.run({ name: "tiny", estimatedMemory: 1024 ** 2 }, (a) => Effect.succeed(a.cores))
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
