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

/** Whether process `pid` is alive (signal 0 delivers nothing; it only checks). */
export const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}
