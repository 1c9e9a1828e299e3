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
export const treeRss = (root: number): number => treeRssByProcess(root).reduce((a, b) => a + b, 0)

/** Bytes resident in `root` and in each process below it right now, `root` first. */
export const treeRssByProcess = (root: number): Array<number> => {
  const children = new Map<string, Array<string>>()
  for (const pid of fs.readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    const parent = parentOf(pid)
    if (parent !== undefined) children.set(parent, [...(children.get(parent) ?? []), pid])
  }
  const each: Array<number> = []
  const stack = [String(root)]
  while (stack.length > 0) {
    const pid = stack.pop()!
    each.push(rssOf(pid))
    stack.push(...(children.get(pid) ?? []))
  }
  return each
}

/**
 * Samples the tree of `root` every `everyMs` until stopped; the peak seen,
 * and what each process held then (MB, `root` first). Also kept apart: the
 * peak of `root` itself and the peak of its descendants together (for a
 * server, its own process and its prover children, each at its own worst
 * moment).
 */
export const sampler = (root: number, everyMs = 25) => {
  let peak = 0
  let atPeak: Array<number> = []
  let ownPeak = 0
  let childrenPeak = 0
  const timer = setInterval(() => {
    const each = treeRssByProcess(root)
    const total = each.reduce((a, b) => a + b, 0)
    ownPeak = Math.max(ownPeak, each[0] ?? 0)
    childrenPeak = Math.max(childrenPeak, total - (each[0] ?? 0))
    if (total > peak) {
      peak = total
      atPeak = each
    }
  }, everyMs)
  return {
    stop: () => (clearInterval(timer), peak),
    composition: () => atPeak.map((b) => Math.round(b / 2 ** 20)),
    /** Bytes: the most `root` itself held. */
    ownPeak: () => ownPeak,
    /** Bytes: the most `root`'s descendants held together. */
    childrenPeak: () => childrenPeak
  }
}
