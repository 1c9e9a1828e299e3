/**
 * What a prover child (`proverWorker.ts`) reads from its parent: the thread
 * count in its environment and the `Request` messages, checked here without
 * Effect. Loading Effect's Schema and `@provident/core` would cost every
 * child ~45 MB of resident memory (a third of an idle child), and children
 * are what a proving budget pays for. The parent builds every request from
 * values it has already decoded with `proverProtocol.Request`; this guard
 * accepts exactly the shapes that Schema accepts (a test holds them equal),
 * so a malformed message is refused on both sides alike.
 */
import type { Protocol } from "@provident/core/Prover"
import type { Request } from "./proverProtocol.ts"

/** Environment variable telling a child how many proving threads to use. */
export const THREADS_ENV = "PROVIDENT_PROVER_THREADS"

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)
const isProtocol = (u: unknown): u is Protocol => u === "groth16" || u === "plonk"
const isStringArray = (u: unknown): u is ReadonlyArray<string> => Array.isArray(u) && u.every((s) => typeof s === "string")

/** The request `raw` is, or `undefined` when it is not one. */
export const parseRequest = (raw: unknown): Request | undefined => {
  if (!isRecord(raw)) return undefined
  switch (raw._tag) {
    case "Witness":
      return typeof raw.wasm === "string" && isRecord(raw.input)
        ? { _tag: "Witness", wasm: raw.wasm, input: { ...raw.input } }
        : undefined
    case "Prove":
      return isProtocol(raw.protocol) && typeof raw.zkey === "string" && raw.witness instanceof Uint8Array
        ? { _tag: "Prove", protocol: raw.protocol, zkey: raw.zkey, witness: raw.witness }
        : undefined
    case "Verify":
      return isProtocol(raw.protocol) && typeof raw.vkey === "string" && "proof" in raw && isStringArray(raw.publicSignals)
        ? { _tag: "Verify", protocol: raw.protocol, vkey: raw.vkey, proof: raw.proof, publicSignals: raw.publicSignals }
        : undefined
    default:
      return undefined
  }
}
