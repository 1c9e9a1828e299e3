/**
 * The browser platform's options as a Schema, so that the Promise facade can
 * check them where they are written (its constructors) like the spec's own
 * options: a misspelt or ill-typed one is a `TypeError` naming it, not a
 * failure on the monitor's first call. Effect users get the same types from
 * TypeScript, and the probe decodes its own settings again when it builds.
 */
import { decodeOrInvalid } from "@provident/core/Decode"
import { type Holds, RemoteOptions, ResultCacheSize, type SameKeys } from "@provident/core/promise/Validate"
import { Schema, type SchemaAST } from "effect"
import { Settings as ProbeSettings } from "../BrowserResourceProbe.ts"

const objectOr = (allowNull: boolean, rule: string) =>
  Schema.Unknown.check(Schema.makeFilter((u) => (typeof u === "object" && (u !== null || allowNull)) || typeof u === "function" ? undefined : rule))

export const BrowserOptions = Schema.Struct({
  probe: Schema.optionalKey(Schema.Struct({
    ...ProbeSettings.fields,
    globals: Schema.optionalKey(objectOr(false, "must be an object of the page's APIs (navigator, performance, …)"))
  })),
  storage: Schema.optionalKey(Schema.Struct({
    databaseName: Schema.optionalKey(Schema.String.check(Schema.isMinLength(1))),
    indexedDB: Schema.optionalKey(objectOr(true, "must be an IDBFactory, or null to keep everything in memory"))
  })),
  resultCacheSize: Schema.optionalKey(ResultCacheSize),
  remote: Schema.optionalKey(RemoteOptions)
})

/** Checks the browser platform's options (`strict` reports unknown ones), failing with `InvalidInput` naming the field. */
export const decode = (input: unknown, options?: SchemaAST.ParseOptions) =>
  decodeOrInvalid(BrowserOptions, "BrowserOptions", input, options)

// The schema names every option the platform's types have, and no other: adding an option to one but not the
// other fails to compile (the facade would reject the new option as unknown).
type Decoded = typeof BrowserOptions.Type
export type KeysInStep = [
  Holds<SameKeys<Decoded, import("../promise.ts").BrowserOptions>>,
  Holds<SameKeys<NonNullable<Decoded["probe"]>, import("../BrowserResourceProbe.ts").Options>>,
  Holds<SameKeys<NonNullable<Decoded["storage"]>, import("./idb.ts").Options>>,
  Holds<SameKeys<NonNullable<Decoded["remote"]>, import("../promise.ts").RemoteOptions>>
]
