import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Fiber, Layer, Metric, Option, Ref } from "effect"
import { TestClock } from "effect/testing"
import * as AdaptiveExecutor from "../src/AdaptiveExecutor.ts"
import * as CheckpointStore from "../src/CheckpointStore.ts"
import type { ComputationContext } from "../src/Computation.ts"
import { fromPromise } from "../src/Computation.ts"
import { NoStrategyAvailable } from "../src/ExecutorError.ts"
import * as metrics from "../src/internal/metrics.ts"
import * as ResourceAllocator from "../src/ResourceAllocator.ts"
import * as ResourcePredictor from "../src/ResourcePredictor.ts"
import { GiB, testbox } from "./allocatorFixtures.ts"
import { countingRemote, executorOn, proofProfile } from "./executorFixtures.ts"
import { collecting, nextMatching, untilDone } from "./utils.ts"

const Executor = AdaptiveExecutor.AdaptiveExecutor
const strategies = (result: { attempts: ReadonlyArray<{ strategy: string; outcome: string }> }) =>
  result.attempts.map((a) => `${a.strategy.replace("_COMPUTATION", "")}:${a.outcome}`)

describe("the fallback chain", () => {
  it.effect("runs the first strategy that can, listing what it skipped and why", () =>
    Effect.gen(function*() {
      const executor = yield* Executor
      const result = yield* executor.execute("p", (ctx) => Effect.succeed(`${ctx.strategy} with ${ctx.allocation?.memory! / GiB} GiB`),
        proofProfile({ canSplitComputation: false, supportsPartialResults: false }), "medium")
      assert.isTrue(result.success)
      assert.strictEqual(result.strategy, "FULL_COMPUTATION")
      assert.strictEqual(result.result, "FULL_COMPUTATION with 3 GiB")
      assert.deepStrictEqual(result.resourcesUsed, { memory: 3 * GiB, cores: 4 })
      assert.deepStrictEqual(result.attempts.map((a) => [a.strategy, a.outcome, a.reason ?? ""]), [
        ["CACHED_COMPUTATION", "skipped", "no cache key was given"],
        ["FULL_COMPUTATION", "succeeded", ""]
      ])
    }).pipe(Effect.provide(executorOn())))

  it.effect("when every strategy fails, every attempt is listed with its reason", () =>
    Effect.gen(function*() {
      const executor = yield* Executor
      const result = yield* executor.execute("p", (ctx) => Effect.fail(`no luck under ${ctx.strategy}`), proofProfile(), "medium", {
        cacheKey: "k"
      })
      assert.isFalse(result.success)
      assert.strictEqual(result.error, "no luck under PARTIAL_COMPUTATION")
      assert.deepStrictEqual(strategies(result), [
        "CACHED:cache-miss",
        "FULL:failed",
        "PROGRESSIVE:failed",
        "PARTIAL:failed",
        "FALLBACK:skipped"
      ])
      assert.strictEqual(result.attempts.at(-1)?.reason, "inputs may not leave the device (allowRemote is off)")
    }).pipe(Effect.provide(executorOn({ config: { retries: 0 } }))))

  it.effect("when every strategy is skipped, the result says so: NoStrategyAvailable with each reason", () =>
    Effect.gen(function*() {
      const executor = yield* Executor
      let ran = false
      const result = yield* executor.execute("p", () => Effect.sync(() => (ran = true)), proofProfile(), "medium", {
        strategies: ["CACHED_COMPUTATION", "FALLBACK_COMPUTATION"]
      })
      assert.isFalse(ran)
      assert.isFalse(result.success)
      assert.instanceOf(result.error, NoStrategyAvailable)
      assert.deepStrictEqual((result.error as NoStrategyAvailable).reasons, [
        "CACHED_COMPUTATION: no cache key was given",
        "FALLBACK_COMPUTATION: inputs may not leave the device (allowRemote is off)"
      ])
      assert.match((result.error as NoStrategyAvailable).message, /no strategy could run p/)
    }).pipe(Effect.provide(executorOn())))

  it.effect("each strategy given up on counts as a fallback in the metrics", () =>
    Effect.gen(function*() {
      const executor = yield* Executor
      const fallbacks = (strategy: string) =>
        Metric.value(Metric.withAttributes(metrics.executorFallbacksTotal, { strategy })).pipe(
          Effect.map((s) => (s as Metric.CounterState<number>).count)
        )
      const before = [yield* fallbacks("FULL_COMPUTATION"), yield* fallbacks("PROGRESSIVE_COMPUTATION")]
      const result = yield* executor.execute("p", (ctx) => (ctx.strategy === "PARTIAL_COMPUTATION" ? Effect.succeed("partial") : Effect.fail("no")), proofProfile(), "medium")
      assert.strictEqual(result.strategy, "PARTIAL_COMPUTATION")
      assert.deepStrictEqual([yield* fallbacks("FULL_COMPUTATION"), yield* fallbacks("PROGRESSIVE_COMPUTATION")], [before[0]! + 1, before[1]! + 1])
    }).pipe(Effect.provide(executorOn({ config: { retries: 0 } }))))

  it.effect("a timed-out strategy falls back to the next, by the TestClock", () =>
    Effect.gen(function*() {
      const executor = yield* Executor
      const fiber = yield* Effect.forkChild(
        executor.execute("p", (ctx) => (ctx.strategy === "FULL_COMPUTATION" ? Effect.never : Effect.succeed("progressive")), proofProfile(), "high"),
        { startImmediately: true }
      )
      yield* TestClock.adjust("2 seconds")
      const result = yield* Fiber.join(fiber)
      assert.strictEqual(result.strategy, "PROGRESSIVE_COMPUTATION")
      assert.deepStrictEqual(strategies(result), ["CACHED:skipped", "FULL:timed-out", "PROGRESSIVE:succeeded"])
      assert.strictEqual(result.attempts[1]!.elapsed, 2000)
      assert.match(result.attempts[1]!.reason!, /2000 ms deadline/)
    }).pipe(Effect.provide(executorOn({ config: { retries: 0, strategyTimeouts: { FULL_COMPUTATION: 2000 } } }))))

  it.effect("retries follow the schedule: 1 s, then 2 s between attempts", () =>
    Effect.gen(function*() {
      const executor = yield* Executor
      const starts = yield* Ref.make<ReadonlyArray<number>>([])
      const fiber = yield* Effect.forkChild(
        executor.execute("p", (ctx) =>
          Effect.gen(function*() {
            yield* Ref.update(starts, (xs) => [...xs, ctx.attempt])
            return yield* Effect.fail("flaky")
          }), proofProfile({ canSplitComputation: false, supportsPartialResults: false }), "medium"),
        { startImmediately: true }
      )
      yield* Effect.yieldNow
      assert.deepStrictEqual(yield* Ref.get(starts), [1])
      yield* TestClock.adjust("999 millis")
      assert.deepStrictEqual(yield* Ref.get(starts), [1], "not before the first delay")
      yield* TestClock.adjust("1 millis")
      assert.deepStrictEqual(yield* Ref.get(starts), [1, 2])
      yield* TestClock.adjust("2 seconds")
      const result = yield* Fiber.join(fiber)
      assert.deepStrictEqual(yield* Ref.get(starts), [1, 2, 3])
      assert.deepStrictEqual(strategies(result), [
        "CACHED:skipped",
        "FULL:failed",
        "FULL:failed",
        "FULL:failed",
        "PROGRESSIVE:skipped",
        "PARTIAL:skipped",
        "FALLBACK:skipped"
      ])
    }).pipe(Effect.provide(executorOn({ config: { retries: 2 } }))))

  it.effect("full is skipped when its memory cannot be had, and progressive runs phase by phase", () =>
    Effect.gen(function*() {
      const executor = yield* Executor
      const allocator = yield* ResourceAllocator.ResourceAllocator
      // Hold 6 of the 8 GiB budget: the full peak (3 GiB) does not fit, but the witness phase (2 GiB) does.
      const gate = yield* Deferred.make<void>()
      yield* Effect.forkChild(allocator.run({ name: "other", estimatedMemory: 6 * GiB }, () => Deferred.await(gate)), { startImmediately: true })
      yield* Effect.yieldNow
      const result = yield* Effect.forkChild(executor.execute("p", (ctx) =>
        Effect.gen(function*() {
          const w = yield* ctx.phase("witness", (a) => Effect.succeed(a!.memory / GiB))
          const p = yield* ctx.phase("proving", (a) => Effect.succeed(a!.memory / GiB))
          return [w, p]
        }), proofProfile(), "medium"), { startImmediately: true })
      yield* Effect.yieldNow
      yield* Deferred.succeed(gate, undefined)
      const done = yield* Fiber.join(result)
      assert.strictEqual(done.strategy, "PROGRESSIVE_COMPUTATION")
      assert.deepStrictEqual(done.result, [2, 3], "each phase got its own memory: circuit + witness, circuit + proving")
      assert.strictEqual(done.attempts[1]!.outcome, "skipped")
      assert.match(done.attempts[1]!.reason!, /its memory cannot be had now: needs at least 3\.0 GiB of memory; 2\.0 GiB of 8\.0 GiB is free/)
    }).pipe(Effect.provide(executorOn())))

  it.effect("a defect is reported in the result, not thrown", () =>
    Effect.gen(function*() {
      const executor = yield* Executor
      const result = yield* executor.execute("p", () => Effect.die(new Error("kaboom")), proofProfile({
        canSplitComputation: false,
        supportsPartialResults: false
      }), "medium")
      assert.isFalse(result.success)
      assert.deepStrictEqual(strategies(result), ["CACHED:skipped", "FULL:died", "PROGRESSIVE:skipped", "PARTIAL:skipped", "FALLBACK:skipped"])
      assert.strictEqual((result.error as { _tag: string })._tag, "ComputationDied")
      assert.strictEqual(result.attempts[1]!.reason, "kaboom")
    }).pipe(Effect.provide(executorOn({ config: { retries: 0 } }))))

  it.effect("a fatal error stops the chain", () =>
    Effect.gen(function*() {
      const executor = yield* Executor
      const result = yield* executor.execute("p", () => Effect.fail({ _tag: "InvalidWitnessInput", message: "bad input" }), proofProfile(), "medium", {
        fatal: (e) => (e as { _tag?: string })._tag === "InvalidWitnessInput"
      })
      assert.deepStrictEqual(strategies(result), ["CACHED:skipped", "FULL:failed"])
    }).pipe(Effect.provide(executorOn())))

  it.effect("a call can narrow the strategies it may use", () =>
    Effect.gen(function*() {
      const executor = yield* Executor
      const result = yield* executor.execute("p", (ctx) => Effect.succeed(ctx.strategy), proofProfile(), "background", {
        strategies: ["PROGRESSIVE_COMPUTATION", "PARTIAL_COMPUTATION"]
      })
      assert.strictEqual(result.result, "PROGRESSIVE_COMPUTATION")
      assert.deepStrictEqual(strategies(result), ["PROGRESSIVE:succeeded"])
    }).pipe(Effect.provide(executorOn())))

  it.effect("a bad profile is a typed error naming the field", () =>
    Effect.gen(function*() {
      const executor = yield* Executor
      const error = yield* Effect.flip(executor.execute("p", () => Effect.void, { ...proofProfile(), circuitSize: -1 }, "medium"))
      assert.strictEqual(error.field, "circuitSize")
    }).pipe(Effect.provide(executorOn())))
})

