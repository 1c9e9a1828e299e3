/** Resident memory of a process and all its descendants, from /proc (Linux). */
import * as fs from "node:fs"

const parentOf = (pid: string): string | undefined => {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8")
    // The command name may hold spaces and parentheses: fields resume after the last ")".
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]
  } catch {
    return undefined
  }
}

const rssOf = (pid: string): number => {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))
    return match === null ? 0 : Number(match[1]) * 1024
  } catch {
    return 0
  }
}

/** Bytes resident in `root` and every process below it right now. */
export const treeRss = (root: number): number => {
  const children = new Map<string, Array<string>>()
  for (const pid of fs.readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    const parent = parentOf(pid)
    if (parent !== undefined) children.set(parent, [...(children.get(parent) ?? []), pid])
  }
  let total = 0
  const stack = [String(root)]
  while (stack.length > 0) {
    const pid = stack.pop()!
    total += rssOf(pid)
    stack.push(...(children.get(pid) ?? []))
  }
  return total
}

/** Samples `treeRss(root)` every `everyMs` until stopped; the peak seen. */
export const sampler = (root: number, everyMs = 25) => {
  let peak = 0
  const timer = setInterval(() => {
    peak = Math.max(peak, treeRss(root))
  }, everyMs)
  return { stop: () => (clearInterval(timer), peak) }
}
