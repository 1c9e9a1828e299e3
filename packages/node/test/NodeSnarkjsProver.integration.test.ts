/**
 * Real proofs in real child processes, on the committed example circuits:
 * `square-1000` (1001 constraints) for most, `square-16000` where a proof
 * must last long enough to be cancelled midway.
 */
import { assert, describe, it, layer } from "@effect/vitest"
import { Prover } from "@provident/core"
import type { ProverError } from "@provident/core/ProverError"
import { Deferred, Effect, Fiber, Layer } from "effect"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import * as Artifacts from "../src/Artifacts.ts"
import * as NodeSnarkjsProver from "../src/NodeSnarkjsProver.ts"
import { isAlive } from "./fixtures.ts"

const prebuilt = fileURLToPath(new URL("../../examples/circuits/build", import.meta.url))
const MiB = 2 ** 20
const PRIME = 21888242871839275222246405745257275088548364400416034343698204186575808495617n

const load = (id: string) => Effect.flatMap(Artifacts.Artifacts, (a) => a.load(path.join(prebuilt, id)))

/** `x^(2^n) mod p`: the public output of `Squares(n)`. */
const squares = (x: bigint, n: number) => {
  let y = x % PRIME
  for (let i = 0; i < n; i++) y = (y * y) % PRIME
  return y.toString()
}


const TestLayer = Layer.mergeAll(NodeSnarkjsProver.layer(), Artifacts.layer())

