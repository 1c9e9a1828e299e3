import { assert, describe, it } from "@effect/vitest"
import { Context, Deferred, Effect, Exit, Fiber, Layer, Metric, Ref, Scope, Tracer } from "effect"
import { TestClock } from "effect/testing"
import * as metrics from "../src/internal/metrics.ts"
import * as ResourceAllocator from "../src/ResourceAllocator.ts"
import * as SimulatedDevice from "../src/SimulatedDevice.ts"
import { allocatorOn, GiB, profile, testbox } from "./allocatorFixtures.ts"
import { collecting } from "./utils.ts"

const Allocator = ResourceAllocator.ResourceAllocator

/** Holds `gib` GiB under `name` in a scope of its own, closed by the returned effect. */
const hold = (name: string, gib: number, extra: Parameters<typeof profile>[2] = {}) =>
  Effect.gen(function*() {
    const allocator = yield* Allocator
    const scope = yield* Scope.make()
    const allocation = yield* allocator.allocate(profile(name, gib, extra)).pipe(Scope.provide(scope))
    return { allocation, release: Scope.close(scope, Exit.void) }
  })

describe("request: an immediate decision", () => {
  it.effect("grants the recommended amount when it is free", () =>
    Effect.gen(function*() {
      const decision = yield* (yield* Allocator).request(profile("p", 2, { cores: 2 }))
      assert.isTrue(decision.approved)
      assert.strictEqual(decision.allocatedMemory, 2 * GiB)
      assert.strictEqual(decision.allocatedCores, 2)
      assert.deepStrictEqual(decision.budget, { memory: 8 * GiB, cores: 4 })
      assert.deepStrictEqual(decision.reasons, [])
    }).pipe(Effect.provide(allocatorOn())))

  it.effect("grants between minimum and recommended as headroom allows", () =>
    Effect.gen(function*() {
      const { release } = yield* hold("big", 5)
      const decision = yield* (yield* Allocator).request(profile("p", 4, { minGib: 2 }))
      assert.isTrue(decision.approved)
      assert.strictEqual(decision.allocatedMemory, 3 * GiB)
      yield* release
    }).pipe(Effect.provide(allocatorOn())))

  it.effect("denies an oversized request with what to do instead", () =>
    Effect.gen(function*() {
      const decision = yield* (yield* Allocator).request(profile("huge", 9))
      assert.isFalse(decision.approved)
      assert.deepStrictEqual(decision.reasons.map((r) => r.code), ["oversized-memory"])
      assert.include(decision.reasons[0]!.message, "8.0 GiB")
      assert.deepStrictEqual(decision.recommendations, ["use a smaller circuit (at most 8.0 GiB)", "use the remote prover"])
      assert.deepStrictEqual(decision.fallbackOptions.map((o) => o.kind), ["remote", "smaller-circuit"])
    }).pipe(Effect.provide(allocatorOn())))

  it.effect("says how long to wait when running work will free enough", () =>
    Effect.gen(function*() {
      const { release } = yield* hold("running", 6, { estimatedDuration: 30_000 })
      yield* TestClock.adjust("10 seconds")
      const decision = yield* (yield* Allocator).request(profile("next", 4))
      assert.isFalse(decision.approved)
      assert.deepStrictEqual(decision.reasons.map((r) => r.code), ["insufficient-memory"])
      assert.strictEqual(decision.recommendations[0], "wait ~20s")
      assert.strictEqual(decision.fallbackOptions[0]?.estimatedWaitMs, 20_000)
      yield* release
    }).pipe(Effect.provide(allocatorOn())))

  it.effect("suggests fewer cores when only cores are short", () =>
    Effect.gen(function*() {
      const { release } = yield* hold("running", 1, { cores: 3 })
      const decision = yield* (yield* Allocator).request(profile("next", 1, { cores: 2 }))
      assert.deepStrictEqual(decision.reasons.map((r) => r.code), ["insufficient-cores"])
      assert.strictEqual(decision.recommendations[0], "lower parallelism to 1 cores")
      assert.deepStrictEqual(decision.fallbackOptions[0], { kind: "reduce-parallelism", description: "lower parallelism to 1 cores", cores: 1 })
      yield* release
    }).pipe(Effect.provide(allocatorOn())))

  it.effect("under critical pressure only critical work is approved", () =>
    Effect.gen(function*() {
      const allocator = yield* Allocator
      const device = yield* SimulatedDevice.SimulatedDevice
      yield* device.setScript({ pressure: () => "critical" })
      yield* TestClock.adjust("1 second")
      const medium = yield* allocator.request(profile("m", 1))
      assert.deepStrictEqual(medium.reasons.map((r) => r.code), ["critical-pressure"])
      assert.isTrue((yield* allocator.request(profile("c", 1, { priority: "critical" }))).approved)
      assert.strictEqual((yield* allocator.budget).memory, 0.9 * 10 * GiB * 0.5, "critical pressure halves the share")
    }).pipe(Effect.provide(allocatorOn())))

  it.effect("a bad profile is a typed error naming the field", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip((yield* Allocator).request({ name: "", estimatedMemory: 1 }))
      assert.strictEqual(error._tag, "InvalidInput")
      if (error._tag === "InvalidInput") assert.strictEqual(error.field, "name")
    }).pipe(Effect.provide(allocatorOn())))
})

