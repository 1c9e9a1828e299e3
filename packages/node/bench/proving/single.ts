/**
 * The single-proof overhead of the proving benchmark, in a process of its
 * own: one proof of square-4000 made directly with snarkjs (in this
 * process, its curve warm) and one made through Provident (executor,
 * allocator, a warm prover child), alternately, `SINGLE_RUNS` times each,
 * the order swapped every round. Alternating in one process puts both under
 * the same machine load; both verify their proof. Prints one JSON line:
 * `{ directMs, managedMs }` (medians).
 */
import { AdaptiveExecutor, ProofComputation } from "@provident/core"
import type { CircuitArtifacts } from "@provident/core/Prover"
import { Effect, Layer } from "effect"
import * as fs from "node:fs"
import * as snarkjs from "snarkjs"
import * as NodeProvident from "../../src/NodeProvident.ts"
import * as NodeSnarkjsProver from "../../src/NodeSnarkjsProver.ts"
import { inputFor, median, SINGLE_RUNS } from "./jobs.ts"

const circuits = JSON.parse(process.argv[2]!) as Record<string, CircuitArtifacts>
const groth16 = snarkjs.groth16 as unknown as {
  fullProve: (input: unknown, wasm: string, zkey: string) => Promise<{ proof: unknown; publicSignals: Array<string> }>
  verify: (vkey: unknown, publicSignals: Array<string>, proof: unknown) => Promise<boolean>
}

const direct = (size: number, i: number) =>
  Effect.promise(async () => {
    const circuit = circuits[size]!
    const { proof, publicSignals } = await groth16.fullProve(inputFor(i), circuit.wasm, circuit.keys.groth16!.zkey)
    const vkey: unknown = JSON.parse(await fs.promises.readFile(circuit.keys.groth16!.vkey, "utf8"))
    if (!(await groth16.verify(vkey, publicSignals, proof))) throw new Error(`a direct proof of ${circuit.id} did not verify`)
  })

const timed = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const start = performance.now()
    yield* effect
    return performance.now() - start
  })

const main = Effect.gen(function*() {
  const executor = yield* AdaptiveExecutor.AdaptiveExecutor
  const managed = (size: number, i: number) =>
    executor.execute(`single-${i}`, ProofComputation.computation(circuits[size]!, "groth16", inputFor(i)),
      ProofComputation.defaultProfile(circuits[size]!), "high", { strategies: ["FULL_COMPUTATION"] }).pipe(
        Effect.tap((r) => (r.success ? Effect.void : Effect.die(new Error(JSON.stringify(r.attempts)))))
      )
  yield* Effect.sleep("2 seconds") // the warm children load snarkjs
  yield* direct(1000, 99) // warm: this process's curve and thread pool
  yield* managed(1000, 99) // warm: a child's first job
  const directMs: Array<number> = []
  const managedMs: Array<number> = []
  for (let i = 0; i < SINGLE_RUNS; i++) {
    const d = () => timed(direct(4000, 80 + i)).pipe(Effect.map((ms) => void directMs.push(ms)))
    const m = () => timed(managed(4000, 80 + i)).pipe(Effect.map((ms) => void managedMs.push(ms)))
    yield* (i % 2 === 0 ? Effect.andThen(d(), m()) : Effect.andThen(m(), d()))
  }
  return { directMs: median(directMs), managedMs: median(managedMs) }
}).pipe(
  Effect.provide(NodeProvident.layer({ executor: { retries: 0 }, predictor: { enableAutomaticModelUpdate: false } }).pipe(
    Layer.provideMerge(NodeSnarkjsProver.layer())
  ))
)

Effect.runPromise(main).then(
  async (result) => {
    await (globalThis as { curve_bn128?: { terminate: () => Promise<void> } }).curve_bn128?.terminate()
    console.log(JSON.stringify(result))
  },
  (error) => {
    console.error(error)
    process.exit(1)
  }
)
