/**
 * Real proofs in real Web Workers in headless Chromium, on the committed
 * example circuits: `square-1000` (1001 constraints) for most, `square-4000`
 * where a proof must last long enough to be cancelled midway.
 */
import { assert, describe, it, layer } from "@effect/vitest"
import { Prover } from "@provident/core"
import type { ProverError } from "@provident/core/ProverError"
import { Deferred, Effect, Fiber, Schedule } from "effect"
import { commands } from "vitest/browser"
import * as BrowserSnarkjsProver from "../src/BrowserSnarkjsProver.ts"
import { circuitUrl, loadCircuit, PRIME, squares } from "./fixtures.ts"

/** Waits until Chromium itself no longer reports a worker at `url` (termination is asynchronous for it). */
const gone = (predicate: (urls: ReadonlyArray<string>) => boolean) =>
  Effect.promise(() => commands.liveWorkers()).pipe(
    Effect.repeat({ schedule: Schedule.spaced("50 millis"), until: predicate }),
    Effect.timeout("3 seconds")
  )

layer(BrowserSnarkjsProver.layer(), { excludeTestServices: true })("BrowserSnarkjsProver", (it) => {
  it.effect("proves with Groth16 and PLONK from one witness in Web Workers; the proofs verify, a tampered one does not", () =>
    Effect.gen(function*() {
      const prover = yield* Prover.Prover
      const circuit = yield* loadCircuit("square-1000")
      const phases: Array<Prover.Progress> = []
      const limits = { cores: 2, onProgress: (p: Prover.Progress) => phases.push(p) }
      const { witness } = yield* prover.computeWitness(circuit, { x: 3 }, limits)
      assert.isAbove(witness.length, 1000 * 32, "one field element per wire")
      for (const protocol of ["groth16", "plonk"] as const) {
        const { proof, usage } = yield* prover.prove(circuit, protocol, witness, limits)
        assert.strictEqual(proof.protocol, protocol)
        assert.deepStrictEqual(proof.publicSignals, [squares(3n, 1000)])
        assert.strictEqual(usage.threads, 2)
        assert.isTrue(yield* prover.verify(circuit, proof), `${protocol} verifies`)
        assert.isFalse(yield* prover.verify(circuit, { ...proof, publicSignals: [squares(5n, 1000)] }), `${protocol} rejects a tampered signal`)
      }
      assert.deepStrictEqual(phases.filter((p) => p.phase === "witness").map((p) => p.percent), [0, 100])
      const proving = phases.filter((p) => p.phase === "proving").map((p) => p.percent)
      assert.strictEqual(proving.filter((p) => p === 100).length, 2)
      assert.isAbove(new Set(proving).size, 4, "intermediate progress from snarkjs's stages")
    }), 60_000)

  it.effect("threads follow the grant: 1 is single-threaded, more is bounded by the browser's cores", () =>
    Effect.gen(function*() {
      const prover = yield* Prover.Prover
      const circuit = yield* loadCircuit("square-1000")
      const { witness } = yield* prover.computeWitness(circuit, { x: 7 }, { cores: 1 })
      const one = yield* prover.prove(circuit, "groth16", witness, { cores: 1 })
      const many = yield* prover.prove(circuit, "groth16", witness, { cores: 64 })
      assert.strictEqual(one.usage.threads, 1)
      assert.strictEqual(many.usage.threads, navigator.hardwareConcurrency)
      assert.isTrue(yield* prover.verify(circuit, one.proof))
      // The witness stays the caller's: it was copied to the workers, not transferred away.
      assert.isAbove(witness.byteLength, 0)
    }), 60_000)

  it.effect("the worker's bound is what sizes snarkjs's pool, not the machine's cores", () =>
    Effect.gen(function*() {
      const prover = yield* BrowserSnarkjsProver.BrowserSnarkjsProver
      const circuit = yield* loadCircuit("square-1000")
      const { witness } = yield* prover.computeWitness(circuit, { x: 9 }, { cores: 1 })
      // The page pretends to have 8 cores, so a grant of 3 passes its clamp; each worker really has 2.
      yield* Effect.acquireRelease(
        Effect.sync(() => Object.defineProperty(navigator, "hardwareConcurrency", { value: 8, configurable: true })),
        () => Effect.sync(() => Reflect.deleteProperty(navigator, "hardwareConcurrency"))
      )
      const sawThree = yield* Deferred.make<ReadonlyArray<string>>()
      const three = yield* prover.prove(circuit, "groth16", witness, {
        cores: 3,
        onProgress: (p) => void (p.percent === 30 && commands.liveWorkers().then((urls) => Deferred.doneUnsafe(sawThree, Effect.succeed(urls))))
      })
      assert.strictEqual(three.usage.threads, 3, "ffjavascript built a pool of 3 in a worker whose browser reports 2 cores")
      const urls = yield* Deferred.await(sawThree)
      assert.strictEqual(urls.filter((url) => url.startsWith("blob:")).length, 3, "three sub-workers, as Chromium reports them")
    }), 60_000)

  it.effect("cancelling mid-proof terminates the worker and its sub-workers; nothing is left running", () =>
    Effect.gen(function*() {
      const prover = yield* BrowserSnarkjsProver.BrowserSnarkjsProver
      const circuit = yield* loadCircuit("square-4000")
      const { witness } = yield* prover.computeWitness(circuit, { x: 11 }, { cores: 2 })
      const midway = yield* Deferred.make<void>()
      const fiber = yield* Effect.forkChild(prover.prove(circuit, "groth16", witness, {
        cores: 2,
        onProgress: (p) => p.percent >= 30 && Deferred.doneUnsafe(midway, Effect.void)
      }))
      yield* Deferred.await(midway)
      const busy = (yield* prover.workers).filter((w) => w.busy)
      assert.deepStrictEqual(busy.map((w) => w.job), [{ phase: "proving", circuit: "square-4000", threads: 2 }])
      const before = yield* Effect.promise(() => commands.liveWorkers())
      assert.strictEqual(before.filter((url) => url.startsWith("blob:")).length, 2, "snarkjs's two sub-workers, as Chromium reports them")
      const exit = yield* Fiber.interrupt(fiber).pipe(Effect.andThen(Fiber.await(fiber)))
      assert.strictEqual(exit._tag, "Failure")
      assert.isFalse((yield* prover.workers).some((w) => w.busy || w.id === busy[0]!.id), "the prover forgot it at once")
      const after = yield* gone((urls) => urls.every((url) => !url.startsWith("blob:")) && urls.length <= 1)
      assert.isAtMost(after.length, 1, "only the warm worker is left, idle, snarkjs not loaded")
    }), 60_000)

  it.effect("an input the circuit rejects is InvalidWitnessInput, and no message carries the input", () =>
    Effect.gen(function*() {
      const prover = yield* Prover.Prover
      const circuit = yield* loadCircuit("square-1000")
      const zero = yield* Effect.flip(prover.computeWitness(circuit, { x: PRIME.toString() }, { cores: 1 }))
      assert.deepStrictEqual([zero.reason, zero.phase, zero.circuit], ["InvalidWitnessInput", "witness", "square-1000"])
      assert.match(zero.message, /assertion failed \(template Squares_0, line \d+\)/)
      assert.notInclude(zero.message, PRIME.toString())
      const garbage = yield* Effect.flip(prover.computeWitness(circuit, { x: "98765432123456789xyz" }, { cores: 1 }))
      assert.strictEqual(garbage.reason, "InvalidWitnessInput")
      assert.notInclude(garbage.message, "98765432123456789")
      const unclonable = yield* Effect.flip(prover.computeWitness(circuit, { x: () => 98765 }, { cores: 1 }))
      assert.strictEqual(unclonable.reason, "InvalidWitnessInput")
      assert.notInclude(unclonable.message, "98765")
    }), 60_000)

  it.effect("missing or mismatched artifacts are ArtifactUnavailable", () =>
    Effect.gen(function*() {
      const prover = yield* Prover.Prover
      const small = yield* loadCircuit("square-1000")
      const large = yield* loadCircuit("square-16000")
      const { witness } = yield* prover.computeWitness(small, { x: 3 }, { cores: 1 })
      // Another hash, so that no cached copy answers for the missing URLs.
      const moved = { ...small, hash: "moved", wasm: circuitUrl("nowhere/circuit.wasm"), keys: { groth16: { zkey: circuitUrl("nowhere/g.zkey"), vkey: "x" } } }
      const reasons = yield* Effect.forEach([
        prover.prove(large, "plonk", witness, { cores: 1 }), // no PLONK keys for 16k
        prover.prove(large, "groth16", witness, { cores: 1 }), // another circuit's witness
        prover.prove(moved, "groth16", witness, { cores: 1 }),
        prover.computeWitness(moved, { x: 3 }, { cores: 1 })
      ] as ReadonlyArray<Effect.Effect<unknown, ProverError>>, (effect) => Effect.map(Effect.flip(effect), (e) => e.reason))
      assert.deepStrictEqual(reasons, ["ArtifactUnavailable", "ArtifactUnavailable", "ArtifactUnavailable", "ArtifactUnavailable"])
    }), 60_000)
})