describe("allocate and run: waiting for admission", () => {
  it.effect("a grant is held until the scope closes; a waiter is admitted then", () =>
    Effect.gen(function*() {
      const allocator = yield* Allocator
      const first = yield* hold("first", 6)
      const second = yield* Effect.forkChild(hold("second", 6), { startImmediately: true })
      yield* Effect.yieldNow
      assert.strictEqual((yield* allocator.status("second")).state, "queued")
      assert.strictEqual((yield* allocator.budget).queueLength, 1)
      yield* first.release
      const admitted = yield* Fiber.join(second)
      assert.strictEqual(admitted.allocation.memory, 6 * GiB)
      assert.strictEqual((yield* allocator.status("first")).state, "completed")
      yield* admitted.release
      assert.deepStrictEqual((yield* allocator.budget).granted, { memory: 0, cores: 0 })
    }).pipe(Effect.provide(allocatorOn())))

  it.effect("an oversized allocate fails at once instead of waiting forever", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Effect.scoped((yield* Allocator).allocate(profile("huge", 9))))
      assert.strictEqual(error._tag, "AllocationDenied")
      assert.strictEqual((yield* (yield* Allocator).status("huge")).state, "failed")
    }).pipe(Effect.provide(allocatorOn())))

  it.effect("run returns the effect's value and releases its grant", () =>
    Effect.gen(function*() {
      const allocator = yield* Allocator
      const value = yield* allocator.run(profile("job", 2, { cores: 2 }), (a) => Effect.succeed(a.memory / GiB + a.cores))
      assert.strictEqual(value, 4)
      assert.deepStrictEqual((yield* allocator.budget).granted, { memory: 0, cores: 0 })
      assert.strictEqual((yield* allocator.status("job")).state, "completed")
    }).pipe(Effect.provide(allocatorOn())))

  it.effect("failures and defects reach the caller and release the grant", () =>
    Effect.gen(function*() {
      const allocator = yield* Allocator
      const failed = yield* Effect.flip(allocator.run(profile("fails", 2), () => Effect.fail("boom" as const)))
      assert.strictEqual(failed, "boom")
      const died = yield* Effect.exit(allocator.run(profile("dies", 2), () => Effect.die(new Error("crash"))))
      assert.isTrue(Exit.isFailure(died))
      assert.deepStrictEqual((yield* allocator.budget).granted, { memory: 0, cores: 0 })
      assert.strictEqual((yield* allocator.status("fails")).state, "failed")
      assert.strictEqual((yield* allocator.status("dies")).state, "failed")
    }).pipe(Effect.provide(allocatorOn())))

  it.effect("waiting critical work is admitted before waiting background work of the same size", () =>
    Effect.gen(function*() {
      const allocator = yield* Allocator
      const order = yield* Ref.make<ReadonlyArray<string>>([])
      const blocker = yield* hold("blocker", 8)
      const job = (name: string, priority: "critical" | "background") =>
        allocator.run(profile(name, 5, { priority }), () => Ref.update(order, (xs) => [...xs, name]))
      const bg = yield* Effect.forkChild(job("bg", "background"), { startImmediately: true })
      yield* TestClock.adjust("1 second")
      const crit = yield* Effect.forkChild(job("crit", "critical"), { startImmediately: true })
      yield* Effect.yieldNow
      yield* blocker.release
      yield* Fiber.join(crit)
      yield* Fiber.join(bg)
      assert.deepStrictEqual(yield* Ref.get(order), ["crit", "bg"])
    }).pipe(Effect.provide(allocatorOn())))

  it.effect("aging lifts long-waiting low work above newer medium work", () =>
    Effect.gen(function*() {
      const allocator = yield* Allocator
      const order = yield* Ref.make<ReadonlyArray<string>>([])
      const blocker = yield* hold("blocker", 8)
      const job = (name: string, priority: "medium" | "low") =>
        allocator.run(profile(name, 5, { priority }), () => Ref.update(order, (xs) => [...xs, name]))
      const low = yield* Effect.forkChild(job("low", "low"), { startImmediately: true })
      // 10 s of waiting is one level: low (1) + 1 = medium; it arrived first, so it goes first.
      yield* TestClock.adjust("10 seconds")
      const medium = yield* Effect.forkChild(job("medium", "medium"), { startImmediately: true })
      yield* Effect.yieldNow
      yield* blocker.release
      yield* Fiber.join(low)
      yield* Fiber.join(medium)
      assert.deepStrictEqual(yield* Ref.get(order), ["low", "medium"])
    }).pipe(Effect.provide(allocatorOn())))

  it.effect("a full queue refuses with QueueFull", () =>
    Effect.gen(function*() {
      const allocator = yield* Allocator
      const blocker = yield* hold("blocker", 8)
      yield* allocator.queue(profile("a", 1), () => Effect.void)
      yield* allocator.queue(profile("b", 1), () => Effect.void)
      yield* allocator.queue(profile("c", 1), () => Effect.void)
      const a = yield* Effect.forkChild(allocator.start("a"), { startImmediately: true })
      const b = yield* Effect.forkChild(allocator.start("b"), { startImmediately: true })
      yield* Effect.yieldNow
      const error = yield* Effect.flip(allocator.start("c"))
      assert.strictEqual(error._tag, "QueueFull")
      assert.strictEqual((yield* allocator.status("c")).state, "queued", "still registered: start may be retried")
      yield* blocker.release
      yield* Fiber.join(a)
      yield* Fiber.join(b)
    }).pipe(Effect.provide(allocatorOn(testbox, { queueCapacity: 2 }))))

  it.effect("a live name cannot be used twice", () =>
    Effect.gen(function*() {
      const allocator = yield* Allocator
      yield* allocator.queue(profile("same", 1), () => Effect.void)
      const error = yield* Effect.flip(allocator.queue(profile("same", 1), () => Effect.void))
      assert.strictEqual(error._tag, "DuplicateOperation")
    }).pipe(Effect.provide(allocatorOn())))
})

