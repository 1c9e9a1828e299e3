/**
 * The manifest beside a circuit's artifacts (`manifest.json`): what was
 * built, from what, and the SHA-256 of every file, so a damaged or
 * half-written file is noticed and rebuilt instead of failing a proof later.
 * The same document describes cached builds and the prebuilt artifacts
 * committed with the examples.
 */
import { Prover } from "@provident/core"
import { Effect, FileSystem, Option, Schema } from "effect"
import { createHash } from "node:crypto"
import * as path from "node:path"
import { writeFileAtomically } from "./atomicWrite.ts"

export const MANIFEST = "manifest.json"

/** The files of a build, by role. */
export const files = {
  r1cs: "circuit.r1cs",
  wasm: "circuit.wasm",
  groth16: { zkey: "groth16.zkey", vkey: "groth16.vkey.json" },
  plonk: { zkey: "plonk.zkey", vkey: "plonk.vkey.json" }
} as const

export const Manifest = Schema.Struct({
  version: Schema.Literal(1),
  id: Schema.String,
  family: Schema.String,
  /** The content hash the build is keyed by (circuit source, template, parameters, toolchain versions). */
  hash: Schema.String,
  template: Schema.String,
  params: Schema.Array(Schema.Int),
  publicInputs: Schema.Array(Schema.String),
  toolchain: Schema.Struct({ circom2: Schema.String, snarkjs: Schema.String }),
  constraints: Schema.Int.check(Schema.isGreaterThanOrEqualTo(1)),
  plonkGates: Schema.optionalKey(Schema.Int),
  /** The powers-of-tau exponent the keys were made with. */
  ptauPower: Schema.optionalKey(Schema.Int),
  /** Keys from a single-party setup: fine for testing, not for production secrets. */
  insecureSetup: Schema.Boolean,
  /** File name → SHA-256 (hex) of every artifact present. */
  files: Schema.Record(Schema.String, Schema.String)
})
export type Manifest = typeof Manifest.Type

const decodeManifest = Schema.decodeUnknownOption(Schema.fromJsonString(Manifest))
const encodeManifest = Schema.encodeSync(Schema.fromJsonString(Manifest))

/** SHA-256 (hex) of bytes. */
export const sha256 = (data: Uint8Array | string): string => createHash("sha256").update(data).digest("hex")

/** The manifest in `dir`, none when missing, unreadable or not a valid manifest. */
export const read = Effect.fnUntraced(function*(dir: string) {
  const fs = yield* FileSystem.FileSystem
  return yield* fs.readFileString(path.join(dir, MANIFEST)).pipe(
    Effect.map(decodeManifest),
    Effect.orElseSucceed(() => Option.none<Manifest>())
  )
})

/** Writes the manifest atomically and durably (`atomicWrite.ts`): a reader never sees half of it. */
export const write = (dir: string, manifest: Manifest) =>
  writeFileAtomically(path.join(dir, MANIFEST), `${encodeManifest(manifest)}\n`)

/** The SHA-256 of `file`, none when it cannot be read. */
export const hashFile = Effect.fnUntraced(function*(file: string) {
  const fs = yield* FileSystem.FileSystem
  return yield* fs.readFile(file).pipe(
    Effect.map((data) => Option.some(sha256(data))),
    Effect.orElseSucceed(() => Option.none<string>())
  )
})

/**
 * What is wrong with a file the manifest lists: it is not there, it cannot
 * be read (permissions, a directory in its place), or its content has
 * another hash (damaged, half-written, replaced). Told apart because the
 * fixes differ: restore the file, fix its mode, rebuild it.
 */
export type Damage = "missing" | "unreadable" | "fails its hash"

/** The SHA-256 of `file`, or why there is none. */
const stateOf = Effect.fnUntraced(function*(file: string) {
  const fs = yield* FileSystem.FileSystem
  return yield* fs.readFile(file).pipe(
    Effect.map((data): { readonly hash: string } | { readonly damage: Damage } => ({ hash: sha256(data) })),
    Effect.catchTag("PlatformError", (e) =>
      Effect.succeed({ damage: e.reason._tag === "NotFound" ? "missing" as const : "unreadable" as const }))
  )
})

/** Each file of the manifest that is missing, unreadable or fails its hash in `dir`, by name (in the manifest's order). */
export const inspect = (dir: string, manifest: Manifest) =>
  Effect.forEach(
    Object.entries(manifest.files),
    ([name, expected]) =>
      Effect.map(stateOf(path.join(dir, name)), (state): readonly [string, Damage] | undefined =>
        "damage" in state ? [name, state.damage] : state.hash === expected ? undefined : [name, "fails its hash"]),
    { concurrency: 4 }
  ).pipe(Effect.map((entries) => new Map(entries.filter((e) => e !== undefined))))

/** `groth16.zkey is missing, plonk.zkey fails its hash`: file names only, never a directory. */
export const describeDamage = (damage: ReadonlyMap<string, Damage>): string =>
  [...damage].map(([name, what]) => `${name} ${what === "missing" ? "is missing" : what === "unreadable" ? "is unreadable" : "fails its hash"}`)
    .join(", ")

/** The names in the manifest whose file in `dir` is missing, unreadable or has another hash. */
export const damaged = (dir: string, manifest: Manifest) => Effect.map(inspect(dir, manifest), (damage) => new Set(damage.keys()))

/** Whether both key files of `protocol` are listed. */
export const hasKeys = (manifest: Manifest, protocol: Prover.Protocol): boolean =>
  files[protocol].zkey in manifest.files && files[protocol].vkey in manifest.files

/** The artifacts a manifest describes, as paths in `dir`. */
export const toArtifacts = (dir: string, manifest: Manifest): Prover.CircuitArtifacts => {
  const keys = (protocol: Prover.Protocol) =>
    hasKeys(manifest, protocol)
      ? { [protocol]: { zkey: path.join(dir, files[protocol].zkey), vkey: path.join(dir, files[protocol].vkey) } }
      : {}
  return {
    id: manifest.id,
    family: manifest.family,
    constraints: manifest.constraints,
    hash: manifest.hash,
    wasm: path.join(dir, files.wasm),
    keys: { ...keys("groth16"), ...keys("plonk") },
    insecureSetup: manifest.insecureSetup
  }
}
