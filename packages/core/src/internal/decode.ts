/**
 * Schema decoding that turns every failure into an `InvalidInput` naming the
 * fields and rules, with all issues collected rather than the first one only.
 */
import { Effect, Schema, type SchemaAST, SchemaIssue } from "effect"
import { InvalidInput, type InputIssue } from "../ProvidentError.ts"

const formatter = SchemaIssue.makeFormatterStandardSchemaV1()

/** `["requiredResources", 0, "recommended"]` → `requiredResources[0].recommended` */
export const formatPath = (path: ReadonlyArray<PropertyKey>): string =>
  path.reduce<string>((out, key) => {
    if (typeof key === "number") return `${out}[${key}]`
    const name = String(key)
    return out === "" ? name : `${out}.${name}`
  }, "")

export const toInvalidInput = (subject: string, issue: SchemaIssue.Issue): InvalidInput => {
  const issues: Array<InputIssue> = formatter(issue).issues.map((i) => ({
    path: formatPath((i.path ?? []).map((p) => (typeof p === "object" ? p.key : p))),
    message: i.message
  }))
  const first = issues[0] ?? { path: "", message: "invalid" }
  const detail = issues.map((i) => (i.path === "" ? i.message : `${i.path}: ${i.message}`)).join("; ")
  return new InvalidInput({ subject, field: first.path, issues, message: `Invalid ${subject}: ${detail}` })
}

/**
 * A decoder from unknown input to `S["Type"]` that fails with `InvalidInput`.
 * `options` reach Schema's parser: the Promise facade passes
 * `onExcessProperty: "error"` so that a misspelt option is reported, not ignored.
 */
export const decoder = <S extends Schema.Codec<unknown, unknown, never, never>>(schema: S, subject: string) => {
  const decode = Schema.decodeUnknownEffect(schema)
  return (input: unknown, options?: SchemaAST.ParseOptions): Effect.Effect<S["Type"], InvalidInput> =>
    decode(input, { ...options, errors: "all" }).pipe(
      Effect.mapError((error) => toInvalidInput(subject, error.issue))
    )
}