describe("progressive checkpoints", () => {
  const fivePhases = (runs: Ref.Ref<ReadonlyArray<string>>, gate: Deferred.Deferred<void>) => (ctx: ComputationContext) =>
    Effect.gen(function*() {
      let sum = 0
      for (const name of ["p1", "p2", "p3", "p4", "p5"]) {
        sum += yield* ctx.phase(name, () =>
          Effect.gen(function*() {
            yield* Ref.update(runs, (xs) => [...xs, name])
            if (name === "p4") yield* Deferred.await(gate)
            return Number(name.slice(1))
          }))
      }
      return sum
    })

  it.effect("a 5-phase computation paused in phase 4 re-runs only phases 4 and 5", () =>
    Effect.gen(function*() {
      const executor = yield* Executor
      const allocator = yield* ResourceAllocator.ResourceAllocator
      const runs = yield* Ref.make<ReadonlyArray<string>>([])
      const gate = yield* Deferred.make<void>()
      const inPhase4 = yield* nextMatching(executor.progressChanges("job"), (p) => p.phase === "p4")
      const fiber = yield* Effect.forkChild(executor.execute("job", fivePhases(runs, gate), proofProfile(), "low", {
        phases: ["p1", "p2", "p3", "p4", "p5"]
      }), { startImmediately: true })
      yield* inPhase4
      yield* Effect.yieldNow
      assert.deepStrictEqual(yield* Ref.get(runs), ["p1", "p2", "p3", "p4"])
      yield* allocator.pause("job")
      assert.strictEqual((yield* allocator.status("job")).state, "paused")
      yield* allocator.resume("job")
      yield* Deferred.succeed(gate, undefined)
      const result = yield* Fiber.join(fiber)
      assert.strictEqual(result.result, 15)
      assert.deepStrictEqual(yield* Ref.get(runs), ["p1", "p2", "p3", "p4", "p4", "p5"])
      assert.strictEqual(result.strategy, "PROGRESSIVE_COMPUTATION")
    }).pipe(Effect.provide(executorOn({ config: { enabledStrategies: ["PROGRESSIVE_COMPUTATION"] } }))))

  it.effect("after a failed attempt the next one resumes from the last checkpoint; success clears them", () =>
    Effect.gen(function*() {
      const executor = yield* Executor
      const runs = yield* Ref.make<ReadonlyArray<string>>([])
      const computation = (ctx: ComputationContext) =>
        Effect.gen(function*() {
          const a = yield* ctx.phase("witness", () => Ref.update(runs, (xs) => [...xs, "witness"]).pipe(Effect.as("w")))
          const b = yield* ctx.phase("proving", () =>
            Ref.update(runs, (xs) => [...xs, `proving#${ctx.attempt}`]).pipe(
              Effect.andThen(ctx.attempt === 1 ? Effect.fail("worker crashed") : Effect.succeed("p"))
            ))
          return a + b
        })
      const result = yield* untilDone(executor.execute("job", computation, proofProfile(), "medium"))
      assert.strictEqual(result.result, "wp")
      assert.deepStrictEqual(yield* Ref.get(runs), ["witness", "proving#1", "proving#2"], "the witness ran once")
      // Checkpoints were cleared: a new execution under the same id starts over.
      yield* untilDone(executor.execute("job", computation, proofProfile(), "medium"))
      assert.deepStrictEqual((yield* Ref.get(runs)).slice(3), ["witness", "proving#1", "proving#2"])
    }).pipe(Effect.provide(executorOn({ config: { enabledStrategies: ["PROGRESSIVE_COMPUTATION"], retries: 1 } }))))
})

