/**
 * The `provident` command line.
 *
 * @since 0.1.0
 */
import { Effect, Schema } from "effect"
import { Command, Flag } from "effect/cli"
import * as Doctor from "./Doctor.ts"

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

export const provident = Command.make("provident").pipe(
  Command.withDescription("Resource-aware zero-knowledge proving"),
  Command.withSubcommands([doctor])
)

/** Runs the CLI on the given arguments (without the `node script` prefix). */
export const run = (args: ReadonlyArray<string>) =>
  Command.runWith(provident, { version: "0.1.0" })(args).pipe(Effect.withSpan("provident"))
