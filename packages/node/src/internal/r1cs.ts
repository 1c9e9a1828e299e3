/**
 * A pure reader of circom's `.r1cs` files (the iden3 binary format: magic
 * `r1cs`, version, then typed sections of little-endian fields): the header,
 * whose constraint count is the circuit size the predictor learns against,
 * and the number of PLONK gates snarkjs will make of the constraints, so the
 * powers of tau can be sized before a setup rather than after it fails.
 */

export interface R1csHeader {
  /** Bytes per field element (32 on bn128). */
  readonly fieldSize: number
  readonly prime: bigint
  readonly wires: number
  readonly publicOutputs: number
  readonly publicInputs: number
  readonly privateInputs: number
  readonly labels: number
  readonly constraints: number
}

interface Section {
  readonly type: number
  readonly offset: number
  readonly size: number
}

const HEADER = 1
const CONSTRAINTS = 2

const view = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)

/** The sections of a well-formed file, `undefined` when it is not an r1cs file. */
const sections = (bytes: Uint8Array): ReadonlyArray<Section> | undefined => {
  if (bytes.byteLength < 12 || String.fromCharCode(...bytes.subarray(0, 4)) !== "r1cs") return undefined
  const data = view(bytes)
  const count = data.getUint32(8, true)
  const out: Array<Section> = []
  let offset = 12
  for (let i = 0; i < count; i++) {
    if (offset + 12 > bytes.byteLength) return undefined
    const type = data.getUint32(offset, true)
    const size = Number(data.getBigUint64(offset + 4, true))
    offset += 12
    if (offset + size > bytes.byteLength) return undefined
    out.push({ type, offset, size })
    offset += size
  }
  return out
}

/** Little-endian unsigned integer of `bytes`. */
const leBigInt = (bytes: Uint8Array): bigint => {
  let n = 0n
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]!)
  return n
}

/** The header of an r1cs file; `undefined` when `bytes` is not one (or is truncated). */
export const parseHeader = (bytes: Uint8Array): R1csHeader | undefined => {
  const header = sections(bytes)?.find((s) => s.type === HEADER)
  if (header === undefined || header.size < 4) return undefined
  const data = view(bytes)
  const fieldSize = data.getUint32(header.offset, true)
  const at = header.offset + 4 + fieldSize
  if (fieldSize === 0 || header.size !== 4 + fieldSize + 28) return undefined
  return {
    fieldSize,
    prime: leBigInt(bytes.subarray(header.offset + 4, at)),
    wires: data.getUint32(at, true),
    publicOutputs: data.getUint32(at + 4, true),
    publicInputs: data.getUint32(at + 8, true),
    privateInputs: data.getUint32(at + 12, true),
    labels: Number(data.getBigUint64(at + 16, true)),
    constraints: data.getUint32(at + 24, true)
  }
}

/** A linear combination: wire id → coefficient, zero coefficients dropped. */
type Combination = Map<number, bigint>

/** Non-constant terms of a combination (wire 0 is the constant one). */
const variables = (lc: Combination): number => [...lc.keys()].filter((w) => w !== 0).length

const kind = (lc: Combination): "empty" | "constant" | "variable" =>
  variables(lc) > 0 ? "variable" : lc.size > 0 ? "constant" : "empty"

/** `k·a − b` over the field, zero terms dropped (snarkjs's joinLinearCombinations). */
const join = (a: Combination, b: Combination, k: bigint, prime: bigint): Combination => {
  const out: Combination = new Map()
  for (const [w, c] of a) out.set(w, (k * c) % prime)
  for (const [w, c] of b) out.set(w, ((out.get(w) ?? 0n) - c + prime) % prime)
  for (const [w, c] of out) if (c === 0n) out.delete(w)
  return out
}

/** Gates one combination adds when reduced to at most `max` terms: one per extra term. */
const extra = (lc: Combination, max: number): number => Math.max(0, variables(lc) - max)

/**
 * The number of PLONK gates snarkjs 0.7's `plonk setup` makes of this
 * circuit: one per public signal, then per constraint one gate plus one
 * addition gate for every term beyond what a gate holds (three in a linear
 * constraint, one per factor in a quadratic one), as in snarkjs's
 * `r1csConstraintProcessor`. `undefined` when the file cannot be read.
 */
export const plonkGates = (bytes: Uint8Array): number | undefined => {
  const header = parseHeader(bytes)
  const section = sections(bytes)?.find((s) => s.type === CONSTRAINTS)
  if (header === undefined || section === undefined) return undefined
  const data = view(bytes)
  const end = section.offset + section.size
  let offset = section.offset
  const combination = (): Combination | undefined => {
    if (offset + 4 > end) return undefined
    const terms = data.getUint32(offset, true)
    offset += 4
    const lc: Combination = new Map()
    for (let i = 0; i < terms; i++) {
      if (offset + 4 + header.fieldSize > end) return undefined
      const wire = data.getUint32(offset, true)
      const coefficient = leBigInt(bytes.subarray(offset + 4, offset + 4 + header.fieldSize)) % header.prime
      offset += 4 + header.fieldSize
      if (coefficient !== 0n) lc.set(wire, ((lc.get(wire) ?? 0n) + coefficient) % header.prime)
    }
    return lc
  }
  let gates = header.publicOutputs + header.publicInputs
  for (let i = 0; i < header.constraints; i++) {
    const a = combination(), b = combination(), c = combination()
    if (a === undefined || b === undefined || c === undefined) return undefined
    const [ka, kb] = [kind(a), kind(b)]
    if (ka === "empty" || kb === "empty") gates += 1 + extra(c, 3)
    else if (ka === "constant") gates += 1 + extra(join(b, c, a.get(0)!, header.prime), 3)
    else if (kb === "constant") gates += 1 + extra(join(a, c, b.get(0)!, header.prime), 3)
    else gates += 1 + extra(a, 1) + extra(b, 1) + extra(c, 1)
  }
  return gates
}

/** The smallest power of two exponent `p` with `2^p ≥ n` (snarkjs's `log2(n - 1) + 1`). */
export const powerFor = (n: number): number => Math.max(1, Math.ceil(Math.log2(Math.max(2, n))))

/**
 * The powers-of-tau exponent a setup needs: Groth16's domain holds the
 * constraints, one per public signal and one more; PLONK's the gates, at
 * least 2^3 (snarkjs's minimum).
 */
export const ptauPower = (header: R1csHeader, gates: number | undefined, protocols: ReadonlyArray<"groth16" | "plonk">): number =>
  Math.max(
    protocols.includes("groth16") ? powerFor(header.constraints + header.publicInputs + header.publicOutputs + 1) : 1,
    protocols.includes("plonk") ? Math.max(3, powerFor(gates ?? 2 * header.constraints)) : 1
  )
