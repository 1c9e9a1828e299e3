import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { readFileOrUndefined } from "../src/internal/files.ts"

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures")

/** A file reader rooted in a fixture tree: `/proc/self/cgroup` reads `fixtures/<tree>/proc/self/cgroup`. */
export const fixtureReader = (tree: string) => (file: string): string | undefined =>
  readFileOrUndefined(path.join(root, tree, file))

export const fixture = (file: string): string => {
  const text = readFileOrUndefined(path.join(root, file))
  if (text === undefined) throw new Error(`missing fixture ${file}`)
  return text
}