describe("named operations: pause, resume, cancel", () => {
  it.effect("pause interrupts and releases; resume restarts the effect", () =>
    Effect.gen(function*() {
      const allocator = yield* Allocator
      const starts = yield* Ref.make(0)
      const finish = yield* Deferred.make<void>()
      const events = yield* collecting(allocator.operations)
      const job = allocator.run(profile("job", 4, { canBePaused: true }), (a) =>
        Ref.update(starts, (n) => n + 1).pipe(Effect.andThen(Deferred.await(finish)), Effect.as(a.restarts)))
      const fiber = yield* Effect.forkChild(job, { startImmediately: true })
      yield* Effect.yieldNow
      assert.strictEqual((yield* allocator.status("job")).state, "running")
      yield* allocator.pause("job")
      const paused = yield* allocator.status("job")
      assert.strictEqual(paused.state, "paused")
      assert.isUndefined(paused.allocation)
      assert.deepStrictEqual((yield* allocator.budget).granted, { memory: 0, cores: 0 }, "resources released")
      yield* allocator.resume("job")
      yield* Effect.yieldNow
      yield* Deferred.succeed(finish, undefined)
      assert.strictEqual(yield* Fiber.join(fiber), 1, "the second run sees one restart")
      assert.strictEqual(yield* Ref.get(starts), 2)
      assert.deepStrictEqual((yield* events).map((e) => e.state), ["queued", "running", "paused", "queued", "running", "completed"])
    }).pipe(Effect.provide(allocatorOn())))

  it.effect("work that cannot be paused is not paused", () =>
    Effect.gen(function*() {
      const allocator = yield* Allocator
      const fiber = yield* Effect.forkChild(allocator.run(profile("job", 1), () => Effect.never), { startImmediately: true })
      yield* Effect.yieldNow
      const error = yield* Effect.flip(allocator.pause("job"))
      assert.strictEqual(error._tag, "InvalidOperationState")
      assert.strictEqual((yield* allocator.status("job")).state, "running")
      yield* Fiber.interrupt(fiber)
    }).pipe(Effect.provide(allocatorOn())))

  it.effect("cancel interrupts running work; its caller gets OperationCancelled", () =>
    Effect.gen(function*() {
      const allocator = yield* Allocator
      const fiber = yield* Effect.forkChild(allocator.run(profile("job", 3), () => Effect.never), { startImmediately: true })
      yield* Effect.yieldNow
      yield* allocator.cancel("job")
      const error = yield* Effect.flip(Fiber.join(fiber))
      assert.strictEqual(error._tag, "OperationCancelled")
      assert.strictEqual((yield* allocator.status("job")).state, "cancelled")
      assert.deepStrictEqual((yield* allocator.budget).granted, { memory: 0, cores: 0 })
    }).pipe(Effect.provide(allocatorOn())))

  it.effect("cancel removes waiting work from the queue", () =>
    Effect.gen(function*() {
      const allocator = yield* Allocator
      const blocker = yield* hold("blocker", 8)
      const fiber = yield* Effect.forkChild(allocator.run(profile("job", 3), () => Effect.void), { startImmediately: true })
      yield* Effect.yieldNow
      yield* allocator.cancel("job")
      assert.strictEqual((yield* Effect.flip(Fiber.join(fiber)))._tag, "OperationCancelled")
      assert.strictEqual((yield* allocator.budget).queueLength, 0)
      yield* blocker.release
    }).pipe(Effect.provide(allocatorOn())))

  it.effect("interrupting the caller cancels the operation and returns its grant", () =>
    Effect.gen(function*() {
      const allocator = yield* Allocator
      const fiber = yield* Effect.forkChild(allocator.run(profile("job", 3), () => Effect.never), { startImmediately: true })
      yield* Effect.yieldNow
      yield* Fiber.interrupt(fiber)
      assert.strictEqual((yield* allocator.status("job")).state, "cancelled")
      assert.deepStrictEqual((yield* allocator.budget).granted, { memory: 0, cores: 0 })
    }).pipe(Effect.provide(allocatorOn())))

  it.effect("queue then start, as the spec's queueOperation/startOperation", () =>
    Effect.gen(function*() {
      const allocator = yield* Allocator
      yield* allocator.queue(profile("generateProof", 1, { canBePaused: true }), () => Effect.never)
      assert.strictEqual((yield* allocator.status("generateProof")).state, "queued")
      const allocation = yield* allocator.start("generateProof")
      assert.strictEqual(allocation.memory, GiB)
      assert.strictEqual((yield* allocator.status("generateProof")).state, "running")
      yield* allocator.pause("generateProof")
      yield* allocator.resume("generateProof")
      yield* Effect.yieldNow
      assert.strictEqual((yield* allocator.status("generateProof")).restarts, 1)
      yield* allocator.cancel("generateProof")
      assert.strictEqual((yield* allocator.status("generateProof")).state, "cancelled")
      assert.strictEqual((yield* Effect.flip(allocator.status("nope")))._tag, "UnknownOperation")
    }).pipe(Effect.provide(allocatorOn())))
})

