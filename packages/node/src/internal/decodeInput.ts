/**
 * Schema decoding at the package's boundaries, failing with core's
 * `InvalidInput` that names every failing field and its rule (never the
 * offending value), as core's own decoders do.
 */
import { InvalidInput } from "@provident/core/ProvidentError"
import { Effect, Schema, SchemaIssue } from "effect"

const formatter = SchemaIssue.makeFormatterStandardSchemaV1()

const formatPath = (path: ReadonlyArray<unknown>): string =>
  path.reduce<string>((out, key) => {
    const k = typeof key === "object" && key !== null && "key" in key ? (key as { key: unknown }).key : key
    if (typeof k === "number") return `${out}[${k}]`
    return out === "" ? String(k) : `${out}.${String(k)}`
  }, "")

/** Decodes `input` as `schema`, or fails with `InvalidInput` about `subject`. */
export const decodeOrInvalid = <S extends Schema.Codec<unknown, unknown, never, never>>(schema: S, subject: string, input: unknown) =>
  Schema.decodeUnknownEffect(schema)(input, { errors: "all" }).pipe(
    Effect.mapError((error) => {
      const issues = formatter(error.issue).issues.map((i) => ({ path: formatPath(i.path ?? []), message: i.message }))
      const detail = issues.map((i) => (i.path === "" ? i.message : `${i.path}: ${i.message}`)).join("; ")
      return new InvalidInput({ subject, field: issues[0]?.path ?? "", issues, message: `Invalid ${subject}: ${detail}` })
    })
  )
