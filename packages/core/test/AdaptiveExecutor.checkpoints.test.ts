/**
 * Checkpoints belong to one execution and one statement: they are never
 * restored into another `execute` call (ids repeat: a server numbering its
 * jobs from 1 after a restart), never for another binding (another input),
 * and nothing an execution saved is left in the store when it ends, however
 * it ends. A store that cannot save costs the checkpoint, not the proof.
 *
 * Mutants these tests catch (each run by hand): checkpoints kept under the
 * caller's id instead of the run (`run = id` in AdaptiveExecutor: the
 * unbound-checkpoint test fails); restore ignoring the binding (the
 * mixed-up-store test fails); clearing only on success (the failure,
 * timeout, fatal and cancellation tests fail).
 */
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Fiber, Layer, Option } from "effect"
import * as AdaptiveExecutor from "../src/AdaptiveExecutor.ts"
import { CheckpointError, CheckpointStore, type Service as StoreService } from "../src/CheckpointStore.ts"
import type { ComputationContext } from "../src/Computation.ts"
import * as ResourceAllocator from "../src/ResourceAllocator.ts"
import * as ResourceMonitor from "../src/ResourceMonitor.ts"
import { testbox } from "./allocatorFixtures.ts"
import { proofProfile } from "./executorFixtures.ts"
import { untilDone } from "./utils.ts"

const Executor = AdaptiveExecutor.AdaptiveExecutor

/** A memory store whose entries the test can see, with switches for the ways real stores misbehave. */
const inspectableStore = (options: { readonly clear?: "works" | "lost"; readonly keyedBy?: "execution" | "key only"; readonly save?: "works" | "fails" } = {}) => {
  const entries = new Map<string, unknown>()
  const slot = (execution: string, key: string) => (options.keyedBy === "key only" ? key : `${execution}\u0000${key}`)
  const service: StoreService = {
    save: (execution, key, value) =>
      options.save === "fails"
        ? Effect.fail(new CheckpointError({ operation: "save", execution, key, message: "checkpoint save failed: read-only file system" }))
        : Effect.sync(() => void entries.set(slot(execution, key), value)),
    restore: (execution, key) => Effect.sync(() => (entries.has(slot(execution, key)) ? Option.some(entries.get(slot(execution, key))) : Option.none())),
    // "lost": the process died before it could clean up (SIGKILL, power cut).
    clear: (execution) =>
      Effect.sync(() => {
        if (options.clear === "lost") return
        for (const k of [...entries.keys()]) if (k.startsWith(`${execution}\u0000`) || options.keyedBy === "key only") entries.delete(k)
      })
  }
  return { service, entries }
}

const stackWith = (store: StoreService, config: AdaptiveExecutor.ExecuteOptions["strategies"] = ["PROGRESSIVE_COMPUTATION"]) =>
  AdaptiveExecutor.layer({ enabledStrategies: config, retries: 1, retryDelay: 1000, strategyTimeouts: { PROGRESSIVE_COMPUTATION: 5000 } }).pipe(
    Layer.provideMerge(ResourceAllocator.layer({ strategy: "aggressive", maxMemoryPercentage: 80 })),
    Layer.provideMerge(ResourceMonitor.layerTest(testbox)),
    Layer.provideMerge(Layer.succeed(CheckpointStore, store))
  )

/** A proof-like computation: the witness (bound to the input) is x², proving adds 1; `end` says how the proving phase ends. */
const squareThenProve = (x: number, witnesses: Array<number>, end: (ctx: ComputationContext) => Effect.Effect<void, string> = () => Effect.void) =>
(ctx: ComputationContext) =>
  Effect.gen(function*() {
    const w = yield* ctx.phase("witness", () =>
      Effect.sync(() => {
        witnesses.push(x)
        return x * x
      }), { binding: `x=${x}` })
    return yield* ctx.phase("proving", () => Effect.as(end(ctx), w + 1), { binding: `x=${x}` })
  })

