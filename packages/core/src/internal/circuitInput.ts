/**
 * The rules for circuit input values, as pure functions: which JSON numbers
 * and strings are exact elements of the BN254 scalar field, and how deep
 * signal arrays may nest. `CircuitInput.ts` turns them into schemas.
 *
 * Every message states the rule, never the value: inputs are private.
 */

/** The BN254 (alt_bn128) scalar field modulus: circom and snarkjs reduce every signal value mod p. */
export const FIELD_MODULUS = 21888242871839275222246405745257275088548364400416034343698204186575808495617n

/** `FIELD_MODULUS` has this many decimal digits, so a longer string (leading zeros aside) is out of the field without parsing it. */
const MODULUS_DIGITS = FIELD_MODULUS.toString().length

/**
 * How deep a signal's arrays may nest. Circom inputs are arrays of at most
 * a handful of dimensions; the bound keeps the recursive decoder (and
 * circom's own flattening) off a stack that a 20 KB body of `[[[…]]]`
 * would overflow.
 */
export const MAX_DEPTH = 32

export const messages = {
  notInteger: "must be an integer",
  unsafe: "must be a safe integer; send larger values as decimal strings",
  negative: "must not be negative: circom would read it as p − |v| mod p; send that field element instead",
  notDecimal: "must be a decimal integer string (digits 0-9 only: no sign, spaces, fraction, exponent or hex)",
  outOfField: `must be below the BN254 scalar field modulus p = ${FIELD_MODULUS}: circom would silently reduce it mod p`,
  tooDeep: `nests arrays deeper than ${MAX_DEPTH} levels (circuit inputs have a handful of dimensions)`
} as const

/**
 * The rule a JSON number breaks, if any. Only safe integers are exact:
 * `9007199254740993` parses as …992, and snarkjs would prove that.
 */
export const numberIssue = (n: number): string | undefined => {
  if (!Number.isInteger(n)) return messages.notInteger
  if (!Number.isSafeInteger(n)) return messages.unsafe
  return n < 0 ? messages.negative : undefined
}

/** The rule a decimal string breaks, if any: digits only, and below p. */
export const stringIssue = (s: string): string | undefined => {
  if (!/^[0-9]+$/.test(s)) return /^-[0-9]+$/.test(s) ? messages.negative : messages.notDecimal
  // Leading zeros are harmless ("007" is 7); beyond p's length the value cannot be in the field.
  const digits = s.replace(/^0+(?=.)/, "")
  if (digits.length > MODULUS_DIGITS) return messages.outOfField
  return BigInt(digits) < FIELD_MODULUS ? undefined : messages.outOfField
}

/**
 * The first signal of `input` whose arrays nest deeper than `MAX_DEPTH`,
 * found level by level without recursion (so an adversarial depth costs
 * time linear in the body, never stack). Non-array values end a branch:
 * their type is the schema's business.
 */
export const tooDeep = (input: unknown): string | undefined => {
  if (typeof input !== "object" || input === null || Array.isArray(input)) return undefined
  for (const [name, value] of Object.entries(input)) {
    // `level` holds the values inside `depth` arrays.
    let level: ReadonlyArray<unknown> = [value]
    for (let depth = 0; level.length > 0; depth++) {
      const next: Array<unknown> = []
      for (const item of level) {
        if (!Array.isArray(item)) continue
        if (depth >= MAX_DEPTH) return name
        for (const inner of item) next.push(inner)
      }
      level = next
    }
  }
  return undefined
}

/**
 * The canonical decimal string of an accepted value (`7`, `"7"` and `"007"`
 * are all `"7"`), as snarkjs reports public signals: for comparing a
 * request's public inputs with a proof's.
 */
export const canonical = (value: string | number): string => BigInt(value).toString()
