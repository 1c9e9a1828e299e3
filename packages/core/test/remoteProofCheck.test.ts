import { assert, describe, it } from "@effect/vitest"
import { Result } from "effect"
import * as Base64 from "effect/encoding/Base64"
import { chainFailure, judge, type LocalWitness } from "../src/internal/remoteAnswer.ts"
import { hasPublicSignals, parse, type Witness } from "../src/internal/wtns.ts"
import { RemoteProofInvalid, RemoteProverError } from "../src/RemoteProver.ts"
import { square1000X3 } from "./fixtures/square1000Witness.ts"

const BN128 = 21888242871839275222246405745257275088548364400416034343698204186575808495617n

const u32 = (n: number) => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff]
const le = (value: bigint, n8: number) => Array.from({ length: n8 }, (_, i) => Number((value >> BigInt(8 * i)) & 0xffn))
const section = (type: number, body: ReadonlyArray<number>) => [...u32(type), ...u32(body.length), ...u32(0), ...body]

/** A `.wtns` as snarkjs writes it: header section, then values section (or in the order given). */
const wtns = (values: ReadonlyArray<bigint>, options: { n8?: number; version?: number; order?: "header-first" | "values-first" } = {}) => {
  const n8 = options.n8 ?? 32
  const header = section(1, [...u32(n8), ...le(BN128, n8), ...u32(values.length)])
  const body = section(2, values.flatMap((v) => le(v, n8)))
  const sections = options.order === "values-first" ? [...body, ...header] : [...header, ...body]
  return new Uint8Array([..."wtns"].map((c) => c.charCodeAt(0)).concat(u32(options.version ?? 2), u32(2), sections))
}

const parsed = (bytes: Uint8Array): Witness => {
  const result = parse(bytes)
  if (Result.isFailure(result)) throw new Error(result.failure)
  return result.success
}

const failure = (bytes: Uint8Array): string => {
  const result = parse(bytes)
  return Result.isFailure(result) ? result.failure : "parsed"
}

const squares = (x: bigint, n: number) => {
  let y = x
  for (let i = 0; i < n; i++) y = (y * y) % BN128
  return y
}

describe("the .wtns reader", () => {
  it("reads a real witness of square-1000: the constant 1, the output, then the private input", () => {
    const bytes = Result.getOrThrow(Base64.decode(square1000X3))
    const witness = parsed(bytes)
    assert.strictEqual(witness.n8, 32)
    assert.strictEqual(witness.prime, BN128)
    assert.strictEqual(witness.length, (bytes.length - 12 - 52 - 12) / 32)
    assert.strictEqual(witness.at(0), 1n)
    assert.strictEqual(witness.at(1), squares(3n, 1000))
    assert.strictEqual(witness.at(2), 3n)
    // The public signals snarkjs would put in the proof: exactly [out].
    assert.isTrue(hasPublicSignals(witness, [squares(3n, 1000).toString()]))
    assert.isFalse(hasPublicSignals(witness, [squares(2n, 1000).toString()]))
  })

  it("reads hand-built bytes, little-endian, whatever the section order and value width", () => {
    const values = [1n, 0n, 255n, 256n, BN128 - 1n]
    for (const order of ["header-first", "values-first"] as const) {
      const witness = parsed(wtns(values, { order }))
      assert.deepStrictEqual(Array.from({ length: witness.length }, (_, i) => witness.at(i)), values, order)
    }
    const narrow = parsed(wtns([1n, 65_535n], { n8: 2 }))
    assert.deepStrictEqual([narrow.n8, narrow.at(1)], [2, 65_535n])
    assert.isTrue(parsed(wtns([1n, 7n], { version: 1 })).at(1) === 7n)
  })

  it("says why bytes are not a witness, without quoting any value", () => {
    const good = wtns([1n, 7n])
    assert.strictEqual(failure(new Uint8Array([0x37])), "shorter than a witness header")
    assert.strictEqual(failure(new Uint8Array([...good].map((b, i) => (i === 0 ? 0 : b)))), "not a wtns file")
    assert.strictEqual(failure(wtns([1n], { version: 3 })), "wtns version 3 is not supported")
    assert.match(failure(good.slice(0, good.length - 1)), /runs past the end/)
    assert.match(failure(good.slice(0, 20)), /cut off/)
    // Section count 1: the values section is never reached.
    const onlyHeader = new Uint8Array(good)
    onlyHeader[8] = 1
    assert.strictEqual(failure(onlyHeader), "section 2 is missing")
    // A count that disagrees with the values section.
    const header = section(1, [...u32(32), ...le(BN128, 32), ...u32(3)])
    const lying = new Uint8Array([..."wtns"].map((c) => c.charCodeAt(0)).concat(u32(2), u32(2), header, section(2, le(1n, 32))))
    assert.strictEqual(failure(lying), "the values section does not hold the header's count")
    for (const message of [failure(lying), failure(good.slice(0, good.length - 1))]) assert.notInclude(message, "7")
  })

  it("public signals must be exactly the values after the constant: same length, same decimal strings", () => {
    const witness = parsed(wtns([1n, 49n, 7n, 123n]))
    assert.isTrue(hasPublicSignals(witness, ["49", "7"]))
    assert.isTrue(hasPublicSignals(witness, ["49", "7", "123"]))
    assert.isFalse(hasPublicSignals(witness, ["49", "8"]))
    assert.isFalse(hasPublicSignals(witness, ["049", "7"]), "a decimal string as snarkjs writes it, not a number")
    assert.isFalse(hasPublicSignals(witness, ["49", "7", "123", "0"]), "more signals than the witness has")
  })
})

