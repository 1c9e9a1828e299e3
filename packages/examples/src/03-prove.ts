/**
 * One real proof through the whole stack: the example circuit square-1000
 * (prebuilt, committed), admitted by the allocator, run by the executor
 * (witness and proving phases in prover child processes), verified.
 * Run it: `npm run example:03`.
 */
import { NodeRuntime } from "@effect/platform-node"
import { AdaptiveExecutor, ProofComputation } from "@provident/core"
import { Artifacts, NodeProvident, NodeSnarkjsProver } from "@provident/node"
import { Console, Effect, Layer, Stream } from "effect"
import * as circuits from "./circuits.ts"

const program = Effect.gen(function*() {
  const circuit = yield* Effect.flatMap(Artifacts.Artifacts, (a) => a.build(circuits.square(1000)))
  const executor = yield* AdaptiveExecutor.AdaptiveExecutor
  yield* executor.progressChanges("example-proof").pipe(
    Stream.runForEach((p) => Console.log(`${p.phase.padEnd(13)} ${String(Math.round(p.percent)).padStart(3)}%  ${p.strategy ?? ""}`)),
    Effect.forkScoped({ startImmediately: true })
  )
  const result = yield* executor.execute(
    "example-proof",
    ProofComputation.computation(circuit, "groth16", { x: "7" }),
    ProofComputation.defaultProfile(circuit),
    "high",
    { circuit: { circuitId: circuit.id, circuitFamily: circuit.family, prover: "snarkjs-groth16" } }
  )
  yield* Console.log(
    result.success
      ? `verified ${circuit.id} proof by ${result.strategy} in ${result.elapsedTime} ms, peak ${Math.round((result.resourcesUsed.peakMemory ?? 0) / 1024 ** 2)} MB; public signal ${result.result?.proof.publicSignals[0]?.slice(0, 12)}…`
      : `failed: ${JSON.stringify(result.attempts)}`
  )
})

program.pipe(
  Effect.scoped,
  Effect.provide(Layer.mergeAll(
    NodeProvident.layer().pipe(Layer.provideMerge(NodeSnarkjsProver.layer())),
    Artifacts.layer({ prebuilt: [circuits.prebuiltDirectory] })
  )),
  NodeRuntime.runMain
)
