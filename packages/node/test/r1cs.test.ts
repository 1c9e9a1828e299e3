import { assert, describe, it } from "@effect/vitest"
import * as fs from "node:fs"
import * as r1cs from "../src/internal/r1cs.ts"

/** bn128's scalar field, the prime circom compiles for. */
const BN128 = 21888242871839275222246405745257275088548364400416034343698204186575808495617n

/** `Squares(100)` as circom2 0.2.23 compiled it. */
const square100 = new Uint8Array(fs.readFileSync(new URL("./fixtures/r1cs/square-100.r1cs", import.meta.url)))

type Combination = ReadonlyArray<readonly [wire: number, coefficient: bigint]>

/** A minimal r1cs file: header and constraints sections, 32-byte field elements. */
const encode = (constraints: ReadonlyArray<readonly [Combination, Combination, Combination]>, publicOutputs = 1): Uint8Array => {
  const le = (n: bigint, bytes: number) => Array.from({ length: bytes }, (_, i) => Number((n >> BigInt(8 * i)) & 0xffn))
  const u32 = (n: number) => le(BigInt(n), 4)
  const section = (type: number, body: Array<number>) => [...u32(type), ...le(BigInt(body.length), 8), ...body]
  const header = [...u32(32), ...le(BN128, 32), ...u32(10), ...u32(publicOutputs), ...u32(0), ...u32(1), ...le(10n, 8), ...u32(constraints.length)]
  const lc = (c: Combination) => [...u32(c.length), ...c.flatMap(([w, k]) => [...u32(w), ...le(k, 32)])]
  const body = constraints.flatMap(([a, b, c]) => [...lc(a), ...lc(b), ...lc(c)])
  return new Uint8Array([..."r1cs"].map((ch) => ch.charCodeAt(0)).concat(u32(1), u32(2), section(1, header), section(2, body)))
}

describe("r1cs", () => {
  it("reads the header of a real r1cs file", () => {
    assert.deepStrictEqual(r1cs.parseHeader(square100), {
      fieldSize: 32,
      prime: BN128,
      wires: 103,
      publicOutputs: 1,
      publicInputs: 0,
      privateInputs: 1,
      labels: 105,
      constraints: 101
    })
  })

  it("counts the PLONK gates snarkjs makes (102 for Squares(100), as its setup logs)", () => {
    assert.strictEqual(r1cs.plonkGates(square100), 102)
  })

  it("counts addition gates for wide linear combinations, as snarkjs reduces them", () => {
    const one = 1n, k = 5n
    // x·(a + b + c) = d: A has three variables, two extra gates.
    assert.strictEqual(r1cs.plonkGates(encode([[[[1, one]], [[2, one], [3, one], [4, one]], [[5, one]]]], 0)), 3)
    // A linear constraint 0 = a + b + c + d + e: a gate holds three terms.
    assert.strictEqual(r1cs.plonkGates(encode([[[], [], [[1, one], [2, one], [3, one], [4, one], [5, one]]]], 0)), 3)
    // A constant factor folds into C: k·(x) − k·x cancels to nothing, one gate.
    assert.strictEqual(r1cs.plonkGates(encode([[[[0, k]], [[1, one]], [[1, k]]]], 0)), 1)
    // Plus one gate per public signal.
    assert.strictEqual(r1cs.plonkGates(encode([[[[1, one]], [[1, one]], [[2, one]]]], 3)), 4)
  })

  it("sizes the powers of tau for each protocol", () => {
    const header = r1cs.parseHeader(square100)!
    // Groth16: 101 constraints + 1 output + 1 ≤ 2^7; PLONK: 102 gates ≤ 2^7.
    assert.strictEqual(r1cs.ptauPower(header, 102, ["groth16"]), 7)
    assert.strictEqual(r1cs.ptauPower(header, 102, ["plonk"]), 7)
    assert.strictEqual(r1cs.ptauPower({ ...header, constraints: 16001 }, 16002, ["groth16", "plonk"]), 14)
    assert.strictEqual(r1cs.ptauPower({ ...header, constraints: 16383 }, undefined, ["groth16"]), 15, "2^14 has no room for the output and the +1")
    assert.strictEqual(r1cs.ptauPower({ ...header, constraints: 1 }, 2, ["plonk"]), 3, "snarkjs's PLONK minimum")
    assert.strictEqual(r1cs.powerFor(1024), 10)
    assert.strictEqual(r1cs.powerFor(1025), 11)
  })

  it("rejects what is not an r1cs file, or is cut short", () => {
    assert.isUndefined(r1cs.parseHeader(new TextEncoder().encode("not an r1cs file at all")))
    assert.isUndefined(r1cs.parseHeader(square100.subarray(0, 40)))
    assert.isUndefined(r1cs.plonkGates(square100.subarray(0, square100.length - 10)))
    assert.isUndefined(r1cs.parseHeader(new Uint8Array(0)))
  })
})
