/**
 * Circuit artifacts for the browser prover, from the `manifest.json` that
 * sits beside every build (the examples' committed ones, or a cached build
 * served over HTTP): the circuit's id, family, size, content hash, and the
 * files it has, turned into a `CircuitArtifacts` whose files are URLs. The
 * manifest is decoded with Schema; only what the prover needs is read.
 *
 * @since 0.1.0
 */
import type { CircuitArtifacts, Protocol } from "@provident/core/Prover"
import { ProverError } from "@provident/core/ProverError"
import { Effect, Schema } from "effect"

/** The fields of a build's `manifest.json` that the browser reads. */
export const Manifest = Schema.Struct({
  version: Schema.Literal(1),
  id: Schema.String.check(Schema.isMinLength(1)),
  family: Schema.String.check(Schema.isMinLength(1)),
  hash: Schema.String.check(Schema.isMinLength(1)),
  constraints: Schema.Int.check(Schema.isGreaterThanOrEqualTo(1)),
  insecureSetup: Schema.Boolean,
  /** File name → SHA-256 of every file the build has. */
  files: Schema.Record(Schema.String, Schema.String)
})
export type Manifest = typeof Manifest.Type

/** The file names of a build, by role (as `Artifacts` on Node writes them). */
export const files = {
  wasm: "circuit.wasm",
  groth16: { zkey: "groth16.zkey", vkey: "groth16.vkey.json" },
  plonk: { zkey: "plonk.zkey", vkey: "plonk.vkey.json" }
} as const

/**
 * The artifacts a manifest describes; `url(name)` says where each file is
 * served (by default, beside the manifest). Protocols whose two key files
 * are not both listed are left out.
 */
export const fromManifest = (manifest: Manifest, url: (name: string) => string): CircuitArtifacts => {
  const keys = (protocol: Protocol) =>
    files[protocol].zkey in manifest.files && files[protocol].vkey in manifest.files
      ? { [protocol]: { zkey: url(files[protocol].zkey), vkey: url(files[protocol].vkey) } }
      : {}
  return {
    id: manifest.id,
    family: manifest.family,
    constraints: manifest.constraints,
    hash: manifest.hash,
    wasm: url(files.wasm),
    keys: { ...keys("groth16"), ...keys("plonk") },
    insecureSetup: manifest.insecureSetup
  }
}

const decodeManifest = Schema.decodeUnknownEffect(Manifest)

/**
 * Fetches and decodes the manifest at `manifestUrl` (relative URLs resolve
 * against the page). `url` places the files: by default beside the
 * manifest; a bundler that renames assets passes its own mapping.
 */
export const load = Effect.fn("BrowserArtifacts.load")(function*(
  manifestUrl: string,
  options: { readonly url?: (name: string) => string; readonly fetch?: typeof globalThis.fetch } = {}
) {
  const base = new URL(manifestUrl, globalThis.location?.href)
  const unavailable = (why: string) =>
    new ProverError({ reason: "ArtifactUnavailable", circuit: base.pathname, phase: "setup", message: `the manifest at ${base.href} ${why}` })
  const fetchFile = options.fetch ?? ((input, init) => globalThis.fetch(input, init))
  const json = yield* Effect.tryPromise({
    try: async (signal) => {
      const response = await fetchFile(base.href, { signal })
      return response.ok ? ({ ok: true, body: (await response.json()) as unknown }) : ({ ok: false, status: response.status })
    },
    catch: (error) => unavailable(`could not be read (${error instanceof Error ? error.name : "error"})`)
  })
  if (!json.ok) return yield* unavailable(`could not be fetched (HTTP ${json.status})`)
  const manifest = yield* decodeManifest(json.body).pipe(Effect.mapError(() => unavailable("is not a build manifest")))
  return fromManifest(manifest, options.url ?? ((name) => new URL(name, base).href))
})
