/**
 * Side (a) of the proving benchmark, in a process of its own: snarkjs used
 * directly, every proof at once with `Promise.all`, no budget. Each proof
 * is verified, as Provident verifies every proof it makes: both sides do the
 * same work per proof. Prints one JSON line: `{ makespanMs }`.
 */
import * as fs from "node:fs"
import * as snarkjs from "snarkjs"
import { inputFor, sizes } from "./jobs.ts"

const paths = JSON.parse(process.argv[2]!) as Record<string, { wasm: string; zkey: string; vkey: string }>
// fullProve (witness and proof in one call) is what an application calls directly.
const groth16 = snarkjs.groth16 as unknown as {
  fullProve: (input: unknown, wasm: string, zkey: string) => Promise<{ proof: unknown; publicSignals: Array<string> }>
  verify: (vkey: unknown, publicSignals: Array<string>, proof: unknown) => Promise<boolean>
}
const prove = async (size: number, i: number) => {
  const { proof, publicSignals } = await groth16.fullProve(inputFor(i), paths[size]!.wasm, paths[size]!.zkey)
  // Read per proof, as the managed side's verifier does.
  const vkey: unknown = JSON.parse(await fs.promises.readFile(paths[size]!.vkey, "utf8"))
  if (!(await groth16.verify(vkey, publicSignals, proof))) throw new Error(`a proof of square-${size} did not verify`)
}

await prove(1000, 99) // warm: the curve and its thread pool
const start = performance.now()
await Promise.all(sizes.map((size, i) => prove(size, i)))
const makespanMs = performance.now() - start
await (globalThis as { curve_bn128?: { terminate: () => Promise<void> } }).curve_bn128?.terminate()
console.log(JSON.stringify({ makespanMs }))