layer(TestLayer, { excludeTestServices: true })("NodeSnarkjsProver", (it) => {
  it.effect("proves with Groth16 and PLONK from one witness; the proofs verify, a tampered public signal does not", () =>
    Effect.gen(function*() {
      const prover = yield* Prover.Prover
      const circuit = yield* load("square-1000")
      const phases: Array<Prover.Progress> = []
      const limits = { cores: 2, onProgress: (p: Prover.Progress) => phases.push(p) }
      const { witness, usage } = yield* prover.computeWitness(circuit, { x: 3 }, limits)
      assert.isAbove(witness.length, 1000 * 32, "one field element per wire")
      assert.isAbove(usage.peakMemoryBytes ?? 0, 0)

      for (const protocol of ["groth16", "plonk"] as const) {
        const { proof } = yield* prover.prove(circuit, protocol, witness, limits)
        assert.strictEqual(proof.protocol, protocol)
        assert.deepStrictEqual(proof.publicSignals, [squares(3n, 1000)])
        assert.isTrue(yield* prover.verify(circuit, proof), `${protocol} verifies`)
        const tampered = { ...proof, publicSignals: [squares(5n, 1000)] }
        assert.isFalse(yield* prover.verify(circuit, tampered), `${protocol} rejects a tampered public signal`)
      }
      // The witness was computed once; both proofs reused it.
      assert.deepStrictEqual(phases.filter((p) => p.phase === "witness").map((p) => p.percent), [0, 100])
      const proving = phases.filter((p) => p.phase === "proving").map((p) => p.percent)
      assert.deepStrictEqual(proving.filter((p) => p === 100).length, 2)
      assert.isAbove(new Set(proving).size, 4, "intermediate progress from snarkjs's stages")
    }), 30_000)

  it.effect("a witness is a checkpoint: a later prove from its bytes alone needs no witness step", () =>
    Effect.gen(function*() {
      const prover = yield* Prover.Prover
      const circuit = yield* load("square-1000")
      let witnessSteps = 0
      const limits = { cores: 1, onProgress: (p: Prover.Progress) => void (p.phase === "witness" && p.percent === 0 && witnessSteps++) }
      const checkpoint = Uint8Array.from((yield* prover.computeWitness(circuit, { x: "0x1234" }, limits)).witness)
      // ... paused here: the allocator interrupts the fiber, the executor keeps the checkpoint ...
      const resumed = yield* prover.prove(circuit, "groth16", checkpoint, limits)
      assert.isTrue(yield* prover.verify(circuit, resumed.proof))
      assert.deepStrictEqual(resumed.proof.publicSignals, [squares(0x1234n, 1000)])
      assert.strictEqual(witnessSteps, 1)
    }), 30_000)

  it.effect("threads follow the granted cores (1 is single-threaded) and each job reports its own peak memory and CPU time", () =>
    Effect.gen(function*() {
      const prover = yield* Prover.Prover
      const circuit = yield* load("square-1000")
      const { witness } = yield* prover.computeWitness(circuit, { x: 7 }, { cores: 1 })
      const one = yield* prover.prove(circuit, "groth16", witness, { cores: 1 })
      const two = yield* prover.prove(circuit, "groth16", witness, { cores: 2 })
      assert.strictEqual(one.usage.threads, 1)
      assert.strictEqual(two.usage.threads, 2)
      for (const { usage } of [one, two]) {
        assert.isAbove(usage.peakMemoryBytes ?? 0, 50 * MiB, "a child with snarkjs loaded")
        assert.isBelow(usage.peakMemoryBytes ?? Infinity, 1024 * MiB)
        assert.isAbove(usage.durationMs, 0)
        assert.isAbove(usage.cpuMs ?? 0, 0, "the proof's own CPU time")
        // CPU time is bounded by wall time across the threads (plus scheduler slack).
        assert.isBelow(usage.cpuMs ?? Infinity, usage.durationMs * (usage.threads + 1) + 50)
      }
      assert.isTrue(yield* prover.verify(circuit, two.proof))
    }), 30_000)

  it.effect("cancelling mid-proof kills the child within a second", () =>
    Effect.gen(function*() {
      const prover = yield* NodeSnarkjsProver.NodeSnarkjsProver
      const circuit = yield* load("square-16000")
      const { witness } = yield* prover.computeWitness(circuit, { x: 11 }, { cores: 2 })
      const midway = yield* Deferred.make<void>()
      const fiber = yield* Effect.forkChild(
        prover.prove(circuit, "groth16", witness, { cores: 2, onProgress: (p) => p.percent >= 30 && Deferred.doneUnsafe(midway, Effect.void) })
      )
      yield* Deferred.await(midway)
      const busy = (yield* prover.children).filter((c) => c.role === "job").map((c) => c.pid)
      assert.strictEqual(busy.length, 1, "the proof's own child")
      assert.isTrue(isAlive(busy[0]!))
      const started = performance.now()
      const exit = yield* Fiber.interrupt(fiber).pipe(Effect.andThen(Fiber.await(fiber)))
      const elapsed = performance.now() - started
      assert.strictEqual(exit._tag, "Failure")
      assert.isBelow(elapsed, 1000, "interruption waits for the kill, and the kill is immediate")
      assert.isFalse(isAlive(busy[0]!), "the child is gone")
      assert.isTrue((yield* prover.children).every((c) => c.role !== "job"), "nothing is left running, only warm children wait")
    }), 30_000)

  it.effect("an input the circuit rejects is InvalidWitnessInput, and no message carries the input", () =>
    Effect.gen(function*() {
      const prover = yield* Prover.Prover
      const circuit = yield* load("square-1000")
      // x = p is 0 in the field: the non-zero check fails.
      const zero = yield* Effect.flip(prover.computeWitness(circuit, { x: PRIME.toString() }, { cores: 1 }))
      assert.deepStrictEqual([zero.reason, zero.phase, zero.circuit], ["InvalidWitnessInput", "witness", "square-1000"])
      assert.match(zero.message, /assertion failed \(template Squares_0, line \d+\)/)
      assert.notInclude(zero.message, PRIME.toString())
      const garbage = yield* Effect.flip(prover.computeWitness(circuit, { x: "98765432123456789xyz" }, { cores: 1 }))
      assert.strictEqual(garbage.reason, "InvalidWitnessInput")
      assert.notInclude(garbage.message, "98765432123456789")
      const unknown = yield* Effect.flip(prover.computeWitness(circuit, { x: 1, y: 2 }, { cores: 1 }))
      assert.strictEqual(unknown.reason, "InvalidWitnessInput")
    }), 30_000)

  it.effect("a heap too small to work in is OutOfMemory", () =>
    Effect.gen(function*() {
      const prover = yield* Prover.Prover
      const circuit = yield* load("square-1000")
      const error = yield* Effect.flip(prover.computeWitness(circuit, { x: 3 }, { cores: 1, memoryBytes: 10 * MiB }))
      assert.strictEqual(error.reason, "OutOfMemory")
      assert.include(error.message, "heap capped at 10 MiB")
    }), 30_000)

  it.effect("a child killed from outside is WorkerCrashed with the signal", () =>
    Effect.gen(function*() {
      const prover = yield* NodeSnarkjsProver.NodeSnarkjsProver
      const circuit = yield* load("square-16000")
      const { witness } = yield* prover.computeWitness(circuit, { x: 2 }, { cores: 2 })
      const started = yield* Deferred.make<void>()
      const fiber = yield* Effect.forkChild(
        prover.prove(circuit, "groth16", witness, { cores: 2, onProgress: (p) => p.percent > 0 && Deferred.doneUnsafe(started, Effect.void) })
      )
      yield* Deferred.await(started)
      const busy = (yield* prover.children).find((c) => c.role === "job")!
      process.kill(busy.pid, "SIGTERM")
      const error = yield* Effect.flip(Fiber.join(fiber))
      assert.deepStrictEqual([error.reason, error.phase], ["WorkerCrashed", "proving"])
      assert.include(error.message, "killed by SIGTERM")
    }), 30_000)

  it.effect("missing or mismatched artifacts are ArtifactUnavailable", () =>
    Effect.gen(function*() {
      const prover = yield* Prover.Prover
      const small = yield* load("square-1000")
      const large = yield* load("square-16000")
      const { witness } = yield* prover.computeWitness(small, { x: 3 }, { cores: 1 })
      const reasons = yield* Effect.forEach([
        prover.prove(large, "plonk", witness, { cores: 1 }), // no PLONK keys for 16k
        prover.prove(large, "groth16", witness, { cores: 1 }), // another circuit's witness
        prover.prove({ ...small, keys: { groth16: { zkey: "/nonexistent.zkey", vkey: "/nonexistent.json" } } }, "groth16", witness, { cores: 1 }),
        prover.computeWitness({ ...small, wasm: "/nonexistent.wasm" }, { x: 3 }, { cores: 1 })
      ] as ReadonlyArray<Effect.Effect<unknown, ProverError>>, (effect) => Effect.map(Effect.flip(effect), (e) => e.reason))
      assert.deepStrictEqual(reasons, ["ArtifactUnavailable", "ArtifactUnavailable", "ArtifactUnavailable", "ArtifactUnavailable"])
    }), 30_000)
})

