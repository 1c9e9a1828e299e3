/**
 * The prover's children within a memory budget (`budgetBytes`), with real
 * children and real proofs: a job's child is charged its grant, idle warm
 * children and the verifier what they hold, and the idle ones make room.
 * The sum of the children's resident memory is sampled from `/proc` every
 * 10 ms throughout, as `provident serve`'s bench measures it.
 *
 * The figures: a fresh warm child holds ~105 MB; a 2-thread Groth16 proof of
 * square-16000 peaks at ~230 MB (within its 256 MiB grant), so beside an
 * idle child it would take the children over a 280 MiB budget.
 */
import { assert, describe, it } from "@effect/vitest"
import type { Prover } from "@provident/core"
import { Deferred, Effect, Fiber, Layer } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import * as Artifacts from "../src/Artifacts.ts"
import * as NodeSnarkjsProver from "../src/NodeSnarkjsProver.ts"
import { isAlive } from "./fixtures.ts"

const prebuilt = fileURLToPath(new URL("../../examples/circuits/build", import.meta.url))
const MiB = 2 ** 20
const BUDGET = 280 * MiB
/** A grant that covers a whole 2-thread square-16000 proving child; two of them, or one and an idle child, exceed `BUDGET`. */
const limits: Prover.Limits = { cores: 2, memoryBytes: 256 * MiB }

const rssOf = (pid: number) => {
  try {
    return Number(/VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) * 1024
  } catch {
    return 0
  }
}


interface Sample {
  readonly total: number
  readonly children: ReadonlyArray<NodeSnarkjsProver.ChildInfo & { readonly rss: number }>
}

/** Samples the prover's children (role, resident memory) every 10 ms until stopped. */
const watch = (prover: NodeSnarkjsProver.Service) => {
  const samples: Array<Sample> = []
  const timer = setInterval(() => {
    const children = Effect.runSync(prover.children).map((c) => ({ ...c, rss: rssOf(c.pid) }))
    samples.push({ total: children.reduce((a, c) => a + c.rss, 0), children })
  }, 10)
  return {
    stop: () => {
      clearInterval(timer)
      return samples
    }
  }
}

/** The roles of the children not being killed (an `exiting` child is gone within milliseconds; its memory still counts in `total`). */
const live = (s: Sample) => s.children.filter((c) => c.role !== "exiting").map((c) => c.role)

const peakOf = (samples: ReadonlyArray<Sample>) => Math.max(0, ...samples.map((s) => s.total))

const build = (options: NodeSnarkjsProver.Options) =>
  Effect.gen(function*() {
    const context = yield* Layer.build(Layer.merge(NodeSnarkjsProver.layer(options), Artifacts.layer()))
    const prover = yield* Effect.provide(NodeSnarkjsProver.NodeSnarkjsProver, context)
    const load = (id: string) => Effect.provide(Effect.flatMap(Artifacts.Artifacts, (a) => a.load(path.join(prebuilt, id))), context)
    return { prover, load }
  })

