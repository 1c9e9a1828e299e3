/**
 * Schema decoding at a boundary, failing with `InvalidInput` that names
 * every failing field and its rule (never the offending value): the decoder
 * core's own modules use, for the platform packages' boundaries too.
 *
 * @since 0.1.0
 */
import type { Effect, Schema, SchemaAST } from "effect"
import { decoder } from "./internal/decode.ts"
import type { InvalidInput } from "./ProvidentError.ts"

/**
 * Decodes `input` as `schema`, or fails with `InvalidInput` about `subject`
 * (e.g. `"CircuitSpec"`). `options` reach Schema's parser (the Promise
 * facades pass `onExcessProperty: "error"`).
 */
export const decodeOrInvalid = <S extends Schema.Codec<unknown, unknown, never, never>>(
  schema: S,
  subject: string,
  input: unknown,
  options?: SchemaAST.ParseOptions
): Effect.Effect<S["Type"], InvalidInput> => decoder(schema, subject)(input, options)
