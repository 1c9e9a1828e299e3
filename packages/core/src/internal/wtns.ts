/**
 * Reading circom's witness file (`.wtns`, as snarkjs writes it): the magic
 * `wtns`, a version (≤ 2), a section count, then sections, each a type
 * (u32), a byte size (u64) and its bytes. Section 1 is the header (`n8`, the
 * prime in `n8` bytes, the number of values), section 2 the values, `n8`
 * bytes each, little-endian, in normal (not Montgomery) form. Index 0 is the
 * constant 1, then the outputs, then the public inputs: the values snarkjs
 * takes as a proof's public signals.
 *
 * Pure, and lazy in the values: a witness can hold millions of them and the
 * remote client needs only the first few.
 */
import { Result } from "effect"

export interface Witness {
  /** Bytes per value. */
  readonly n8: number
  readonly prime: bigint
  /** How many values the witness holds, the constant 1 included. */
  readonly length: number
  /** The value at `index` (0 ≤ index < length). */
  readonly at: (index: number) => bigint
}

const MAX_VERSION = 2

/** A little-endian unsigned integer of `n` bytes at `offset`. */
const readLE = (bytes: Uint8Array, offset: number, n: number): bigint => {
  let value = 0n
  for (let i = n - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[offset + i]!)
  return value
}

interface Section {
  readonly offset: number
  readonly size: number
}

/** The sections by type, or why the layout is broken. */
const sections = (bytes: Uint8Array, view: DataView): Result.Result<ReadonlyMap<number, ReadonlyArray<Section>>, string> => {
  const count = view.getUint32(8, true)
  const found = new Map<number, Array<Section>>()
  let offset = 12
  for (let i = 0; i < count; i++) {
    if (offset + 12 > bytes.length) return Result.fail(`section ${i + 1} of ${count} is cut off`)
    const type = view.getUint32(offset, true)
    // u64 as two u32: a size beyond 2^53 is larger than any buffer anyway.
    const size = view.getUint32(offset + 4, true) + view.getUint32(offset + 8, true) * 2 ** 32
    offset += 12
    if (offset + size > bytes.length) return Result.fail(`section ${type} runs past the end`)
    found.set(type, [...(found.get(type) ?? []), { offset, size }])
    offset += size
  }
  return Result.succeed(found)
}

const unique = (all: ReadonlyMap<number, ReadonlyArray<Section>>, type: number): Result.Result<Section, string> => {
  const list = all.get(type) ?? []
  return list.length === 1 ? Result.succeed(list[0]!) : Result.fail(list.length === 0 ? `section ${type} is missing` : `section ${type} is duplicated`)
}

/** The witness in `bytes`, or why they are not one (never quoting values). */
export const parse = (bytes: Uint8Array): Result.Result<Witness, string> => {
  if (bytes.length < 12) return Result.fail("shorter than a witness header")
  if (String.fromCharCode(bytes[0]!, bytes[1]!, bytes[2]!, bytes[3]!) !== "wtns") return Result.fail("not a wtns file")
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const version = view.getUint32(4, true)
  if (version > MAX_VERSION) return Result.fail(`wtns version ${version} is not supported`)
  return Result.flatMap(sections(bytes, view), (all) =>
    Result.flatMap(unique(all, 1), (header) =>
      Result.flatMap(unique(all, 2), (values) => {
        if (header.size < 4) return Result.fail("the header section is too short")
        const n8 = view.getUint32(header.offset, true)
        if (n8 === 0 || header.size !== 4 + n8 + 4) return Result.fail("the header section has the wrong size")
        const prime = readLE(bytes, header.offset + 4, n8)
        const length = view.getUint32(header.offset + 4 + n8, true)
        if (values.size !== length * n8) return Result.fail("the values section does not hold the header's count")
        const at = (index: number) => readLE(bytes, values.offset + index * n8, n8)
        return Result.succeed({ n8, prime, length, at })
      })))
}

/**
 * Whether `publicSignals` are exactly this witness's public signals: as
 * many as claimed exist after the constant, and each equals the value at its
 * index as snarkjs writes it (a decimal string).
 */
export const hasPublicSignals = (witness: Witness, publicSignals: ReadonlyArray<string>): boolean =>
  publicSignals.length + 1 <= witness.length &&
  publicSignals.every((signal, i) => signal === witness.at(i + 1).toString())
