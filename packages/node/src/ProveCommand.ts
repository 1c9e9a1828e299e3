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
import * as CircuitInput from "@provident/core/CircuitInput"
import { Console, Effect, Layer, Stream } from "effect"
import { randomBytes } from "node:crypto"
import * as fs from "node:fs"
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

/**
 * `input.json: input.x: must be a safe integer; …`: the file, the signal and
 * the rule (`CircuitInput`, the server's rule too), every failing signal.
 */
const inputError = (file: string, invalid: { readonly issues: ReadonlyArray<{ readonly path: string; readonly message: string }> }) =>
  new Error(
    `${file} is not a circuit input: ${invalid.issues.map((i) => (i.path === "" ? i.message : `input.${i.path}: ${i.message}`)).join("; ")}`
  )

export const run = Effect.fn("Cli.prove")(function*(options: Options) {
  const text = yield* Effect.try({
    try: () => fs.readFileSync(options.input, "utf8"),
    catch: () => new Error(`cannot read the input file ${options.input}`)
  })
  // The message names the file, the signal and the rule, never the contents: the input is private.
  const input = yield* Effect.try({ try: () => JSON.parse(text) as unknown, catch: () => new Error(`${options.input} is not JSON`) }).pipe(
    Effect.flatMap((json) => CircuitInput.decode(json).pipe(Effect.mapError((invalid) => inputError(options.input, invalid))))
  )
  // Damaged circuits in the directory are skipped with a warning; only this one must be intact.
  const circuit = yield* CircuitsDir.loadOne(options.circuit, options.circuitsDir)
  if (circuit.keys[options.protocol] === undefined) return yield* Effect.fail(new Error(`${circuit.id} has no ${options.protocol} keys`))

  const result = yield* Effect.gen(function*() {
    const executor = yield* AdaptiveExecutor.AdaptiveExecutor
    const bar = ProgressBar.make()
    // A fresh id per run: earlier runs' executions are no business of this one.
    const id = `prove-${circuit.id}-${randomBytes(6).toString("hex")}`
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
    // Local proofs are always checked; a remote one only when its witness could be computed here.
    verified: result.result.statementUnchecked === undefined,
    elapsedMs: result.elapsedTime,
    peakMemoryBytes: result.resourcesUsed.peakMemory,
    proof: result.result.proof.proof,
    publicSignals: result.result.proof.publicSignals
  }, null, 2))
})
