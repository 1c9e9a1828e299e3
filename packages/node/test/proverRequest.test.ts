import { assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import * as Option from "effect/Option"
import { decodeRequest } from "../src/internal/proverProtocol.ts"
import { parseRequest } from "../src/internal/proverRequest.ts"

// Values of every kind a message field could hold, right or wrong.
const anyValue = fc.oneof(
  fc.string(),
  fc.constantFrom("groth16", "plonk", "Witness", "Prove", "Verify"),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.uint8Array({ maxLength: 4 }),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 3 }), fc.oneof(fc.string(), fc.integer()), { maxKeys: 3 })
)

const message = fc.record(
  {
    _tag: fc.constantFrom("Witness", "Prove", "Verify", "Other", 1),
    wasm: anyValue,
    input: anyValue,
    protocol: anyValue,
    zkey: anyValue,
    witness: anyValue,
    vkey: anyValue,
    proof: anyValue,
    publicSignals: anyValue
  },
  { requiredKeys: ["_tag"] }
)

// Well-formed requests, each field replaced by an arbitrary value half the time.
const field = <A>(good: fc.Arbitrary<A>) => fc.oneof(good, anyValue)
const nearlyValid = fc.oneof(
  fc.record({ _tag: fc.constant("Witness"), wasm: field(fc.string()), input: field(fc.dictionary(fc.string(), fc.string())) }),
  fc.record({ _tag: fc.constant("Prove"), protocol: field(fc.constantFrom("groth16", "plonk")), zkey: field(fc.string()), witness: field(fc.uint8Array()) }),
  fc.record({
    _tag: fc.constant("Verify"),
    protocol: field(fc.constantFrom("groth16", "plonk")),
    vkey: field(fc.string()),
    proof: anyValue,
    publicSignals: field(fc.array(fc.string()))
  })
)

describe("the prover child's request guard", () => {
  it("accepts exactly what the Request schema accepts, and returns the same request", () => {
    let accepted = 0
    fc.assert(
      fc.property(fc.oneof(nearlyValid, message, anyValue), (raw) => {
        const guarded = parseRequest(raw)
        const decoded = decodeRequest(raw)
        assert.strictEqual(guarded !== undefined, Option.isSome(decoded), JSON.stringify(raw, (_, v) => (v instanceof Uint8Array ? `bytes(${v.length})` : v)))
        if (guarded !== undefined && Option.isSome(decoded)) {
          accepted++
          assert.deepStrictEqual(guarded, decoded.value)
        }
      }),
      { numRuns: 5000 }
    )
    // The comparison means something only if both outcomes occurred.
    assert.isAbove(accepted, 50)
  })

  it("refuses a Prove request without witness bytes and an unknown protocol", () => {
    assert.isUndefined(parseRequest({ _tag: "Prove", protocol: "groth16", zkey: "/k.zkey", witness: [1, 2] }))
    assert.isUndefined(parseRequest({ _tag: "Verify", protocol: "fflonk", vkey: "/v.json", proof: {}, publicSignals: [] }))
    assert.deepStrictEqual(parseRequest({ _tag: "Witness", wasm: "/c.wasm", input: { x: "3" } }), { _tag: "Witness", wasm: "/c.wasm", input: { x: "3" } })
  })
})
