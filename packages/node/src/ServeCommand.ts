/**
 * `provident serve`: the fallback prover over the circuits of a directory,
 * until interrupted (SIGINT/SIGTERM end it gracefully).
 *
 * @since 0.1.0
 */
import { Effect, Layer, Redacted } from "effect"
import * as fs from "node:fs"
import * as Artifacts from "./Artifacts.ts"
import * as CircuitsDir from "./internal/circuitsDir.ts"
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
}

export const run = Effect.fn("Cli.serve")(function*(options: Options) {
  const token = yield* Effect.try({
    try: () => fs.readFileSync(options.tokenFile, "utf8").trim(),
    catch: () => new Error(`cannot read the token file ${options.tokenFile}`)
  })
  if (token.length < 16) return yield* Effect.fail(new Error(`the token in ${options.tokenFile} is shorter than 16 characters`))
  const circuits = yield* CircuitsDir.loadAll(options.circuitsDir).pipe(Effect.provide(Artifacts.layer()))
  if (circuits.length === 0) return yield* Effect.fail(new Error(`no circuits in ${options.circuitsDir}`))
  const server = ProverServer.layer({
    host: options.host,
    port: options.port,
    token: Redacted.make(token),
    circuits,
    maxBodyBytes: options.maxBody,
    maxInFlight: options.maxInFlight
  }).pipe(Layer.provide(NodeProvident.layer().pipe(Layer.provideMerge(NodeSnarkjsProver.layer()))))
  yield* Effect.logInfo(
    `provident serve on http://${options.host}:${options.port}: ${circuits.map((c) => c.id).join(", ")}` +
      (circuits.some((c) => c.insecureSetup) ? " (INSECURE single-party setups: for testing only)" : "")
  )
  return yield* Layer.launch(server)
})