describe("checkpoints by key, timeouts and cancellation", () => {
  it.effect("ctx.checkpoint.save / restore carry a value to the next attempt; success clears it", () =>
    Effect.gen(function*() {
      const executor = yield* Executor
      const restored: Array<unknown> = []
      const computation = (ctx: ComputationContext) =>
        Effect.gen(function*() {
          const previous = yield* ctx.checkpoint.restore("rounds")
          restored.push(Option.getOrUndefined(previous))
          const done = Option.getOrElse(previous as Option.Option<number>, () => 0) + 10
          yield* ctx.checkpoint.save("rounds", done)
          return ctx.attempt === 1 ? yield* Effect.fail("crashed after saving") : done
        })
      const result = yield* untilDone(executor.execute("job", computation, proofProfile(), "medium"))
      assert.strictEqual(result.result, 20, "the second attempt went on from the first one's 10")
      assert.deepStrictEqual(restored, [undefined, 10])
      yield* untilDone(executor.execute("job", computation, proofProfile(), "medium"))
      assert.strictEqual(restored[2], undefined, "cleared on success: a new execution starts over")
    }).pipe(Effect.provide(executorOn({ config: { enabledStrategies: ["PROGRESSIVE_COMPUTATION"], retries: 1 } }))))

  it.effect("after a timeout the next attempt resumes from the last checkpoint", () =>
    Effect.gen(function*() {
      const executor = yield* Executor
      const runs = yield* Ref.make<ReadonlyArray<string>>([])
      const computation = (ctx: ComputationContext) =>
        Effect.gen(function*() {
          const w = yield* ctx.phase("witness", () => Ref.update(runs, (xs) => [...xs, "witness"]).pipe(Effect.as("w")))
          const p = yield* ctx.phase("proving", () =>
            Ref.update(runs, (xs) => [...xs, `proving#${ctx.attempt}`]).pipe(Effect.andThen(ctx.attempt === 1 ? Effect.never : Effect.succeed("p"))))
          return w + p
        })
      const result = yield* untilDone(executor.execute("job", computation, proofProfile(), "medium"))
      assert.strictEqual(result.result, "wp")
      assert.deepStrictEqual(strategies(result), ["CACHED:skipped", "PROGRESSIVE:timed-out", "PROGRESSIVE:succeeded"])
      assert.deepStrictEqual(yield* Ref.get(runs), ["witness", "proving#1", "proving#2"], "the witness ran once")
    }).pipe(Effect.provide(executorOn({
      config: { enabledStrategies: ["CACHED_COMPUTATION", "PROGRESSIVE_COMPUTATION"], retries: 1, strategyTimeouts: { PROGRESSIVE_COMPUTATION: 5000 } }
    }))))

  it.effect("an interrupted execution is cancelled: its progress says so, its watchers' streams end, the predictor forgets it, a new run starts over", () =>
    Effect.gen(function*() {
      const executor = yield* Executor
      const predictor = yield* ResourcePredictor.ResourcePredictor
      const runs = yield* Ref.make<ReadonlyArray<string>>([])
      const proving = yield* Deferred.make<void>()
      const computation = (hang: boolean) => (ctx: ComputationContext) =>
        Effect.gen(function*() {
          const w = yield* ctx.phase("witness", () => Ref.update(runs, (xs) => [...xs, "witness"]).pipe(Effect.as("w")))
          const p = yield* ctx.phase("proving", () =>
            Ref.update(runs, (xs) => [...xs, "proving"]).pipe(
              Effect.andThen(Deferred.succeed(proving, undefined)),
              Effect.andThen(hang ? Effect.never : Effect.succeed("p"))
            ))
          return w + p
        })
      const seen = yield* collecting(executor.progressChanges("job"))
      const fiber = yield* Effect.forkChild(executor.execute("job", computation(true), proofProfile(), "medium"), { startImmediately: true })
      yield* Deferred.await(proving)
      assert.isTrue(Option.isSome(yield* predictor.predictOperation("job")), "registered while it runs")
      yield* Fiber.interrupt(fiber)
      const progress = Option.getOrThrow(yield* executor.progress("job"))
      assert.strictEqual(progress.phase, "cancelled")
      assert.strictEqual(progress.strategy, "PROGRESSIVE_COMPUTATION")
      assert.strictEqual((yield* seen).at(-1)?.phase, "cancelled", "the change stream ended with it")
      assert.isTrue(Option.isNone(yield* predictor.predictOperation("job")), "the predictor forgot it")
      // Its checkpoints went with it: the same id again starts over.
      const result = yield* executor.execute("job", computation(false), proofProfile(), "medium")
      assert.strictEqual(result.result, "wp")
      assert.deepStrictEqual(yield* Ref.get(runs), ["witness", "proving", "witness", "proving"])
      // And the cancelled entry expires like a finished one.
      yield* TestClock.adjust("301 seconds")
      assert.isTrue(Option.isNone(yield* executor.progress("job")))
    }).pipe(Effect.provide(
      AdaptiveExecutor.layer({ enabledStrategies: ["PROGRESSIVE_COMPUTATION"] }).pipe(
        Layer.provideMerge(ResourceAllocator.layer({ strategy: "aggressive" })),
        Layer.provideMerge(ResourcePredictor.layerTest(testbox)),
        Layer.provideMerge(CheckpointStore.layerMemory)
      )
    )))
})

