/**
 * A circuit's input: named signals, each a field element or (nested) arrays
 * of them, decoded so that what is proved is exactly what was sent.
 *
 * Accepted, for every value:
 * - a JSON number that is a safe integer, 0 ≤ n ≤ 2^53 − 1. Larger numbers
 *   have already been rounded by the JSON parser (`9007199254740993` arrives
 *   as …992), so they are refused: send them as decimal strings;
 * - a string of decimal digits (leading zeros allowed; no sign, spaces,
 *   fraction, exponent or hex) whose value is below the BN254 scalar field
 *   modulus p (`FIELD_MODULUS`);
 * - an array of these, nested at most `MAX_DEPTH` (32) levels.
 *
 * Negative values are refused, as numbers and as strings: circom would map
 * −v to p − v, so each field element has one accepted spelling per type
 * and nothing is reduced silently; send p − v. Likewise values ≥ p, which
 * circom would reduce mod p.
 *
 * A refusal is an `InvalidInput` naming the signal (`x`, `xs[2]`) and the
 * rule, never the value: inputs are private.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import * as Rules from "./internal/circuitInput.ts"
import { decoder } from "./internal/decode.ts"

/** p of BN254's scalar field: every accepted value is below it. */
export const FIELD_MODULUS = Rules.FIELD_MODULUS

/** How deep a signal's arrays may nest. */
export const MAX_DEPTH = Rules.MAX_DEPTH

/** A field element as a JSON number: a non-negative safe integer. */
export const FieldNumber = Schema.Number.check(Schema.makeFilter((n: number) => Rules.numberIssue(n)))

/** A field element as a decimal string: digits only, below p. */
export const FieldString = Schema.String.check(Schema.makeFilter((s: string) => Rules.stringIssue(s)))

/** A signal's value: a field element as a number or a decimal string, or an array of values. */
export type SignalValue = string | number | ReadonlyArray<SignalValue>

export const SignalValue: Schema.Codec<SignalValue> = Schema.Union([
  FieldString,
  FieldNumber,
  Schema.Array(Schema.suspend((): Schema.Codec<SignalValue> => SignalValue))
])

export type CircuitInput = { readonly [signal: string]: SignalValue }

const Signals = Schema.Record(Schema.String, SignalValue)

/**
 * The depth is checked first, iteratively, and aborts the decode: the
 * recursive `SignalValue` never sees a value nested deep enough to overflow
 * the stack.
 */
const depthBound = Schema.makeFilter((input: unknown) => {
  const signal = Rules.tooDeep(input)
  return signal === undefined ? undefined : { path: [signal], issue: Rules.messages.tooDeep }
}, undefined, true)

/** Signal names to values, every value an exact field element (see the module's notes for what is accepted). */
export const CircuitInput: Schema.Codec<CircuitInput, unknown> = Schema.Unknown.check(depthBound).pipe(Schema.decodeTo(Signals))

/** Decodes a parsed circuit input, failing with `InvalidInput` naming the signal and the rule. */
export const decode = decoder(CircuitInput, "CircuitInput")

/** The canonical decimal string of an accepted value (`7`, `"7"`, `"007"` → `"7"`), as snarkjs writes public signals. */
export const canonical: (value: string | number) => string = Rules.canonical
