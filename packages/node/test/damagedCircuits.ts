/** A damaged circuits directory for the tests of skipping damaged circuits (a temporary copy: the committed examples are never touched). */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

export const examples = fileURLToPath(new URL("../../examples/circuits/build", import.meta.url))

/**
 * A copy of the example circuits with one circuit's Groth16 proving key
 * corrupted (one byte flipped) and another's wasm deleted; the third intact.
 * By default square-1000 is corrupted and square-16000 loses its wasm.
 */
export const damagedCopy = (options: { readonly corrupt?: string; readonly remove?: string } = {}): string => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "provident-circuits-"))
  fs.cpSync(examples, dir, { recursive: true })
  const zkey = path.join(dir, options.corrupt ?? "square-1000", "groth16.zkey")
  const bytes = fs.readFileSync(zkey)
  bytes[bytes.length - 10] = bytes[bytes.length - 10]! ^ 0xff
  fs.writeFileSync(zkey, bytes)
  fs.rmSync(path.join(dir, options.remove ?? "square-16000", "circuit.wasm"))
  return dir
}