describe("cache and remote", () => {
  it.effect("a miss computes and fills the cache; a hit answers at once", () =>
    Effect.gen(function*() {
      const executor = yield* Executor
      const calls = yield* Ref.make(0)
      const computation = () => Ref.updateAndGet(calls, (n) => n + 1)
      const first = yield* executor.execute("a", computation, proofProfile(), "medium", { cacheKey: "circuit:input" })
      assert.deepStrictEqual(strategies(first).slice(0, 2), ["CACHED:cache-miss", "FULL:succeeded"])
      const second = yield* executor.execute("b", computation, proofProfile(), "medium", { cacheKey: "circuit:input" })
      assert.strictEqual(second.strategy, "CACHED_COMPUTATION")
      assert.strictEqual(second.result, 1)
      assert.strictEqual(yield* Ref.get(calls), 1)
      const uncacheable = yield* executor.execute("c", computation, proofProfile({ supportsCachedResults: false }), "medium", { cacheKey: "circuit:input" })
      assert.strictEqual(uncacheable.attempts[0]!.reason, "the profile does not support cached results")
      assert.strictEqual(uncacheable.result, 2)
    }).pipe(Effect.provide(executorOn())))

  const remote = countingRemote()
  it.effect("the remote prover is used only when the call allows it", () =>
    Effect.gen(function*() {
      const executor = yield* Executor
      const local = (ctx: ComputationContext): Effect.Effect<string, unknown> =>
        ctx.strategy === "FALLBACK_COMPUTATION"
          ? ctx.remote!.prove({ circuit: {} as never, protocol: "groth16", input: {} }).pipe(Effect.map((r) => r.endpoint))
          : Effect.fail("too big here")
      const denied = yield* executor.execute("a", local, proofProfile(), "medium")
      assert.isFalse(denied.success)
      assert.strictEqual(denied.attempts.at(-1)?.reason, "inputs may not leave the device (allowRemote is off)")
      assert.strictEqual(remote.calls(), 0, "nothing was sent")
      const allowed = yield* executor.execute("b", local, proofProfile(), "medium", { allowRemote: true })
      assert.strictEqual(allowed.strategy, "FALLBACK_COMPUTATION")
      assert.strictEqual(allowed.result, "http://127.0.0.1:1")
      assert.deepStrictEqual(allowed.resourcesUsed, { memory: 0, cores: 0 })
      assert.strictEqual(remote.calls(), 1)
    }).pipe(Effect.provide(executorOn({ config: { retries: 0 }, remote: remote.service }))))

  it.effect("without a remote prover, fallback is skipped with that reason", () =>
    Effect.gen(function*() {
      const executor = yield* Executor
      const result = yield* executor.execute("a", () => Effect.fail("no"), proofProfile(), "medium", { allowRemote: true })
      assert.strictEqual(result.attempts.at(-1)?.reason, "no remote prover is configured")
    }).pipe(Effect.provide(executorOn({ config: { retries: 0 } }))))
})

