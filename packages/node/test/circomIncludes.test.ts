import { assert, describe, it } from "@effect/vitest"
import { includesOf } from "../src/internal/circomIncludes.ts"

describe("circom includes", () => {
  it("finds every include statement, and none in comments", () => {
    const text = [
      "pragma circom 2.1.0;",
      "include \"lib/a.circom\";",
      "include   \"../node_modules/circomlib/circuits/poseidon.circom\" ;",
      "// include \"commented.circom\";",
      "/* include \"blocked.circom\";",
      "   still a comment */ include \"after-block.circom\";",
      "template T() {}"
    ].join("\n")
    assert.deepStrictEqual(includesOf(text), ["lib/a.circom", "../node_modules/circomlib/circuits/poseidon.circom", "after-block.circom"])
    assert.deepStrictEqual(includesOf("template Squares(N) {}"), [])
  })
})
