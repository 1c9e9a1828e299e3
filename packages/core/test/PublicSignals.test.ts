import { assert, describe, it } from "@effect/vitest"
import { matchKey } from "../src/PublicSignals.ts"

describe("PublicSignals.matchKey", () => {
  it("exactly nPublic signals: not fewer (a truncated statement), not more, and a key without nPublic matches nothing", () => {
    const vkey = { protocol: "groth16", nPublic: 2 }
    assert.isTrue(matchKey(vkey, ["1", "0"]))
    assert.isFalse(matchKey(vkey, ["1"]))
    assert.isFalse(matchKey(vkey, ["1", "0", "0"]))
    assert.isTrue(matchKey({ nPublic: 0 }, []))
    for (const broken of [{}, { nPublic: "2" }, null, "vkey", undefined]) assert.isFalse(matchKey(broken, ["1", "0"]))
  })
})