describe("NodeSnarkjsProver lifetime", () => {
  it.live("closing the layer kills every child: warm and busy", () =>
    Effect.gen(function*() {
      const seen = new Set<number>()
      yield* Effect.scoped(Effect.gen(function*() {
        const context = yield* Layer.build(Layer.merge(NodeSnarkjsProver.layer({ warm: 2, warmLimits: { cores: 1 } }), Artifacts.layer()))
        const prover = yield* Effect.provide(NodeSnarkjsProver.NodeSnarkjsProver, context)
        const record = Effect.map(prover.children, (children) => children.forEach((c) => seen.add(c.pid)))
        const initial = yield* prover.children
        assert.deepStrictEqual(initial.map((c) => [c.role, c.threads]), [["warm", 1], ["warm", 1]])
        yield* record
        const circuit = yield* Effect.provide(load("square-1000"), context)
        const { witness } = yield* prover.computeWitness(circuit, { x: 3 }, { cores: 1 })
        const running = yield* Effect.forkChild(prover.prove(circuit, "groth16", witness, { cores: 1 }))
        yield* record
        const { proof } = yield* Fiber.join(running)
        assert.isTrue(yield* prover.verify(circuit, proof))
        const after = yield* prover.children
        assert.deepStrictEqual(after.map((c) => c.role), ["warm", "warm"], "an idle warm child verified: no process of its own")
        assert.sameMembers(after.map((c) => c.pid), initial.map((c) => c.pid))
        yield* record
        // A fiber still proving when the scope closes is stopped too.
        yield* Effect.forkChild(prover.prove(circuit, "groth16", witness, { cores: 1 }), { startImmediately: true })
        yield* record
      }))
      assert.isAtLeast(seen.size, 2)
      assert.deepStrictEqual([...seen].filter(isAlive), [], "no child outlives the layer")
    }), 30_000)

  it.live("with no idle child, verification has a child of its own, killed with the layer", () =>
    Effect.gen(function*() {
      let verifierPid: number | undefined
      yield* Effect.scoped(Effect.gen(function*() {
        const context = yield* Layer.build(Layer.merge(NodeSnarkjsProver.layer({ warm: 0 }), Artifacts.layer()))
        const prover = yield* Effect.provide(NodeSnarkjsProver.NodeSnarkjsProver, context)
        const circuit = yield* Effect.provide(load("square-1000"), context)
        const { witness } = yield* prover.computeWitness(circuit, { x: 3 }, { cores: 1 })
        const { proof } = yield* prover.prove(circuit, "groth16", witness, { cores: 1 })
        // The job's child went back to the pool (one idle child is kept even with warm: 0): a verification borrows it.
        assert.deepStrictEqual((yield* prover.children).map((c) => c.role), ["warm"])
        assert.isTrue(yield* prover.verify(circuit, proof))
        assert.deepStrictEqual((yield* prover.children).map((c) => c.role), ["warm"])
        // Two verifications at once: one idle child to borrow, so the other starts the verifier.
        const both = yield* Effect.all([prover.verify(circuit, proof), prover.verify(circuit, proof)], { concurrency: 2 })
        assert.deepStrictEqual(both, [true, true])
        verifierPid = (yield* prover.children).find((c) => c.role === "verifier")?.pid
        assert.isDefined(verifierPid, "a verifier child of its own")
      }))
      assert.isFalse(isAlive(verifierPid!), "the verifier does not outlive the layer")
    }), 30_000)

  it.live("a child that proved well serves the next job; one that failed is replaced", () =>
    Effect.gen(function*() {
      const context = yield* Layer.build(Layer.merge(NodeSnarkjsProver.layer({ warm: 1, warmLimits: { cores: 1 } }), Artifacts.layer()))
      const prover = yield* Effect.provide(NodeSnarkjsProver.NodeSnarkjsProver, context)
      const circuit = yield* Effect.provide(load("square-1000"), context)
      const pids = Effect.map(prover.children, (cs) => cs.filter((c) => c.role !== "verifier").map((c) => c.pid))
      const before = yield* pids
      const first = yield* prover.computeWitness(circuit, { x: 3 }, { cores: 1 })
      yield* prover.prove(circuit, "groth16", first.witness, { cores: 1 })
      assert.deepStrictEqual(yield* pids, before, "the same child, back in the pool")
      assert.isAbove(first.usage.peakMemoryBytes ?? 0, 50 * 1024 ** 2, "each job still reports its own peak")
      const failed = yield* Effect.flip(prover.computeWitness(circuit, { x: 0 }, { cores: 1 }))
      assert.strictEqual(failed.reason, "InvalidWitnessInput")
      assert.notInclude(yield* pids, before[0], "the child of a failed job is gone")
    }).pipe(Effect.scoped), 30_000)
})