describe("judging a verified remote proof", () => {
  const computed: LocalWitness = { _tag: "Computed", witness: parsed(wtns([1n, 4n, 2n])) }

  it("checked when its public signals are the witness's; of another statement otherwise, or when the input has no proof", () => {
    assert.deepStrictEqual(judge(computed, ["4", "2"]), { checked: true })
    assert.isUndefined(judge(computed, ["49", "7"]))
    assert.isUndefined(judge({ _tag: "Violates" }, ["4", "2"]))
  })

  it("unchecked, with the reason, when the client has no witness", () => {
    assert.deepStrictEqual(judge({ _tag: "Unknown", reason: "no prover" }, ["4", "2"]), { checked: false, reason: "no prover" })
  })
})

describe("how a chain of endpoints ends", () => {
  const none = new RemoteProverError({ reason: "Unavailable", message: "no endpoint was tried" })
  const refused = (n: number) => new RemoteProverError({ reason: "Rejected", status: 422, message: `refused ${n}` })
  const unreachable = new RemoteProverError({ reason: "Unavailable", message: "could not be reached" })
  const timeout = new RemoteProverError({ reason: "Timeout", message: "no answer" })
  const failed = new RemoteProverError({ reason: "Unavailable", status: 500, message: "failed (500)" })
  const invalid = new RemoteProofInvalid({ endpoint: "e", circuit: "c", message: "does not verify" })

  it("Rejected when every endpoint that answered refused the input, however many were silent", () => {
    const both = chainFailure([refused(1), refused(2)], none)
    assert.deepStrictEqual([both._tag === "RemoteProverError" ? both.reason : "", both.message], ["Rejected", "refused 1"])
    assert.strictEqual(chainFailure([unreachable, refused(2), timeout], none).message, "refused 2")
  })

  it("otherwise the last failure that was not a refusal: one endpoint's 422 is not the verdict", () => {
    assert.strictEqual(chainFailure([refused(1), failed], none), failed)
    assert.strictEqual(chainFailure([failed, refused(2)], none), failed)
    assert.strictEqual(chainFailure([refused(1), invalid], none), invalid)
    assert.strictEqual(chainFailure([unreachable, timeout], none), timeout)
    const oversized422 = new RemoteProverError({ reason: "Unavailable", status: 422, message: "a body over 4.0 MiB" })
    assert.strictEqual(chainFailure([refused(1), oversized422], none), oversized422, "a 422 whose reason could not be read is no refusal")
    assert.strictEqual(chainFailure([], none), none)
  })
})
