import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as CircuitInput from "../src/CircuitInput.ts"
import * as Rules from "../src/internal/circuitInput.ts"
import * as ProverApi from "../src/ProverApi.ts"

const P = Rules.FIELD_MODULUS

/** `depth` arrays around `leaf`. */
const nested = (depth: number, leaf: unknown = "1"): unknown => {
  let value = leaf
  for (let i = 0; i < depth; i++) value = [value]
  return value
}

describe("circuit input rules", () => {
  it("numbers: non-negative safe integers only", () => {
    for (const ok of [0, 1, 7, Number.MAX_SAFE_INTEGER]) assert.isUndefined(Rules.numberIssue(ok), String(ok))
    // JSON.parse has already rounded it: …993 arrives as …992, which is not safe either.
    assert.strictEqual(Rules.numberIssue(JSON.parse("9007199254740993")), Rules.messages.unsafe)
    assert.strictEqual(Rules.numberIssue(1e300), Rules.messages.unsafe)
    assert.strictEqual(Rules.numberIssue(1.5), Rules.messages.notInteger)
    assert.strictEqual(Rules.numberIssue(Number.NaN), Rules.messages.notInteger)
    assert.strictEqual(Rules.numberIssue(Number.POSITIVE_INFINITY), Rules.messages.notInteger)
    assert.strictEqual(Rules.numberIssue(-1), Rules.messages.negative)
  })

  it("strings: decimal digits below p", () => {
    for (const ok of ["0", "7", "007", "9007199254740993", (P - 1n).toString(), `000${P - 1n}`]) assert.isUndefined(Rules.stringIssue(ok), ok)
    assert.strictEqual(Rules.stringIssue(P.toString()), Rules.messages.outOfField)
    assert.strictEqual(Rules.stringIssue((P + 5n).toString()), Rules.messages.outOfField)
    assert.strictEqual(Rules.stringIssue("9".repeat(100_000)), Rules.messages.outOfField)
    assert.strictEqual(Rules.stringIssue("-3"), Rules.messages.negative)
    for (const bad of ["", " 1", "1 ", "+1", "1.0", "1e3", "0x1f", "12345xyz", "-", "١٢"]) {
      assert.strictEqual(Rules.stringIssue(bad), Rules.messages.notDecimal, JSON.stringify(bad))
    }
  })

  it("depth: the first signal nesting more than MAX_DEPTH arrays, found without recursion", () => {
    assert.isUndefined(Rules.tooDeep({ x: nested(Rules.MAX_DEPTH), y: "1", z: [] }))
    assert.strictEqual(Rules.tooDeep({ a: [[1]], x: nested(Rules.MAX_DEPTH + 1) }), "x")
    assert.strictEqual(Rules.tooDeep({ x: nested(1_000_000) }), "x")
    // Wide is fine: only depth is bounded.
    assert.isUndefined(Rules.tooDeep({ x: Array.from({ length: 100_000 }, () => ["1", ["2"]]) }))
    assert.isUndefined(Rules.tooDeep("not an object"))
  })

  it("canonical strings, as snarkjs writes public signals", () => {
    assert.deepStrictEqual([7, "7", "007", "0"].map(Rules.canonical), ["7", "7", "7", "0"])
  })
})

describe("CircuitInput and ProofRequest decoding", () => {
  const request = (input: unknown) => ({ circuit: "square-1000", protocol: "groth16", input })
  const refusal = (input: unknown) => Effect.flip(ProverApi.decodeProofRequest(request(input)))

  it.effect("accepts exact field elements, numbers and strings, nested", () =>
    Effect.gen(function*() {
      const input = { x: "12345", y: 7, m: [[0, "1"], [P - 1n + "", 9007199254740991]] }
      assert.deepStrictEqual((yield* ProverApi.decodeProofRequest(request(input))).input, input)
      assert.deepStrictEqual<unknown>(yield* CircuitInput.decode({ x: nested(Rules.MAX_DEPTH) }), { x: nested(Rules.MAX_DEPTH) })
    }))

  it.effect("an unsafe integer is refused, naming the signal, never the value", () =>
    Effect.gen(function*() {
      const error = yield* refusal(JSON.parse(`{"x": 9007199254740993}`))
      assert.strictEqual(error._tag, "InvalidInput")
      assert.strictEqual(error.field, "input.x")
      assert.strictEqual(error.issues[0]?.message, "must be a safe integer; send larger values as decimal strings")
      assert.notInclude(error.message, "900719925474099")
    }))

  it.effect("fractions, negatives, values ≥ p and non-decimal strings are refused at their path", () =>
    Effect.gen(function*() {
      const cases: ReadonlyArray<readonly [unknown, string, string]> = [
        [{ x: 1.5 }, "input.x", Rules.messages.notInteger],
        [{ x: -4 }, "input.x", Rules.messages.negative],
        [{ x: "-4" }, "input.x", Rules.messages.negative],
        [{ xs: ["1", P.toString()] }, "input.xs[1]", Rules.messages.outOfField],
        [{ xs: [["1"], ["2", "0x1f"]] }, "input.xs[1][1]", Rules.messages.notDecimal]
      ]
      for (const [input, field, message] of cases) {
        const error = yield* refusal(input)
        assert.strictEqual(error.field, field, JSON.stringify(input))
        assert.strictEqual(error.issues[0]?.message, message, field)
      }
      assert.notInclude((yield* refusal({ x: "12345xyz" })).message, "12345")
    }))

  it.effect("10,000 levels of nesting are refused before the recursive decoder runs (no stack overflow)", () =>
    Effect.gen(function*() {
      const error = yield* refusal({ ok: "1", x: nested(10_000) })
      assert.strictEqual(error.field, "input.x")
      assert.strictEqual(error.issues[0]?.message, Rules.messages.tooDeep)
      assert.strictEqual((yield* Effect.flip(CircuitInput.decode({ x: nested(Rules.MAX_DEPTH + 1) }))).field, "x")
    }))
})
