/**
 * The files a circom source includes, transitively, so that the artifact
 * cache key covers them: an edit to an included template must rebuild.
 * Resolution follows circom's: an `include "p";` is looked up relative to
 * the including file, then in each library directory (`-l`). An include
 * that resolves nowhere is left to the compiler to report.
 */
import { Effect, FileSystem } from "effect"
import * as path from "node:path"
import { sha256 } from "./manifest.ts"

/** The paths `include` statements name in circom `text`, comments ignored. */
export const includesOf = (text: string): ReadonlyArray<string> => {
  // Strings cannot hold comment markers in circom includes; strip block, then line comments.
  const code = text.replace(/\/\*[\s\S]*?\*\//g, " ").replace(/\/\/[^\n]*/g, " ")
  return [...code.matchAll(/\binclude\s+"([^"]+)"\s*;/g)].map((m) => m[1]!)
}

/** An included file: where it is relative to the main source's directory, and its content hash. */
export interface Included {
  readonly path: string
  readonly sha256: string
}

/**
 * Every file `source` (whose text is `text`) includes, transitively, each
 * once, in a stable order; resolved against `libraries` after each file's
 * own directory.
 */
export const closure = Effect.fnUntraced(function*(source: string, text: string, libraries: ReadonlyArray<string>) {
  const fs = yield* FileSystem.FileSystem
  const root = path.dirname(path.resolve(source))
  const seen = new Set<string>([path.resolve(source)])
  const found: Array<Included> = []
  const pending: Array<readonly [string, string]> = [[path.resolve(source), text]]
  while (pending.length > 0) {
    const [file, content] = pending.shift()!
    for (const include of includesOf(content)) {
      const candidates = [path.resolve(path.dirname(file), include), ...libraries.map((dir) => path.resolve(dir, include))]
      for (const candidate of candidates) {
        if (seen.has(candidate)) break
        const read = yield* Effect.option(fs.readFileString(candidate))
        if (read._tag === "None") continue
        seen.add(candidate)
        found.push({ path: path.relative(root, candidate), sha256: sha256(read.value) })
        pending.push([candidate, read.value])
        break
      }
    }
  }
  return found.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
})