describe("a checkpoint is its execution's and its statement's only", () => {
  it.effect("an execution under a reused id, after a run that could not clean up, proves its own input", () => {
    const store = inspectableStore({ clear: "lost" })
    return Effect.gen(function*() {
      const executor = yield* Executor
      const witnesses: Array<number> = []
      const first = yield* untilDone(executor.execute("square#1", squareThenProve(2, witnesses, () => Effect.fail("prover crashed")), proofProfile(), "medium"))
      assert.isFalse(first.success)
      assert.isAbove(store.entries.size, 0, "the first run's witness is still in the store")
      const second = yield* untilDone(executor.execute("square#1", squareThenProve(7, witnesses), proofProfile(), "medium"))
      assert.strictEqual(second.result, 50, "7² + 1, not the earlier request's 2² + 1")
      assert.deepStrictEqual(witnesses, [2, 7], "the second run computed its own witness")
    }).pipe(Effect.provide(stackWith(store.service)))
  })

  it.effect("unbound checkpoints (ctx.checkpoint) of an earlier run under the same id are not restored either", () => {
    const store = inspectableStore({ clear: "lost" })
    return Effect.gen(function*() {
      const executor = yield* Executor
      const seen: Array<unknown> = []
      const rounds = (fail: boolean) => (ctx: ComputationContext) =>
        Effect.gen(function*() {
          seen.push(Option.getOrUndefined(yield* ctx.checkpoint.restore("rounds")))
          yield* ctx.checkpoint.save("rounds", 10)
          return fail ? yield* Effect.fail("crashed") : "done"
        })
      const profile = proofProfile({ canSplitComputation: false })
      yield* untilDone(executor.execute("job", rounds(true), profile, "medium", { strategies: ["FULL_COMPUTATION"] }))
      yield* untilDone(executor.execute("job", rounds(false), profile, "medium", { strategies: ["FULL_COMPUTATION"] }))
      assert.deepStrictEqual(seen, [undefined, 10, undefined], "the retry resumed; the new run did not")
    }).pipe(Effect.provide(stackWith(store.service)))
  })

  it.effect("a store that mixes executions up still restores nothing saved for another binding", () => {
    const store = inspectableStore({ clear: "lost", keyedBy: "key only" })
    return Effect.gen(function*() {
      const executor = yield* Executor
      const witnesses: Array<number> = []
      yield* untilDone(executor.execute("a", squareThenProve(2, witnesses, () => Effect.fail("crashed")), proofProfile(), "medium"))
      const other = yield* untilDone(executor.execute("b", squareThenProve(7, witnesses), proofProfile(), "medium"))
      assert.strictEqual(other.result, 50)
      assert.deepStrictEqual(witnesses, [2, 7])
      // The same binding is restored (the store mixed the runs up: only the binding stands between them).
      const same = yield* untilDone(executor.execute("c", squareThenProve(7, witnesses), proofProfile(), "medium"))
      assert.strictEqual(same.result, 50)
      assert.deepStrictEqual(witnesses, [2, 7], "restored for the same statement")
    }).pipe(Effect.provide(stackWith(store.service)))
  })

  it.effect("within one execution the next attempt still resumes from the witness", () => {
    const store = inspectableStore()
    return Effect.gen(function*() {
      const executor = yield* Executor
      const witnesses: Array<number> = []
      const result = yield* untilDone(
        executor.execute("job", squareThenProve(3, witnesses, (ctx) => (ctx.attempt === 1 ? Effect.fail("crashed") : Effect.void)), proofProfile(), "medium")
      )
      assert.strictEqual(result.result, 10)
      assert.deepStrictEqual(witnesses, [3], "the witness ran once")
    }).pipe(Effect.provide(stackWith(store.service)))
  })
})

describe("nothing an execution saved outlives it", () => {
  const ends: ReadonlyArray<readonly [string, (ctx: ComputationContext) => Effect.Effect<void, string>]> = [
    ["success", () => Effect.void],
    ["failure", () => Effect.fail("prover failed")],
    ["timeout", () => Effect.never],
    ["fatal error", () => Effect.fail("fatal")]
  ]
  for (const [name, end] of ends) {
    it.effect(`after ${name} the store is empty`, () => {
      const store = inspectableStore()
      return Effect.gen(function*() {
        const executor = yield* Executor
        let sawCheckpoint = false
        const result = yield* untilDone(executor.execute("job", squareThenProve(4, [], (ctx) =>
          Effect.suspend(() => {
            sawCheckpoint ||= store.entries.size > 0
            return end(ctx)
          })), proofProfile(), "medium", { fatal: (e) => e === "fatal" }))
        assert.strictEqual(result.success, name === "success")
        assert.isTrue(sawCheckpoint, "the witness was checkpointed while the proof ran")
        assert.strictEqual(store.entries.size, 0)
      }).pipe(Effect.provide(stackWith(store.service)))
    })
  }

  it.effect("after cancellation (an interrupted execute) the store is empty", () => {
    const store = inspectableStore()
    return Effect.gen(function*() {
      const executor = yield* Executor
      const proving = yield* Deferred.make<void>()
      const fiber = yield* Effect.forkChild(
        executor.execute("job", squareThenProve(4, [], () => Deferred.succeed(proving, undefined).pipe(Effect.andThen(Effect.never))), proofProfile(), "medium"),
        { startImmediately: true }
      )
      yield* Deferred.await(proving)
      assert.isAbove(store.entries.size, 0)
      yield* Fiber.interrupt(fiber)
      assert.strictEqual(store.entries.size, 0)
    }).pipe(Effect.provide(stackWith(store.service)))
  })
})

describe("a store that cannot save", () => {
  it.effect("costs the checkpoint, not the proof: the work goes on and a retry recomputes", () => {
    const store = inspectableStore({ save: "fails" })
    return Effect.gen(function*() {
      const executor = yield* Executor
      const witnesses: Array<number> = []
      const result = yield* untilDone(
        executor.execute("job", squareThenProve(5, witnesses, (ctx) => (ctx.attempt === 1 ? Effect.fail("crashed") : Effect.void)), proofProfile(), "medium")
      )
      assert.isTrue(result.success)
      assert.strictEqual(result.result, 26)
      assert.strictEqual(result.strategy, "PROGRESSIVE_COMPUTATION")
      assert.deepStrictEqual(witnesses, [5, 5], "without a checkpoint the retry computed the witness again")
    }).pipe(Effect.provide(stackWith(store.service)))
  })
})
