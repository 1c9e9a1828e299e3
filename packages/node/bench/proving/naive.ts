/**
 * Side (a) of the proving benchmark, in a process of its own: snarkjs used
 * directly, every proof at once with `Promise.all`, no budget. Also the
 * single-proof baseline: one direct proof once snarkjs is warm.
 * Prints one JSON line: `{ makespanMs, singleMs }`.
 */
import * as snarkjs from "snarkjs"
import { inputFor, sizes } from "./jobs.ts"

const paths = JSON.parse(process.argv[2]!) as Record<string, { wasm: string; zkey: string }>
// fullProve (witness and proof in one call) is what an application calls directly.
const groth16 = snarkjs.groth16 as unknown as { fullProve: (input: unknown, wasm: string, zkey: string) => Promise<unknown> }
const prove = (size: number, i: number) => groth16.fullProve(inputFor(i), paths[size]!.wasm, paths[size]!.zkey)

await prove(1000, 99) // warm: the curve and its thread pool
const singleStart = performance.now()
await prove(4000, 98)
const singleMs = performance.now() - singleStart
const start = performance.now()
await Promise.all(sizes.map((size, i) => prove(size, i)))
const makespanMs = performance.now() - start
await (globalThis as { curve_bn128?: { terminate: () => Promise<void> } }).curve_bn128?.terminate()
console.log(JSON.stringify({ makespanMs, singleMs }))
