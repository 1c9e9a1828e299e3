/**
 * The demo page: Provident's browser layers on a `ManagedRuntime`, live
 * readings from the monitor, the allocator's budget and operations, and a
 * Groth16 proof of the smallest example circuit (`square-1000`) run by the
 * adaptive executor in a Web Worker, with progress, cancellation and a
 * "verified" badge. Serve it with `npx vite packages/browser/demo`.
 */
import { BrowserArtifacts, BrowserProvident, BrowserSnarkjsProver } from "@provident/browser"
import { AdaptiveExecutor, Priority, ProofComputation, Prover, ResourceAllocator, ResourceMonitor } from "@provident/core"
import { Effect, Fiber, Layer, ManagedRuntime, Option, Schedule, Schema, Stream } from "effect"
import wasmUrl from "../../examples/circuits/build/square-1000/circuit.wasm?url"
import zkeyUrl from "../../examples/circuits/build/square-1000/groth16.zkey?url"
import vkeyUrl from "../../examples/circuits/build/square-1000/groth16.vkey.json?url"
import manifestUrl from "../../examples/circuits/build/square-1000/manifest.json?url"
import * as view from "./view.ts"

const runtime = ManagedRuntime.make(Layer.mergeAll(
  BrowserProvident.layer({ monitor: { sampleInterval: 1000 }, storage: { databaseName: "provident-demo" } }),
  BrowserSnarkjsProver.layer()
))

// Vite renames assets when it builds the page: each file's URL comes from its own import.
const urls: Record<string, string> = { "circuit.wasm": wasmUrl, "groth16.zkey": zkeyUrl, "groth16.vkey.json": vkeyUrl }
const loadCircuit = BrowserArtifacts.load(manifestUrl, { url: (name) => urls[name] ?? name })

/** The readings, the budget and the workers, on every sample. */
const watch = Effect.gen(function*() {
  const monitor = yield* ResourceMonitor.ResourceMonitor
  const allocator = yield* ResourceAllocator.ResourceAllocator
  const prover = yield* BrowserSnarkjsProver.BrowserSnarkjsProver
  view.device(monitor.device)
  const refresh = Effect.gen(function*() {
    view.snapshot(yield* monitor.latest, yield* monitor.systemLoad)
    view.budget(yield* allocator.budget)
    view.workers(yield* prover.workers)
  })
  yield* allocator.operations.pipe(Stream.runForEach((event) => Effect.sync(() => view.operation(event))), Effect.forkChild)
  yield* refresh.pipe(Effect.ignore, Effect.repeat(Schedule.spaced("250 millis")))
})

let proofs = 0
const decodePriority = Schema.decodeUnknownOption(Priority.Priority)

/** One proof of a fresh random input, which never leaves this function but for the prover's worker. */
const prove = (circuit: Prover.CircuitArtifacts, priority: Priority.Priority) =>
  Effect.gen(function*() {
    const executor = yield* AdaptiveExecutor.AdaptiveExecutor
    const prover = yield* Prover.Prover
    const id = `demo-proof-${++proofs}`
    const input = { x: (BigInt(crypto.getRandomValues(new Uint32Array(1))[0]!) + 2n).toString() }
    yield* executor.progressChanges(id).pipe(
      Stream.runForEach((p) => Effect.sync(() => view.progress(p.phase, p.percent))),
      Effect.forkChild({ startImmediately: true })
    )
    const result = yield* executor.execute(id, ProofComputation.computation(circuit, "groth16", input), ProofComputation.defaultProfile(circuit), priority, {
      circuit: { circuitId: circuit.id, circuitFamily: circuit.family, prover: "groth16" },
      fatal: ProofComputation.isFatal
    })
    // The executor verified it already; the badge checks once more, against the verification key.
    const verified = result.success && result.result !== undefined && (yield* prover.verify(circuit, result.result.proof))
    view.finished(result, verified)
  }).pipe(
    Effect.onInterrupt(() => Effect.sync(() => void (view.elements.status.textContent = "cancelled: the worker was terminated"))),
    Effect.ensuring(Effect.sync(() => view.proving(false)))
  )

const main = Effect.gen(function*() {
  yield* Effect.forkChild(watch)
  const circuit = yield* loadCircuit
  view.elements.status.textContent = `ready: ${circuit.id}, ${circuit.constraints} constraints (insecure demo keys)`
  view.elements.prove.disabled = false
  let running: Fiber.Fiber<void, unknown> | undefined
  view.elements.prove.addEventListener("click", () => {
    view.proving(true)
    // Under critical pressure the allocator starts only critical work: the other priorities wait their turn.
    const priority = Option.getOrElse(decodePriority(view.elements.priority.value), () => "high" as const)
    running = runtime.runFork(prove(circuit, priority))
  })
  view.elements.cancel.addEventListener("click", () => {
    if (running !== undefined) runtime.runFork(Fiber.interrupt(running))
  })
  return yield* Effect.never
})

runtime.runFork(main.pipe(Effect.catchCause((cause) => Effect.sync(() => void (view.elements.status.textContent = `failed to start: ${cause}`)))))