describe("promises, progress", () => {
  it.effect("a Promise computation gets the spec's resources and is aborted when interrupted", () =>
    Effect.gen(function*() {
      const executor = yield* Executor
      let aborted = false
      let seen: { memory: number; cpu: number; progressive: boolean } | undefined
      const computation = fromPromise(async (resources) => {
        seen = { memory: resources.memory, cpu: resources.cpu, progressive: resources.progressive }
        if (resources.strategy === "FULL_COMPUTATION") {
          await new Promise<void>((resolve) => resources.signal.addEventListener("abort", () => {
            aborted = true
            resolve()
          }))
          throw new Error("aborted")
        }
        return { proof: "...", publicSignals: [] as Array<string> }
      })
      const fiber = yield* Effect.forkChild(executor.execute("p", computation, proofProfile(), "medium"), { startImmediately: true })
      yield* TestClock.adjust("1 second")
      const result = yield* Fiber.join(fiber)
      assert.isTrue(aborted, "the signal fired when the full attempt timed out")
      assert.strictEqual(result.strategy, "PROGRESSIVE_COMPUTATION")
      assert.deepStrictEqual(seen, { memory: 0, cpu: 0, progressive: true })
      assert.deepStrictEqual(result.result, { proof: "...", publicSignals: [] })
    }).pipe(Effect.provide(executorOn({ config: { retries: 0, strategyTimeouts: { FULL_COMPUTATION: 1000 } } }))))

  it.effect("progress moves through its states in order and expires after the retention", () =>
    Effect.gen(function*() {
      const executor = yield* Executor
      const seen = yield* collecting(executor.progressChanges("p"))
      yield* executor.execute("p", (ctx) =>
        Effect.gen(function*() {
          yield* ctx.phase("witness", () => ctx.progress("witness", 50))
          yield* ctx.phase("proving", () => Effect.void)
        }), proofProfile({ canSplitComputation: false }), "medium")
      yield* Effect.yieldNow
      assert.deepStrictEqual((yield* seen).map((p) => `${p.phase}:${p.percent}`), [
        "queued:0",
        "allocating:0",
        "running:0",
        "witness:0",
        "witness:50",
        "witness:100",
        "proving:0",
        "proving:100",
        "done:100"
      ])
      assert.strictEqual(Option.getOrThrow(yield* executor.progress("p")).strategy, "FULL_COMPUTATION")
      yield* TestClock.adjust("301 seconds")
      assert.isTrue(Option.isNone(yield* executor.progress("p")))
    }).pipe(Effect.provide(executorOn())))
})