describe("NodeSnarkjsProver within a memory budget", () => {
  it.live("idle warm children are killed before a job's child starts: the children never hold more than the budget", () =>
    Effect.gen(function*() {
      const { load, prover } = yield* build({ warm: 2, warmLimits: { cores: 1 }, budgetBytes: BUDGET })
      const circuit = yield* load("square-16000")
      const initial = yield* prover.children
      // Two fresh children fit (a starting one is charged 128 MiB).
      assert.deepStrictEqual(initial.map((c) => c.role), ["warm", "warm"])
      yield* Effect.sleep("1500 millis") // they load snarkjs
      const idleRss = Math.min(...initial.map((c) => rssOf(c.pid)))

      const watching = watch(prover)
      // Another key (2 threads, a heap cap): a new child. Its grant and either idle child do not fit: both go first.
      const { usage, witness } = yield* prover.computeWitness(circuit, { x: 7 }, limits)
      const proved = yield* prover.prove(circuit, "groth16", witness, limits)
      const proof = proved.proof
      assert.isTrue(yield* prover.verify(circuit, proof), "verified on the job's child, back in the pool")
      const samples = watching.stop()

      assert.deepStrictEqual(initial.map((c) => c.pid).filter(isAlive), [], "the idle children were killed")
      const withJob = samples.filter((s) => s.children.some((c) => c.role === "job"))
      assert.isAbove(withJob.length, 10, "the job was sampled")
      for (const s of withJob) assert.deepStrictEqual(live(s), ["job"], `a job's child ran alone: ${JSON.stringify(s.children)}`)
      assert.isFalse(samples.some((s) => s.children.some((c) => c.role === "verifier")), "no verifier was started")
      // The job's child's own peak (its maxRSS), which 10 ms samples may miss.
      const jobPeak = Math.max(usage.peakMemoryBytes ?? 0, proved.usage.peakMemoryBytes ?? 0)
      assert.isAbove(jobPeak + idleRss, BUDGET, "keeping one idle child beside the job would have gone over the budget")
      assert.isAtMost(peakOf(samples), BUDGET)
      assert.deepStrictEqual((yield* prover.children).map((c) => c.role), ["warm"], "the job's child stays: it fits alone")
    }).pipe(Effect.scoped), 120_000)

  it.live("a verification with no room waits for the job's child instead of starting a verifier beside it", () =>
    Effect.gen(function*() {
      const { load, prover } = yield* build({ warm: 0, budgetBytes: BUDGET })
      const circuit = yield* load("square-4000")
      const { witness } = yield* prover.computeWitness(circuit, { x: 9 }, limits)
      const first = yield* prover.prove(circuit, "groth16", witness, limits)
      const [child] = yield* prover.children
      assert.strictEqual(child?.role, "warm")

      const watching = watch(prover)
      const midway = yield* Deferred.make<void>()
      const proving = yield* Effect.forkChild(
        prover.prove(circuit, "groth16", witness, { ...limits, onProgress: (p) => p.percent >= 20 && Deferred.doneUnsafe(midway, Effect.void) })
      )
      yield* Deferred.await(midway)
      // The job's child is busy, its grant and a new verifier do not fit: the verification waits for it.
      assert.isTrue(yield* prover.verify(circuit, first.proof))
      yield* Fiber.join(proving)
      const samples = watching.stop()

      assert.isFalse(samples.some((s) => s.children.some((c) => c.role === "verifier")), "no verifier was started")
      assert.deepStrictEqual((yield* prover.children).map((c) => [c.role, c.pid]), [["warm", child!.pid]], "one child did it all")
      assert.isAtMost(peakOf(samples), BUDGET)
    }).pipe(Effect.scoped), 120_000)

  it.live("the verifier is killed to make room for a job's grant", () =>
    Effect.gen(function*() {
      const { load, prover } = yield* build({ warm: 0, budgetBytes: BUDGET })
      const circuit = yield* load("square-1000")
      // Single-threaded: the child holds ~125 MB after it, so a starting verifier (128 MiB) fits beside it.
      const small = { ...limits, cores: 1 }
      const { witness } = yield* prover.computeWitness(circuit, { x: 5 }, small)
      const { proof } = yield* prover.prove(circuit, "groth16", witness, small)
      // Two at once: one borrows the idle child, the other starts the verifier (a small job's child and it fit).
      assert.deepStrictEqual(yield* Effect.all([prover.verify(circuit, proof), prover.verify(circuit, proof)], { concurrency: 2 }), [true, true])
      const verifier = (yield* prover.children).find((c) => c.role === "verifier")
      assert.isDefined(verifier, "a verifier of its own")

      const watching = watch(prover)
      yield* prover.prove(circuit, "groth16", witness, small)
      const samples = watching.stop()
      assert.isFalse(isAlive(verifier!.pid), "the verifier made room for the job's grant")
      for (const s of samples.filter((s) => s.children.some((c) => c.role === "job"))) assert.deepStrictEqual(live(s), ["job"], JSON.stringify(s.children))
      assert.isAtMost(peakOf(samples), BUDGET)
      // Needed again, it starts again: a verifier fits beside the small job's child.
      yield* Effect.all([prover.verify(circuit, proof), prover.verify(circuit, proof)], { concurrency: 2 })
      assert.sameMembers((yield* prover.children).map((c) => c.role), ["warm", "verifier"])
    }).pipe(Effect.scoped), 120_000)
})
