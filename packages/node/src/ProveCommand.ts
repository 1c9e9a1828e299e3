/**
 * `provident prove <circuit> --input file.json`: one proof on this machine
 * through the whole Provident stack (the allocator admits it, the executor
 * picks the strategy, the prover runs it in a child process), with a
 * progress bar on stderr and the verified proof as JSON on stdout.
 *
 * @since 0.1.0
 */
import { AdaptiveExecutor, ProofComputation } from "@provident/core"
import type { Priority } from "@provident/core/Priority"
import type { Protocol } from "@provident/core/Prover"
import { ProofRequest } from "@provident/core/ProverApi"
import { Console, Effect, Layer, Schema, Stream } from "effect"
import * as fs from "node:fs"
import * as Artifacts from "./Artifacts.ts"
import * as CircuitsDir from "./internal/circuitsDir.ts"
import * as ProgressBar from "./internal/progressBar.ts"
import * as NodeProvident from "./NodeProvident.ts"
import * as NodeSnarkjsProver from "./NodeSnarkjsProver.ts"

export interface Options {
  readonly circuit: string
  readonly input: string
  readonly protocol: Protocol
  readonly priority: Priority
  readonly circuitsDir: string
}

const decodeInput = Schema.decodeUnknownEffect(ProofRequest.fields.input)

export const run = Effect.fn("Cli.prove")(function*(options: Options) {
  const text = yield* Effect.try({
    try: () => fs.readFileSync(options.input, "utf8"),
    catch: () => new Error(`cannot read the input file ${options.input}`)
  })
  // The message names the file, never its contents: the input is private.
  const input = yield* Effect.try({ try: () => JSON.parse(text) as unknown, catch: () => new Error(`${options.input} is not JSON`) }).pipe(
    Effect.flatMap((json) => decodeInput(json).pipe(Effect.mapError(() => new Error(`${options.input} is not a circuit input (signal names to numbers or decimal strings)`))))
  )
  const circuit = yield* CircuitsDir.loadOne(options.circuit, options.circuitsDir).pipe(Effect.provide(Artifacts.layer()))
  if (circuit.keys[options.protocol] === undefined) return yield* Effect.fail(new Error(`${circuit.id} has no ${options.protocol} keys`))

  const result = yield* Effect.gen(function*() {
    const executor = yield* AdaptiveExecutor.AdaptiveExecutor
    const bar = ProgressBar.make()
    const id = `prove-${circuit.id}`
    yield* executor.progressChanges(id).pipe(
      Stream.runForEach((p) => Effect.sync(() => bar.update(p.phase, p.percent))),
      Effect.forkScoped({ startImmediately: true })
    )
    const result = yield* executor.execute(id, ProofComputation.computation(circuit, options.protocol, input),
      ProofComputation.defaultProfile(circuit, options.protocol), options.priority, {
        circuit: { circuitId: circuit.id, circuitFamily: circuit.family, prover: `snarkjs-${options.protocol}` },
        fatal: ProofComputation.isFatal
      })
    bar.done()
    return result
  }).pipe(Effect.scoped, Effect.provide(NodeProvident.layer().pipe(Layer.provideMerge(NodeSnarkjsProver.layer()))))

  if (!result.success || result.result === undefined) {
    const why = (result.error as { readonly message?: string } | undefined)?.message ?? "no strategy succeeded"
    yield* Console.error(`proof failed: ${why}`)
    for (const a of result.attempts) yield* Console.error(`  ${a.strategy}: ${a.outcome}${a.reason === undefined ? "" : ` (${a.reason})`}`)
    process.exitCode = 1
    return
  }
  if (circuit.insecureSetup) yield* Console.error(`${circuit.id}: single-party setup, INSECURE (whoever ran it can forge proofs): for testing only`)
  yield* Console.log(JSON.stringify({
    circuit: circuit.id,
    constraints: circuit.constraints,
    protocol: options.protocol,
    insecureSetup: circuit.insecureSetup,
    strategy: result.strategy,
    verified: true,
    elapsedMs: result.elapsedTime,
    peakMemoryBytes: result.resourcesUsed.peakMemory,
    proof: result.result.proof.proof,
    publicSignals: result.result.proof.publicSignals
  }, null, 2))
})