describe("the predictor loop", () => {
  it.effect("every successful local attempt is reported, so the circuit's cost model learns", () =>
    Effect.gen(function*() {
      const executor = yield* Executor
      const predictor = yield* ResourcePredictor.ResourcePredictor
      const circuit = { circuitId: "square-1000", circuitFamily: "square", prover: "groth16" }
      for (const id of ["a", "b"]) {
        const result = yield* executor.execute(id, (ctx) =>
          ctx.reportPeakMemory(512 * 1024 ** 2).pipe(
            Effect.andThen(ctx.reportCpuTime(1_000)),
            Effect.andThen(ctx.reportCpuTime(500)),
            Effect.andThen(TestClock.adjust("3 seconds"))
          ), proofProfile({ canSplitComputation: false }), "medium", { circuit })
        assert.strictEqual(result.resourcesUsed.peakMemory, 512 * 1024 ** 2)
        assert.strictEqual(result.resourcesUsed.cpuMs, 1_500, "CPU time adds up across phases")
      }
      const models = yield* predictor.costModels
      assert.strictEqual(models.length, 1)
      assert.strictEqual(models[0]!.samples, 2)
      assert.strictEqual(models[0]!.strategy, "FULL_COMPUTATION")
      const prediction = yield* predictor.estimate(proofProfile(), { ...circuit, strategy: "FULL_COMPUTATION", cores: 4 })
      assert.strictEqual(prediction.source, "learned")
      assert.closeTo(prediction.estimatedPeakMemory, 512 * 1024 ** 2, 1024 ** 2)
    }).pipe(Effect.provide(
      AdaptiveExecutor.layer().pipe(
        Layer.provideMerge(ResourceAllocator.layer({ strategy: "aggressive" })),
        Layer.provideMerge(ResourcePredictor.layerTest(testbox))
      )
    )))
})
