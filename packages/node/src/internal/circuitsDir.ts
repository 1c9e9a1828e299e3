/**
 * Circuits the CLI knows: directories of built artifacts (one subdirectory
 * with a `manifest.json` per circuit, as `Artifacts.exportTo` writes them).
 * By default the repository's example circuits when the CLI runs from it,
 * else the one `npm run build` ships in the package (`dist/circuits`).
 *
 * Every file is checked against its manifest's hash, as `Artifacts.load`
 * does. A damaged circuit is skipped with a warning naming it and what is
 * wrong (a file missing, unreadable or failing its hash): one bad
 * subdirectory must not take the others down with it.
 */
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import type { CircuitArtifacts } from "@provident/core/Prover"
import { Effect, Option } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import * as Manifest from "./manifest.ts"

/**
 * `$PROVIDENT_CIRCUITS_DIR`, else the example circuits of this repository
 * (from `src/internal` and `dist/internal` alike), else those shipped in the
 * installed package.
 */
export const defaultDirectory = (): string => {
  if (process.env.PROVIDENT_CIRCUITS_DIR !== undefined) return process.env.PROVIDENT_CIRCUITS_DIR
  const repository = fileURLToPath(new URL("../../../examples/circuits/build", import.meta.url))
  return fs.existsSync(repository) ? repository : fileURLToPath(new URL("../circuits", import.meta.url))
}

/** A circuit that was not loaded: its id (the directory's name when the manifest is unreadable) and why. */
export interface Skipped {
  readonly id: string
  readonly directory: string
  readonly reason: string
}

type Checked = { readonly _tag: "Loaded"; readonly circuit: CircuitArtifacts } | { readonly _tag: "Skipped"; readonly skipped: Skipped }

/** One circuit directory, checked against its manifest. */
const check = (dir: string) =>
  Effect.gen(function*() {
    const manifest = yield* Manifest.read(dir)
    if (Option.isNone(manifest)) {
      return { _tag: "Skipped", skipped: { id: path.basename(dir), directory: dir, reason: `its ${Manifest.MANIFEST} is unreadable or invalid` } } satisfies Checked
    }
    const damage = yield* Manifest.inspect(dir, manifest.value)
    if (damage.size > 0) {
      return { _tag: "Skipped", skipped: { id: manifest.value.id, directory: dir, reason: Manifest.describeDamage(damage) } } satisfies Checked
    }
    return { _tag: "Loaded", circuit: Manifest.toArtifacts(dir, manifest.value) } satisfies Checked
  })

const warn = (s: Skipped) => Effect.logWarning(`skipping circuit ${s.id} (${s.directory}): ${s.reason}`)

/** The intact circuits under `directory` and the damaged ones, each of which is warned about. */
export const scan = (directory: string) =>
  Effect.gen(function*() {
    const entries = fs.existsSync(directory) ? fs.readdirSync(directory).sort() : []
    const dirs = entries.map((e) => path.join(directory, e)).filter((d) => fs.existsSync(path.join(d, Manifest.MANIFEST)))
    const checked = yield* Effect.forEach(dirs, check)
    const circuits = checked.flatMap((c) => (c._tag === "Loaded" ? [c.circuit] : []))
    const skipped = checked.flatMap((c) => (c._tag === "Skipped" ? [c.skipped] : []))
    yield* Effect.forEach(skipped, warn, { discard: true })
    return { circuits, skipped }
  }).pipe(Effect.provide(NodeFileSystem.layer))

/** Every intact circuit under `directory`; damaged ones are skipped with a warning. */
export const loadAll = (directory: string) => Effect.map(scan(directory), (s) => s.circuits)

/** One circuit: a directory with a manifest, or an id under `directory` (which fails, saying why, when that one is damaged). */
export const loadOne = (circuit: string, directory: string) =>
  Effect.gen(function*() {
    if (fs.existsSync(path.join(circuit, Manifest.MANIFEST))) {
      const one = yield* check(circuit).pipe(Effect.provide(NodeFileSystem.layer))
      if (one._tag === "Skipped") return yield* Effect.fail(new Error(`circuit ${one.skipped.id} in ${circuit} is damaged: ${one.skipped.reason}`))
      return one.circuit
    }
    const { circuits, skipped } = yield* scan(directory)
    const found = circuits.find((c) => c.id === circuit)
    if (found !== undefined) return found
    const damaged = skipped.find((s) => s.id === circuit)
    if (damaged !== undefined) return yield* Effect.fail(new Error(`circuit ${circuit} in ${damaged.directory} is damaged: ${damaged.reason}`))
    return yield* Effect.fail(new Error(`no circuit ${circuit} in ${directory} (known: ${circuits.map((c) => c.id).join(", ") || "none"})`))
  })
