/**
 * Circuits the CLI knows: directories of built artifacts (one subdirectory
 * with a `manifest.json` per circuit, as `Artifacts.exportTo` writes them).
 * By default the repository's example circuits when the CLI runs from it,
 * else the one `npm run build` ships in the package (`dist/circuits`).
 */
import type { CircuitArtifacts } from "@provident/core/Prover"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { Artifacts } from "../Artifacts.ts"

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

/** Every circuit under `directory`, each checked against its manifest. */
export const loadAll = (directory: string) =>
  Effect.gen(function*() {
    const artifacts = yield* Artifacts
    const entries = fs.existsSync(directory) ? fs.readdirSync(directory) : []
    const dirs = entries.map((e) => path.join(directory, e)).filter((d) => fs.existsSync(path.join(d, "manifest.json")))
    return yield* Effect.forEach(dirs, (d) => artifacts.load(d))
  })

/** One circuit: a directory with a manifest, or an id under `directory`. */
export const loadOne = (circuit: string, directory: string) =>
  Effect.gen(function*() {
    const artifacts = yield* Artifacts
    if (fs.existsSync(path.join(circuit, "manifest.json"))) return yield* artifacts.load(circuit)
    const all: ReadonlyArray<CircuitArtifacts> = yield* loadAll(directory)
    const found = all.find((c) => c.id === circuit)
    if (found === undefined) {
      return yield* Effect.fail(new Error(`no circuit ${circuit} in ${directory} (known: ${all.map((c) => c.id).join(", ") || "none"})`))
    }
    return found
  })
