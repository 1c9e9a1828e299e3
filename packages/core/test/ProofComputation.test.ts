import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Fiber, Layer, Ref } from "effect"
import { TestClock } from "effect/testing"
import * as AdaptiveExecutor from "../src/AdaptiveExecutor.ts"
import * as ProofComputation from "../src/ProofComputation.ts"
import { Prover } from "../src/Prover.ts"
import { ProverError } from "../src/ProverError.ts"
import * as ResourceAllocator from "../src/ResourceAllocator.ts"
import { circuit, countingRemote, executorOn } from "./executorFixtures.ts"
import { nextMatching, untilDone } from "./utils.ts"


/** A prover that takes 1 s per witness and 2 s per proof of virtual time, and records what it was asked. */
const fakeProver = Effect.gen(function*() {
  const calls = yield* Ref.make<ReadonlyArray<string>>([])
  const proveGate = yield* Deferred.make<void>()
  yield* Deferred.succeed(proveGate, undefined)
  const service = Prover.of({
    computeWitness: (_c, input, limits) =>
      Ref.update(calls, (xs) => [...xs, `witness@${limits.cores}`]).pipe(
        Effect.andThen(Effect.sleep("1 second")),
        Effect.andThen(input.x === "bad"
          ? Effect.fail(new ProverError({ reason: "InvalidWitnessInput", circuit: circuit.id, phase: "witness", message: "assertion failed" }))
          : Effect.succeed({ witness: new Uint8Array([1, 2, 3]), usage: { durationMs: 1000, peakMemoryBytes: 100, threads: 1 } }))
      ),
    prove: (_c, protocol, witness, limits) =>
      Ref.update(calls, (xs) => [...xs, `prove@${limits.cores}`]).pipe(
        Effect.andThen(Effect.sleep("2 seconds")),
        Effect.as({
          proof: { protocol, proof: { pi_a: [witness.length] }, publicSignals: [limits.cores === 3 ? "forged" : "9"] },
          usage: { durationMs: 2000, peakMemoryBytes: 300, threads: limits.cores }
        })
      ),
    verify: (_c, proof) => Effect.succeed(proof.publicSignals[0] !== "forged")
  })
  return { service, calls }
})

const run = <A, E, R>(effect: Effect.Effect<A, E, R>) => untilDone(effect, "500 millis", 60)

describe("ProofComputation", () => {
  it.effect("proves locally, verifies, and reports the worker's peak memory", () =>
    Effect.gen(function*() {
      const fake = yield* fakeProver
      const executor = yield* AdaptiveExecutor.AdaptiveExecutor
      const result = yield* run(executor.execute("p", ProofComputation.computation(circuit, "groth16", { x: 3 }),
        ProofComputation.defaultProfile(circuit), "medium").pipe(Effect.provideService(Prover, fake.service)))
      assert.isTrue(result.success)
      assert.strictEqual(result.strategy, "FULL_COMPUTATION")
      assert.deepStrictEqual(result.result?.proof.publicSignals, ["9"])
      assert.strictEqual(result.result?.provedBy, "local")
      assert.strictEqual(result.resourcesUsed.peakMemory, 300)
      assert.deepStrictEqual(yield* Ref.get(fake.calls), ["witness@4", "prove@4"], "threads follow the granted cores")
    }).pipe(Effect.provide(executorOn())))

  it.effect("paused after the witness, it resumes at proving without recomputing the witness", () =>
    Effect.gen(function*() {
      const fake = yield* fakeProver
      const executor = yield* AdaptiveExecutor.AdaptiveExecutor
      const allocator = yield* ResourceAllocator.ResourceAllocator
      const proving = yield* nextMatching(executor.progressChanges("p"), (p) => p.phase === "proving")
      const fiber = yield* Effect.forkChild(executor.execute("p", ProofComputation.computation(circuit, "groth16", { x: 3 }),
        ProofComputation.defaultProfile(circuit), "low").pipe(Effect.provideService(Prover, fake.service)), { startImmediately: true })
      for (let i = 0; i < 10; i++) yield* TestClock.adjust("200 millis")
      yield* proving
      yield* allocator.pause("p")
      assert.strictEqual((yield* allocator.status("p")).state, "paused")
      yield* allocator.resume("p")
      for (let i = 0; i < 20 && fiber.pollUnsafe() === undefined; i++) yield* TestClock.adjust("500 millis")
      const result = yield* Fiber.join(fiber)
      assert.isTrue(result.success)
      assert.strictEqual(result.strategy, "PROGRESSIVE_COMPUTATION")
      assert.deepStrictEqual(yield* Ref.get(fake.calls), ["witness@4", "prove@4", "prove@4"], "one witness, the proving phase twice")
    }).pipe(Effect.provide(executorOn({ config: { enabledStrategies: ["PROGRESSIVE_COMPUTATION"] } }))))

  it.effect("inputs that violate the circuit stop the chain: no other strategy can fix them", () =>
    Effect.gen(function*() {
      const fake = yield* fakeProver
      const executor = yield* AdaptiveExecutor.AdaptiveExecutor
      const result = yield* run(executor.execute("p", ProofComputation.computation(circuit, "groth16", { x: "bad" }),
        ProofComputation.defaultProfile(circuit), "medium", { fatal: ProofComputation.isFatal }).pipe(Effect.provideService(Prover, fake.service)))
      assert.isFalse(result.success)
      assert.strictEqual(result.attempts.filter((a) => a.outcome !== "skipped").length, 1)
      assert.strictEqual((result.error as ProverError).reason, "InvalidWitnessInput")
    }).pipe(Effect.provide(executorOn())))

  it.effect("a proof that does not verify is a failure", () =>
    Effect.gen(function*() {
      const fake = yield* fakeProver
      const executor = yield* AdaptiveExecutor.AdaptiveExecutor
      // The fake forges its proof when given 3 cores.
      const result = yield* run(executor.execute("p", ProofComputation.computation(circuit, "groth16", { x: 1 }),
        ProofComputation.defaultProfile(circuit), "medium").pipe(Effect.provideService(Prover, fake.service)))
      assert.isFalse(result.success)
      assert.match((result.error as ProverError).message, /did not verify/)
    }).pipe(Effect.provide(AdaptiveExecutor.layer({ enabledStrategies: ["FULL_COMPUTATION"], retries: 0 }).pipe(
      Layer.provideMerge(ResourceAllocator.layer({ strategy: "aggressive", maxCpuPercentage: 75 })),
      Layer.provideMerge(executorOn())
    ))))

  it.effect("falls back to the remote prover when allowed", () =>
    Effect.gen(function*() {
      const fake = yield* fakeProver
      const executor = yield* AdaptiveExecutor.AdaptiveExecutor
      const result = yield* run(executor.execute("p", ProofComputation.computation(circuit, "groth16", { x: 1 }),
        ProofComputation.defaultProfile(circuit), "medium", { allowRemote: true }).pipe(Effect.provideService(Prover, fake.service)))
      assert.strictEqual(result.strategy, "FALLBACK_COMPUTATION")
      assert.strictEqual(result.result?.provedBy, "http://127.0.0.1:1")
      assert.deepStrictEqual(yield* Ref.get(fake.calls), [], "nothing ran locally")
    }).pipe(Effect.provide(executorOn({ remote: countingRemote().service, config: { enabledStrategies: ["FALLBACK_COMPUTATION"] } }))))
})
