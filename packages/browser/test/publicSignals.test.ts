/**
 * The count of public signals, checked by the browser prover before snarkjs
 * verifies (see `@provident/core/PublicSignals`): with a key whose last
 * public signal is zero, snarkjs alone verifies the proof with that signal
 * dropped.
 */
import { assert, describe, it } from "@effect/vitest"
import { Prover } from "@provident/core"
import { Effect } from "effect"
import * as BrowserSnarkjsProver from "../src/BrowserSnarkjsProver.ts"
import { loadCircuit, squares } from "./fixtures.ts"

describe("BrowserSnarkjsProver.verify and the number of public signals", () => {
  it.effect("a real proof verifies with exactly nPublic signals only: one dropped or one added is false", () =>
    Effect.gen(function*() {
      const prover = yield* Prover.Prover
      const circuit = yield* loadCircuit("square-1000")
      const { witness } = yield* prover.computeWitness(circuit, { x: 3 }, { cores: 1 })
      const { proof } = yield* prover.prove(circuit, "groth16", witness, { cores: 1 })
      const y = squares(3n, 1000)
      const verify = (c: typeof circuit, publicSignals: ReadonlyArray<string>) => prover.verify(c, { ...proof, publicSignals })
      assert.isTrue(yield* verify(circuit, [y]))
      assert.isFalse(yield* verify(circuit, []))
      assert.isFalse(yield* verify(circuit, [y, "0"]), "one too many: false, not an exception")

      // The same key with a second public signal whose point is IC[1]: a statement [y, 0] holds for this proof.
      const vkey = (yield* Effect.promise(() => fetch(circuit.keys.groth16!.vkey).then((r) => r.json()))) as { nPublic: number; IC: Array<unknown> }
      const widened = `data:application/json,${encodeURIComponent(JSON.stringify({ ...vkey, nPublic: 2, IC: [...vkey.IC, vkey.IC[1]] }))}`
      // Another hash: artifacts are cached by it.
      const wide = { ...circuit, hash: `${circuit.hash}-widened`, keys: { groth16: { zkey: circuit.keys.groth16!.zkey, vkey: widened } } }
      assert.isTrue(yield* verify(wide, [y, "0"]), "the full statement verifies")
      assert.isFalse(yield* verify(wide, [y]), "its trailing zero dropped, it must not (snarkjs alone says true)")
    }).pipe(Effect.provide(BrowserSnarkjsProver.layer({ warm: 0 }))), 60_000)
})
