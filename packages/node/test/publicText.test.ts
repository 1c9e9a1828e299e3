import { assert, describe, it } from "@effect/vitest"
import { excerpt, withoutPaths } from "../src/internal/publicText.ts"

describe("text for clients", () => {
  it("names known artifacts by file name, spaces in their paths and all; other absolute paths become <path>", () => {
    const wasm = "/srv/my circuits/square-1000/circuit.wasm"
    assert.strictEqual(
      withoutPaths(`witness of square-1000: the circuit's wasm ${wasm} is missing`, [wasm]),
      "witness of square-1000: the circuit's wasm circuit.wasm is missing"
    )
    assert.strictEqual(withoutPaths("no readable manifest in /srv/my circuits/square-1000", [wasm]), "no readable manifest in <path>")
    assert.strictEqual(withoutPaths("ENOENT: no such file or directory, open '/home/a b/c.json'"), "ENOENT: no such file or directory, open '<path>'")
    assert.strictEqual(withoutPaths("C:\\Users\\alice\\x.zkey, ~/secret/x and file:///etc/passwd"), "<path>, <path> and file://<path>")
    for (const kept of ["1/2 of the cores", "and/or", "requests/s", "50% / 2", "proving failed (RangeError)"]) assert.strictEqual(withoutPaths(kept), kept)
  })

  it("excerpts cut at whole code points with an ellipsis", () => {
    assert.strictEqual(excerpt("nope"), "nope")
    assert.strictEqual(excerpt("c".repeat(50_000)), `${"c".repeat(64)}…`)
    assert.strictEqual(excerpt("😀".repeat(10), 3), "😀😀😀…")
  })
})
