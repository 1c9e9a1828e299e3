/**
 * `provident serve`: the fallback prover over the circuits of a directory,
 * until interrupted (SIGINT/SIGTERM end it gracefully).
 *
 * @since 0.1.0
 */
import { Effect, Layer, Redacted } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as CircuitsDir from "./internal/circuitsDir.ts"
import * as Cors from "./internal/cors.ts"
import * as NodeProvident from "./NodeProvident.ts"
import * as NodeSnarkjsProver from "./NodeSnarkjsProver.ts"
import * as ProverServer from "./ProverServer.ts"

export interface Options {
  readonly host: string
  readonly port: number
  readonly tokenFile: string
  readonly maxBody: number
  readonly circuitsDir: string
  readonly maxInFlight: number
  /** Memory the server's proofs may use in all, in MB (default: the adaptive budget). */
  readonly budgetMb: number | undefined
  /** Origins of the web pages that may call the server (`--cors-origin`, repeated or comma-separated); none by default. */
  readonly corsOrigins: ReadonlyArray<string>
}

/** `--cors-origin a,b --cors-origin c` as a list, each entry checked (named as the flag, which is what the user wrote). */
const corsOriginsOf = (values: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const origins = values.flatMap((value) => value.split(",")).map((origin) => origin.trim()).filter((origin) => origin !== "")
    for (const origin of origins) {
      const issue = Cors.originIssue(origin)
      if (issue !== undefined) return yield* Effect.fail(new Error(`--cors-origin ${origin}: ${issue}`))
    }
    return origins
  })

/** A fixed budget becomes the allocator's cap, as a share of this machine's memory limit (or total). */
const stackOptions = (budgetMb: number | undefined): NodeProvident.Options => {
  if (budgetMb === undefined) return {}
  const constrained = process.constrainedMemory?.() ?? 0
  const capacity = constrained > 0 && constrained < os.totalmem() ? constrained : os.totalmem()
  return { allocator: { strategy: "aggressive", maxMemoryPercentage: Math.min(100, ((budgetMb * 1024 * 1024) / capacity) * 100) } }
}

export const run = Effect.fn("Cli.serve")(function*(options: Options) {
  const corsOrigins = yield* corsOriginsOf(options.corsOrigins)
  const token = yield* Effect.try({
    try: () => fs.readFileSync(options.tokenFile, "utf8").trim(),
    catch: () => new Error(`cannot read the token file ${options.tokenFile}`)
  })
  if (token.length < 16) return yield* Effect.fail(new Error(`the token in ${options.tokenFile} is shorter than 16 characters`))
  // Damaged circuits are skipped (each with a warning saying why): the server proves the rest.
  const { circuits, skipped } = yield* CircuitsDir.scan(options.circuitsDir)
  if (circuits.length === 0) {
    return yield* Effect.fail(new Error(`no intact circuits in ${options.circuitsDir}${skipped.length === 0 ? "" : ` (${skipped.length} damaged, skipped)`}`))
  }
  const server = ProverServer.layer({
    host: options.host,
    port: options.port,
    token: Redacted.make(token),
    circuits,
    maxBodyBytes: options.maxBody,
    maxInFlight: options.maxInFlight,
    ...(corsOrigins.length === 0 ? {} : { corsOrigins })
  }).pipe(Layer.provide(NodeProvident.layer(stackOptions(options.budgetMb)).pipe(Layer.provideMerge(NodeSnarkjsProver.layer(
    // The same budget bounds the prover's children: idle ones make room for the jobs' grants.
    options.budgetMb === undefined ? {} : { budgetBytes: options.budgetMb * 1024 * 1024 }
  )))))
  yield* Effect.logInfo(
    `provident serve on http://${options.host}:${options.port}: ${circuits.map((c) => c.id).join(", ")}` +
      (circuits.some((c) => c.insecureSetup) ? " (INSECURE single-party setups: for testing only)" : "") +
      (corsOrigins.length === 0 ? "" : `; pages on ${corsOrigins.join(", ")} may call it`)
  )
  return yield* Layer.launch(server)
})
