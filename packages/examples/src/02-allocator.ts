/**
 * The allocator on this machine: an immediate decision, priorities in the
 * queue, pause/resume/cancel of named operations, and a custom strategy.
 * Run it: `npm run example:02`.
 */
import { NodeRuntime } from "@effect/platform-node"
import { ResourceAllocator } from "@provident/core"
import { NodeProvident } from "@provident/node"
import { Console, Deferred, Effect, Fiber, Ref } from "effect"

const MiB = 1024 ** 2

// Two cores' worth of work on whatever this machine has: each job needs one core.
const job = (name: string, priority: "critical" | "high" | "medium" | "low" | "background", canBePaused = false) => ({
  name,
  priority,
  canBePaused,
  estimatedMemory: 64 * MiB,
  requiredResources: [{ type: "cpu" as const, minimumRequired: 1, recommended: 1, units: "cores" as const }]
})

const program = Effect.gen(function*() {
  const allocator = yield* ResourceAllocator.ResourceAllocator
  const budget = yield* allocator.budget
  yield* Console.log(`budget: ${(budget.memory / MiB).toFixed(0)} MiB, ${budget.cores} cores (${budget.why})`)

  // 1. An immediate decision, without queueing.
  const huge = yield* allocator.request({ name: "huge", estimatedMemory: 1024 * 1024 * MiB })
  yield* Console.log(`request 1 TiB: approved=${huge.approved}; ${huge.recommendations.join("; ")}`)

  // 2. Priorities: with every core taken, critical work queued after background work starts first.
  const order = yield* Ref.make<ReadonlyArray<string>>([])
  const release = yield* Deferred.make<void>()
  const blockers = yield* Effect.forEach(
    Array.from({ length: budget.cores }, (_, i) => i),
    (i) => Effect.forkChild(allocator.run(job(`blocker-${i}`, "high"), () => Deferred.await(release)), { startImmediately: true })
  )
  const later = (name: string, priority: "critical" | "background") =>
    Effect.forkChild(allocator.run(job(name, priority), () => Ref.update(order, (xs) => [...xs, name])), { startImmediately: true })
  const background = yield* later("background-report", "background")
  const critical = yield* later("critical-proof", "critical")
  yield* Deferred.succeed(release, undefined)
  yield* Fiber.joinAll([...blockers, background, critical])
  yield* Console.log(`admitted in order: ${(yield* Ref.get(order)).join(", ")}`)

  // 3. Pause, resume, cancel: pausing interrupts and frees; resuming restarts from the top.
  const done = yield* Deferred.make<void>()
  const proof = yield* Effect.forkChild(
    allocator.run(job("proof", "medium", true), (a) => Deferred.await(done).pipe(Effect.as(a.restarts))),
    { startImmediately: true }
  )
  yield* Effect.yieldNow
  yield* allocator.pause("proof")
  yield* Console.log(`proof is ${(yield* allocator.status("proof")).state}`)
  yield* allocator.resume("proof")
  yield* Effect.yieldNow
  yield* Deferred.succeed(done, undefined)
  yield* Console.log(`proof finished after ${yield* Fiber.join(proof)} restart(s)`)
  const doomed = yield* Effect.forkChild(allocator.run(job("doomed", "low"), () => Effect.never), { startImmediately: true })
  yield* Effect.yieldNow
  yield* allocator.cancel("doomed")
  const outcome = yield* Effect.flip(Fiber.join(doomed))
  yield* Console.log(`doomed: ${outcome._tag}`)
})

// A custom strategy: no background work while this example runs, 128 MiB and one core for the rest.
const custom = Effect.gen(function*() {
  const allocator = yield* ResourceAllocator.ResourceAllocator
  const batch = yield* allocator.request(job("nightly-batch", "background"))
  const interactive = yield* allocator.request(job("interactive", "high"))
  yield* Console.log(`custom: batch approved=${batch.approved} (${batch.reasons[0]?.message}); interactive granted ${interactive.allocatedMemory / MiB} MiB`)
}).pipe(Effect.provide(NodeProvident.layer({
  allocator: {
    strategy: "custom",
    customStrategy: ({ profile }) =>
      Effect.succeed(profile.priority === "background"
        ? { approved: false, reason: "no background work now" }
        : { approved: true, allocatedMemory: 128 * MiB, allocatedCores: 1 })
  }
})))

program.pipe(
  Effect.provide(NodeProvident.layer({ allocator: { strategy: "balanced" } })),
  Effect.andThen(custom),
  NodeRuntime.runMain
)
