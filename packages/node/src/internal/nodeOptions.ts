/**
 * The Node platform's options as a Schema, so that the Promise facade can
 * check them where they are written (its constructors) like the spec's own
 * options: a misspelt or ill-typed one is a `TypeError` naming it, not a
 * failure on first use (an invalid duration) or an option silently ignored.
 * Effect users get the same types from TypeScript.
 */
import { decodeOrInvalid } from "@provident/core/Decode"
import { type Holds, RemoteOptions, ResultCacheSize, type SameKeys } from "@provident/core/promise/Validate"
import { Duration, Option, Schema, type SchemaAST } from "effect"

const ok = (valid: boolean, rule: string) => (valid ? undefined : rule)

const Path = Schema.String.check(Schema.isMinLength(1))
const DurationInput = Schema.Unknown.check(Schema.makeFilter((u) =>
  ok(
    Option.match(Duration.fromInput(u as Duration.Input), { onNone: () => false, onSome: (d) => Duration.toMillis(d) >= 0 }),
    "must be a duration: milliseconds, or a string such as \"30 seconds\""
  )
))
const AFunction = Schema.Unknown.check(Schema.makeFilter((u) => ok(typeof u === "function", "must be a function")))
const Methods = (...names: ReadonlyArray<string>) =>
  Schema.Unknown.check(Schema.makeFilter((u) =>
    ok(
      typeof u === "object" && u !== null && names.every((name) => typeof (u as Record<string, unknown>)[name] === "function"),
      `must be an object with the functions ${names.join(", ")}`
    )
  ))

export const NodeOptions = Schema.Struct({
  probe: Schema.optionalKey(Schema.Struct({
    storagePath: Schema.optionalKey(Path),
    batteryRefresh: Schema.optionalKey(DurationInput),
    factsTimeout: Schema.optionalKey(DurationInput),
    readFile: Schema.optionalKey(AFunction),
    systemInformation: Schema.optionalKey(Methods("battery", "system", "networkInterfaces")),
    processMemory: Schema.optionalKey(Methods("constrainedMemory", "availableMemory"))
  })),
  modelStore: Schema.optionalKey(Schema.Struct({ file: Schema.optionalKey(Path) })),
  checkpoints: Schema.optionalKey(Schema.Struct({
    directory: Schema.optionalKey(Path),
    maxAge: Schema.optionalKey(DurationInput),
    sweepInterval: Schema.optionalKey(DurationInput)
  })),
  resultCacheSize: Schema.optionalKey(ResultCacheSize),
  remote: Schema.optionalKey(RemoteOptions)
})

/** Checks the Node platform's options (`strict` reports unknown ones), failing with `InvalidInput` naming the field. */
export const decode = (input: unknown, options?: SchemaAST.ParseOptions) => decodeOrInvalid(NodeOptions, "NodeOptions", input, options)

// The schema names every option the platform's types have, and no other: adding an option to one but not the
// other fails to compile (the facade would reject the new option as unknown).
type Decoded = typeof NodeOptions.Type
export type KeysInStep = [
  Holds<SameKeys<Decoded, import("../promise.ts").NodeOptions>>,
  Holds<SameKeys<NonNullable<Decoded["probe"]>, import("../NodeResourceProbe.ts").Options>>,
  Holds<SameKeys<NonNullable<Decoded["modelStore"]>, import("../NodeModelStore.ts").Options>>,
  Holds<SameKeys<NonNullable<Decoded["checkpoints"]>, import("../NodeCheckpointStore.ts").Options>>,
  Holds<SameKeys<NonNullable<Decoded["remote"]>, import("../promise.ts").RemoteOptions>>
]
