/**
 * The `provident` command line.
 *
 * @since 0.1.0
 */
import { Effect, Schema } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import * as BenchCommand from "./BenchCommand.ts"
import * as Doctor from "./Doctor.ts"
import * as CircuitsDir from "./internal/circuitsDir.ts"
import * as ProveCommand from "./ProveCommand.ts"
import * as ServeCommand from "./ServeCommand.ts"

const doctor = Command.make(
  "doctor",
  {
    seconds: Flag.Int("seconds").pipe(
      Flag.withDescription("How long to sample live after the report"),
      Flag.withSchema(Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 3600 }))),
      Flag.withDefault(5)
    ),
    interval: Flag.Int("interval").pipe(
      Flag.withDescription("Milliseconds between live samples"),
      Flag.withSchema(Schema.Int.check(Schema.isBetween({ minimum: 10, maximum: 60_000 }))),
      Flag.withDefault(1000)
    ),
    json: Flag.Boolean("json").pipe(
      Flag.withDescription("Print JSON lines: the device, then one reading per line"),
      Flag.withDefault(false)
    )
  },
  (options) => Doctor.run(options)
).pipe(Command.withDescription("Show the device profile, container limits and live readings"))

const circuitsDir = Flag.String("circuits-dir").pipe(
  Flag.withDescription("Directory of built circuits (one subdirectory with a manifest.json each); default the example circuits"),
  Flag.withDefault(CircuitsDir.defaultDirectory())
)
const protocol = Flag.Literals("protocol", ["groth16", "plonk"]).pipe(Flag.withDefault("groth16"))
const between = (min: number, max: number) => Schema.Int.check(Schema.isBetween({ minimum: min, maximum: max }))

const prove = Command.make(
  "prove",
  {
    circuit: Argument.String("circuit").pipe(Argument.withDescription("A circuit id (e.g. square-1000) or a directory of built artifacts")),
    input: Flag.String("input").pipe(Flag.withDescription("JSON file with the circuit's input signals (private: never printed)")),
    protocol: protocol.pipe(Flag.withDescription("Proof system")),
    priority: Flag.Literals("priority", ["critical", "high", "medium", "low", "background"]).pipe(Flag.withDefault("high")),
    circuitsDir
  },
  (options) => ProveCommand.run(options)
).pipe(Command.withDescription("Prove one input on this machine and print the verified proof as JSON"))

const serve = Command.make(
  "serve",
  {
    host: Flag.String("host").pipe(Flag.withDescription("Address to bind (default loopback only)"), Flag.withDefault("127.0.0.1")),
    port: Flag.Int("port").pipe(Flag.withSchema(between(0, 65535)), Flag.withDefault(8787)),
    tokenFile: Flag.String("token-file").pipe(Flag.withDescription("File holding the bearer token clients must send (≥ 16 characters)")),
    maxBody: Flag.Int("max-body").pipe(Flag.withDescription("Largest request body in bytes"), Flag.withSchema(between(1024, 64 * 1024 * 1024)), Flag.withDefault(1024 * 1024)),
    maxInFlight: Flag.Int("max-in-flight").pipe(Flag.withDescription("Requests accepted at once; beyond, 503 with Retry-After"), Flag.withSchema(between(1, 10_000)), Flag.withDefault(8)),
    budgetMb: Flag.Int("budget-mb").pipe(Flag.withDescription("Memory the server's proofs may use in all (default: the adaptive budget)"), Flag.withSchema(between(64, 1_048_576)), Flag.optional),
    corsOrigins: Flag.String("cors-origin").pipe(
      Flag.withDescription("Origin of a web page that may call the server from a browser, e.g. https://app.example.com (repeatable or comma-separated; \"*\" for any; default none)"),
      Flag.atLeast(0)
    ),
    circuitsDir
  },
  (options) => ServeCommand.run({ ...options, budgetMb: options.budgetMb._tag === "Some" ? options.budgetMb.value : undefined })
).pipe(Command.withDescription("Serve proofs over HTTP for other devices to fall back on"))

const bench = Command.make(
  "bench",
  {
    repeat: Flag.Int("repeat").pipe(Flag.withSchema(between(1, 100)), Flag.withDefault(3)),
    protocols: Flag.Literals("protocols", ["groth16", "plonk", "both"]).pipe(Flag.withDefault("groth16")),
    input: Flag.String("input").pipe(Flag.withDescription("JSON input for every circuit (default: the example circuits' input)"), Flag.optional),
    circuitsDir
  },
  (options) =>
    BenchCommand.run({
      circuitsDir: options.circuitsDir,
      repeat: options.repeat,
      protocols: options.protocols === "both" ? ["groth16", "plonk"] : [options.protocols],
      input: options.input._tag === "Some" ? options.input.value : undefined
    })
).pipe(Command.withDescription("Calibrate the predictor's cost models on this device"))

export const provident = Command.make("provident").pipe(
  Command.withDescription("Resource-aware zero-knowledge proving"),
  Command.withSubcommands([doctor, prove, serve, bench])
)

/** Runs the CLI on the given arguments (without the `node script` prefix). */
export const run = (args: ReadonlyArray<string>) =>
  Command.runWith(provident, { version: "0.1.0" })(args).pipe(Effect.withSpan("provident"))
