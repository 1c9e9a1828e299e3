/**
 * The count of public signals, checked by the Node prover before snarkjs
 * verifies: snarkjs 0.7's Groth16 verify combines as many signals as it is
 * given, not the key's `nPublic`. With a key whose last public signal is
 * zero (here: square-1000's key with a second public input added, proved as
 * 0), the proof verified with that signal dropped: a shorter statement
 * than the one proved. And one signal too many threw inside snarkjs.
 */
import { assert, describe, it } from "@effect/vitest"
import { Prover } from "@provident/core/Prover"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import * as NodeSnarkjsProver from "../src/NodeSnarkjsProver.ts"
import { tempDir } from "./promiseNodeOptions.ts"
import { square1000, square1000Output } from "./serverFixtures.ts"

describe("NodeSnarkjsProver.verify and the number of public signals", { timeout: 60_000 }, () => {
  it.live("a real proof verifies with exactly nPublic signals only: one dropped or one added is false", () =>
    Effect.gen(function*() {
      const circuit = yield* square1000
      const prover = yield* Prover
      const { witness } = yield* prover.computeWitness(circuit, { x: "3" }, { cores: 1 })
      const { proof } = yield* prover.prove(circuit, "groth16", witness, { cores: 1 })
      const y = square1000Output(3n)
      assert.deepStrictEqual(proof.publicSignals, [y])
      const verify = (c: typeof circuit, publicSignals: ReadonlyArray<string>) => prover.verify(c, { ...proof, publicSignals })

      assert.isTrue(yield* verify(circuit, [y]))
      assert.isFalse(yield* verify(circuit, []), "the only signal dropped")
      assert.isFalse(yield* verify(circuit, [y, "0"]), "one too many: false, not an exception")

      // The same key with a second public signal whose point is IC[1]: a statement [y, 0] holds for this proof.
      const vkey = JSON.parse(fs.readFileSync(circuit.keys.groth16!.vkey, "utf8")) as { nPublic: number; IC: Array<unknown> }
      const dir = tempDir()
      const widened = path.join(dir, "groth16.vkey.json")
      fs.writeFileSync(widened, JSON.stringify({ ...vkey, nPublic: 2, IC: [...vkey.IC, vkey.IC[1]] }))
      const wide = { ...circuit, keys: { groth16: { zkey: circuit.keys.groth16!.zkey, vkey: widened } } }
      assert.isTrue(yield* verify(wide, [y, "0"]), "the full statement verifies")
      assert.isFalse(yield* verify(wide, [y]), "its trailing zero dropped, it must not (snarkjs alone says true)")
      fs.rmSync(dir, { recursive: true, force: true })
    }).pipe(Effect.provide(NodeSnarkjsProver.layer({ warm: 0 }))))
})