describe("spans", () => {
  /** Runs `effect` with a tracer that records every span it makes. */
  const traced = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
    Effect.gen(function*() {
      const spans: Array<Tracer.NativeSpan> = []
      const tracer = Tracer.make({
        span: (options) => {
          const span = new Tracer.NativeSpan(options)
          spans.push(span)
          return span
        }
      })
      const value = yield* Effect.withTracer(effect, tracer)
      return { value, spans }
    })
  const attributesOf = (spans: ReadonlyArray<Tracer.NativeSpan>, name: string) =>
    spans.filter((s) => s.name === name).map((s) => Object.fromEntries(s.attributes))

  it.effect("run and allocate spans say what was granted and how long it waited, queued or not", () =>
    Effect.gen(function*() {
      const allocator = yield* Allocator
      const { spans } = yield* traced(Effect.gen(function*() {
        const first = yield* hold("first", 6, { priority: "high" })
        const waiting = yield* Effect.forkChild(allocator.run(profile("waiting", 4, { cores: 2 }), () => Effect.void), {
          startImmediately: true
        })
        yield* TestClock.adjust("3 seconds")
        yield* first.release
        yield* Fiber.join(waiting)
        yield* allocator.run(profile("direct", 1), () => Effect.void)
      }))
      assert.deepStrictEqual(attributesOf(spans, "ResourceAllocator.allocate"), [{
        "provident.priority": "high",
        "provident.requested_memory": 6 * GiB,
        "provident.requested_cores": 1,
        "provident.granted_memory": 6 * GiB,
        "provident.granted_cores": 1,
        "provident.waited_ms": 0,
        "provident.decision": "admitted"
      }])
      assert.deepStrictEqual(attributesOf(spans, "ResourceAllocator.run"), [
        {
          "provident.priority": "medium",
          "provident.requested_memory": 4 * GiB,
          "provident.requested_cores": 2,
          "provident.granted_memory": 4 * GiB,
          "provident.granted_cores": 2,
          "provident.waited_ms": 3000,
          "provident.decision": "admitted"
        },
        {
          "provident.priority": "medium",
          "provident.requested_memory": GiB,
          "provident.requested_cores": 1,
          "provident.granted_memory": GiB,
          "provident.granted_cores": 1,
          "provident.waited_ms": 0,
          "provident.decision": "admitted"
        }
      ])
      for (const span of spans.filter((s) => s.name.startsWith("ResourceAllocator."))) {
        assert.strictEqual(span.status._tag, "Ended", `${span.name} ended`)
      }
    }).pipe(Effect.provide(allocatorOn())))

  it.effect("a refused admission is a span too: what was asked and why it was refused", () =>
    Effect.gen(function*() {
      const allocator = yield* Allocator
      const { spans } = yield* traced(Effect.gen(function*() {
        yield* Effect.flip(Effect.scoped(allocator.allocate(profile("huge", 9, { priority: "low" }))))
        const blocker = yield* hold("blocker", 8)
        const waiting = yield* Effect.forkChild(allocator.run(profile("waiting", 1), () => Effect.void), { startImmediately: true })
        const error = yield* Effect.flip(allocator.run(profile("over", 1), () => Effect.void))
        assert.strictEqual(error._tag, "QueueFull")
        yield* blocker.release
        yield* Fiber.join(waiting)
      }))
      const refused = (name: string) =>
        attributesOf(spans.filter((s) => s.status._tag === "Ended" && s.status.exit._tag === "Failure"), name)
      assert.deepStrictEqual(refused("ResourceAllocator.allocate"), [{
        "provident.priority": "low",
        "provident.requested_memory": 9 * GiB,
        "provident.requested_cores": 1,
        "provident.decision": "denied"
      }])
      assert.deepStrictEqual(refused("ResourceAllocator.run"), [{
        "provident.priority": "medium",
        "provident.requested_memory": GiB,
        "provident.requested_cores": 1,
        "provident.decision": "queue-full"
      }])
    }).pipe(Effect.provide(allocatorOn(testbox, { queueCapacity: 1 }))))

  it.effect("the body runs under the run span", () =>
    Effect.gen(function*() {
      const allocator = yield* Allocator
      const { spans } = yield* traced(allocator.run(profile("job", 1), () => Effect.void.pipe(Effect.withSpan("body"))))
      const run = spans.find((s) => s.name === "ResourceAllocator.run")!
      const body = spans.find((s) => s.name === "body")!
      assert.strictEqual(body.parent._tag === "Some" ? body.parent.value : undefined, run)
    }).pipe(Effect.provide(allocatorOn())))
})