describe("BrowserSnarkjsProver artifacts and failures", () => {
  it.live("artifacts are fetched once per content hash, then served from the Cache API", () =>
    Effect.gen(function*() {
      const fetched: Array<string> = []
      const cacheName = `provident-test-${Math.random()}`
      const prover = yield* BrowserSnarkjsProver.make({
        cacheName,
        warm: 0,
        fetch: (input, init) => (fetched.push(String(input)), fetch(input, init))
      })
      const circuit = yield* loadCircuit("square-1000")
      yield* prover.computeWitness(circuit, { x: 2 }, { cores: 1 })
      yield* prover.computeWitness(circuit, { x: 3 }, { cores: 1 })
      // The same build under another URL: the hash says it is the same file.
      yield* prover.computeWitness({ ...circuit, wasm: `${circuit.wasm}?elsewhere` }, { x: 4 }, { cores: 1 })
      assert.deepStrictEqual(fetched, [circuit.wasm])
      const cached = yield* Effect.promise(() => caches.open(cacheName).then((c) => c.keys()))
      assert.strictEqual(cached.length, 1)
      yield* Effect.promise(() => caches.delete(cacheName))
    }).pipe(Effect.scoped), 60_000)

  it.live("a worker that dies is WorkerCrashed; a reply that does not decode is refused; neither quotes anything", () =>
    Effect.gen(function*() {
      const circuit = yield* loadCircuit("square-1000")
      // Warm: the idle worker dies while it waits, is passed over, and the fresh one dies too.
      const crashing = yield* BrowserSnarkjsProver.make({
        makeWorker: () => new Worker(new URL("./workers/crashingWorker.ts", import.meta.url), { type: "module" })
      })
      yield* Effect.sleep("1 second")
      const crashed = yield* Effect.flip(crashing.computeWitness(circuit, { x: 12345 }, { cores: 1 }))
      assert.deepStrictEqual([crashed.reason, crashed.phase], ["WorkerCrashed", "witness"])
      assert.notInclude(crashed.message, "12345")
      assert.isFalse((yield* crashing.workers).some((w) => w.busy), "the dead worker was terminated and forgotten")
      const lying = yield* BrowserSnarkjsProver.make({
        warm: 0,
        makeWorker: () => new Worker(new URL("./workers/garbageWorker.ts", import.meta.url), { type: "module" })
      })
      const refused = yield* Effect.flip(lying.computeWitness(circuit, { x: 3 }, { cores: 1 }))
      assert.strictEqual(refused.reason, "WorkerCrashed")
    }).pipe(Effect.scoped), 60_000)

  it.live("closing the layer terminates every worker, warm or busy", () =>
    Effect.gen(function*() {
      const ids = yield* Effect.scoped(Effect.gen(function*() {
        const prover = yield* BrowserSnarkjsProver.make({ warm: 2 })
        const workers = yield* prover.workers
        assert.deepStrictEqual(workers.map((w) => w.busy), [false, false])
        return workers.length
      }))
      assert.strictEqual(ids, 2)
      const urls = yield* gone((urls) => urls.every((url) => !url.includes("proverWorker")))
      assert.isFalse(urls.some((url) => url.includes("proverWorker")))
    }), 60_000)
})
