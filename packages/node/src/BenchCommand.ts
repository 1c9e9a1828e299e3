/**
 * `provident bench`: calibrates the predictor's cost models on this device.
 * It proves every circuit of a directory a few times (full strategy, the
 * whole machine), which the executor reports to the predictor as it would
 * any proof; the models are stored in the cache directory, so later runs
 * start from them. It prints what each size took and the fitted curves.
 *
 * @since 0.1.0
 */
import { AdaptiveExecutor, ProofComputation, ResourcePredictor } from "@provident/core"
import type { Protocol } from "@provident/core/Prover"
import { Console, Effect, Layer } from "effect"
import * as fs from "node:fs"
import * as Artifacts from "./Artifacts.ts"
import * as CircuitsDir from "./internal/circuitsDir.ts"
import * as NodeProvident from "./NodeProvident.ts"
import * as NodeSnarkjsProver from "./NodeSnarkjsProver.ts"

export interface Options {
  readonly circuitsDir: string
  readonly repeat: number
  readonly protocols: ReadonlyArray<Protocol>
  /** A JSON input used for every circuit; default `{ "x": "3" }` (the example circuits' input). */
  readonly input: string | undefined
}

const MB = 1024 * 1024

export const run = Effect.fn("Cli.bench")(function*(options: Options) {
  const input = options.input === undefined
    ? { x: "3" }
    : (JSON.parse(fs.readFileSync(options.input, "utf8")) as Record<string, string>)
  const circuits = [...yield* CircuitsDir.loadAll(options.circuitsDir).pipe(Effect.provide(Artifacts.layer()))]
    .sort((a, b) => a.constraints - b.constraints)
  if (circuits.length === 0) return yield* Effect.fail(new Error(`no circuits in ${options.circuitsDir}`))

  yield* Effect.gen(function*() {
    const executor = yield* AdaptiveExecutor.AdaptiveExecutor
    const predictor = yield* ResourcePredictor.ResourcePredictor
    const rows: Array<ReadonlyArray<string>> = [["circuit", "constraints", "protocol", "setup", "runs", "mean s", "min s", "peak MB"]]
    for (const circuit of circuits) {
      for (const protocol of options.protocols.filter((p) => circuit.keys[p] !== undefined)) {
        const times: Array<number> = []
        const peaks: Array<number> = []
        for (let i = 1; i <= options.repeat; i++) {
          const result = yield* executor.execute(`bench-${circuit.id}-${protocol}-${i}`, ProofComputation.computation(circuit, protocol, input),
            ProofComputation.defaultProfile(circuit, protocol), "high", {
              circuit: { circuitId: circuit.id, circuitFamily: circuit.family, prover: `snarkjs-${protocol}` },
              strategies: ["FULL_COMPUTATION"],
              fatal: ProofComputation.isFatal
            })
          if (!result.success) {
            return yield* Effect.fail(new Error(`${circuit.id} ${protocol} failed: ${(result.error as { message?: string } | undefined)?.message ?? "?"}`))
          }
          times.push(result.elapsedTime)
          peaks.push(result.resourcesUsed.peakMemory ?? 0)
          yield* Console.error(`  ${circuit.id} ${protocol} run ${i}/${options.repeat}: ${(result.elapsedTime / 1000).toFixed(2)} s`)
        }
        rows.push([
          circuit.id,
          String(circuit.constraints),
          protocol,
          // A single-party setup lets whoever ran it forge proofs: fine for measuring, never for secrets.
          circuit.insecureSetup ? "INSECURE" : "trusted",
          String(times.length),
          (times.reduce((a, b) => a + b, 0) / times.length / 1000).toFixed(2),
          (Math.min(...times) / 1000).toFixed(2),
          (Math.max(...peaks) / MB).toFixed(0)
        ])
      }
    }
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)))
    yield* Console.log(rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join("  ")).join("\n"))
    yield* Console.log("\nFitted cost models (n = constraints), stored for the predictor:")
    for (const m of yield* predictor.costModels) {
      yield* Console.log(
        `  ${m.circuitFamily} ${m.prover} ${m.strategy} ${m.cores} core(s), ${m.samples} samples: ` +
          `time ≈ ${m.time.coefficient.toPrecision(3)}·n^${m.time.exponent.toFixed(3)} ms, ` +
          `peak ≈ ${(m.memory.coefficient / MB).toPrecision(3)}·n^${m.memory.exponent.toFixed(3)} MB, confidence ${m.confidence.toFixed(2)}`
      )
    }
  }).pipe(Effect.provide(NodeProvident.layer().pipe(Layer.provideMerge(NodeSnarkjsProver.layer()))))
})