describe("metrics", () => {
  const gauges = Effect.all({
    memory: Metric.value(metrics.allocatorGrantedMemory),
    cores: Metric.value(metrics.allocatorGrantedCores),
    queued: Metric.value(metrics.allocatorQueueLength),
    running: Metric.value(metrics.allocatorRunning)
  }).pipe(Effect.map((g) => ({ memory: g.memory.value / GiB, cores: g.cores.value, queued: g.queued.value, running: g.running.value })))
  const count = (metric: Metric.Metric<number, unknown>) =>
    Metric.value(metric).pipe(Effect.map((s) => (s as Metric.CounterState<number>).count))

  it.effect("admissions count by priority; gauges follow what is granted, queued and running", () =>
    Effect.gen(function*() {
      const allocator = yield* Allocator
      const first = yield* hold("first", 6, { priority: "high" })
      const waiting = yield* Effect.forkChild(allocator.run(profile("waiting", 4, { cores: 2 }), () => Effect.never), { startImmediately: true })
      yield* Effect.yieldNow
      assert.deepStrictEqual(yield* gauges, { memory: 6, cores: 1, queued: 1, running: 1 })
      yield* first.release
      yield* Effect.yieldNow
      assert.deepStrictEqual(yield* gauges, { memory: 4, cores: 2, queued: 0, running: 1 })
      assert.strictEqual(yield* count(metrics.allocatorAdmissions("high")), 1)
      assert.strictEqual(yield* count(metrics.allocatorAdmissions("medium")), 1)
      yield* Fiber.interrupt(waiting)
      assert.deepStrictEqual(yield* gauges, { memory: 0, cores: 0, queued: 0, running: 0 })
      assert.strictEqual(yield* count(metrics.allocatorCancellations), 1)
      yield* Effect.flip(Effect.scoped(allocator.allocate(profile("huge", 9))))
      assert.strictEqual(yield* count(metrics.allocatorDenials("oversized-memory")), 1)
    }).pipe(Effect.provide(allocatorOn()), Effect.provideService(Metric.MetricRegistry, new Map())))

  it.effect("the gauges are read when metrics are read, and leave with the allocator", () =>
    Effect.gen(function*() {
      const series = Metric.snapshot.pipe(
        Effect.map((all) => all.filter((m) => m.id.startsWith("provident_allocator_")).map((m) => m.id).sort())
      )
      const scope = yield* Scope.make()
      const context = yield* Layer.buildWithScope(allocatorOn(), scope)
      const allocator = Context.get(context, Allocator)
      yield* Scope.provide(allocator.allocate(profile("held", 2)), scope)
      assert.deepStrictEqual((yield* gauges).memory, 2)
      assert.deepStrictEqual(yield* series, [
        "provident_allocator_admissions_total",
        "provident_allocator_granted_cores",
        "provident_allocator_granted_memory_bytes",
        "provident_allocator_queue_length",
        "provident_allocator_running"
      ])
      yield* Scope.close(scope, Exit.void)
      assert.deepStrictEqual(yield* series, ["provident_allocator_admissions_total"])
    }).pipe(Effect.provideService(Metric.MetricRegistry, new Map())))

  it.effect("with two allocators over one registry each gauge is their sum; the series leave with the last", () =>
    Effect.gen(function*() {
      const open = Effect.gen(function*() {
        const scope = yield* Scope.make()
        const allocator = Context.get(yield* Layer.buildWithScope(allocatorOn(), scope), Allocator)
        return { allocator, scope }
      })
      const first = yield* open
      const second = yield* open
      yield* Scope.provide(first.allocator.allocate(profile("one", 2)), first.scope)
      yield* Scope.provide(second.allocator.allocate(profile("two", 3)), second.scope)
      assert.deepStrictEqual(yield* gauges, { memory: 5, cores: 2, queued: 0, running: 2 })
      yield* Scope.close(first.scope, Exit.void)
      assert.deepStrictEqual(yield* gauges, { memory: 3, cores: 1, queued: 0, running: 1 })
      yield* Scope.close(second.scope, Exit.void)
      const left = (yield* Metric.snapshot).filter((m) => m.id === "provident_allocator_granted_memory_bytes")
      assert.deepStrictEqual(left, [])
    }).pipe(Effect.provideService(Metric.MetricRegistry, new Map())))
})
