/**
 * Constructor-time validation of the facade's options. The services decode
 * their options with Schema (and would fail their layer with `InvalidInput`
 * on first use); the facade runs the same decoders synchronously in the
 * constructor, rejecting unknown options too, so a bad option throws where
 * it is written: `TypeError: Invalid ResourceMonitor option sampleInterval:
 * must be at least 10 ms`.
 *
 * @since 0.1.0
 */
import { Cause, Effect, Exit, Redacted, Schema, type SchemaAST } from "effect"
import * as HttpRemoteProver from "../HttpRemoteProver.ts"
import { InvalidInput } from "../ProvidentError.ts"

/** Parse options for facade input: a misspelt option is an error, not silently ignored. */
export const strict: SchemaAST.ParseOptions = { onExcessProperty: "error" }

/** The `TypeError` for invalid options of `owner`, one clause per issue; `rename` maps service field names to the facade's. */
export const optionError = (owner: string, invalid: InvalidInput, rename: Readonly<Record<string, string>> = {}): TypeError =>
  new TypeError(
    invalid.issues.map((issue) => {
      if (issue.path === "") return `Invalid ${owner} options: ${issue.message}`
      const [head = "", ...rest] = issue.path.split(/(?=[.[])/)
      return `Invalid ${owner} option ${(rename[head] ?? head) + rest.join("")}: ${issue.message}`
    }).join("; "),
    { cause: invalid }
  )

/** Runs a service's decoder now; its `InvalidInput` becomes `optionError`. */
export const validate = <A>(owner: string, decode: Effect.Effect<A, InvalidInput>, rename?: Readonly<Record<string, string>>): A => {
  const exit = Effect.runSyncExit(decode)
  if (Exit.isSuccess(exit)) return exit.value
  const failure = Cause.squash(exit.cause)
  throw failure instanceof InvalidInput ? optionError(owner, failure, rename) : failure
}

/**
 * A platform's `remote` option (the token and settings for a
 * `serverFallbackEndpoint`), as both platform facades take it: the token a
 * string or a `Redacted` string, the settings as `HttpRemoteProver.Settings`.
 */
export const RemoteOptions = Schema.Struct({
  token: Schema.optionalKey(Schema.Unknown.check(Schema.makeFilter((u) =>
    typeof u === "string" || Redacted.isRedacted(u) ? undefined : "must be a string or a Redacted string"
  ))),
  timeoutMs: HttpRemoteProver.Settings.fields.timeoutMs,
  retries: HttpRemoteProver.Settings.fields.retries,
  maxRetryDelayMs: HttpRemoteProver.Settings.fields.maxRetryDelayMs,
  allowInsecureHttp: HttpRemoteProver.Settings.fields.allowInsecureHttp
})

/** A platform's `resultCacheSize` option: a whole number of entries ≥ 1. */
export const ResultCacheSize = Schema.Int.check(Schema.isGreaterThanOrEqualTo(1))

/** Whether `A` and `B` have the same keys: a platform's option schema checks itself against its option types with it. */
export type SameKeys<A, B> = [Exclude<keyof A, keyof B> | Exclude<keyof B, keyof A>] extends [never] ? true : false
/** Compiles only when `T` is `true`. */
export type Holds<T extends true> = T
