/**
 * Host-wide CPU and network counters from `/proc`, as pure parsers. Reading
 * the files directly is cheaper than `os.cpus()` (which also reads CPU
 * models and frequencies) and than systeminformation (which spawns).
 */

export interface CpuTicks {
  /** Ticks spent doing work. */
  readonly busy: number
  /** All ticks, idle and iowait included. */
  readonly total: number
}

/** The aggregate `cpu` line of `/proc/stat`. */
export const parseProcStat = (text: string): CpuTicks | undefined => {
  const line = text.split("\n").find((l) => l.startsWith("cpu "))
  if (line === undefined) return undefined
  // user nice system idle iowait irq softirq steal guest guest_nice; guest time is already in user/nice.
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = line
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number)
  const idleAll = idle + iowait
  const total = user + nice + system + idleAll + irq + softirq + steal
  return Number.isFinite(total) ? { busy: total - idleAll, total } : undefined
}

/** The same measure from `os.cpus()` times, for platforms without `/proc`. */
export const ticksFromCpus = (
  cpus: ReadonlyArray<{ readonly times: { readonly user: number; readonly nice: number; readonly sys: number; readonly idle: number; readonly irq: number } }>
): CpuTicks =>
  cpus.reduce(
    (acc, { times }) => {
      const total = times.user + times.nice + times.sys + times.idle + times.irq
      return { busy: acc.busy + total - times.idle, total: acc.total + total }
    },
    { busy: 0, total: 0 }
  )

/** Busy share between two readings in percent; `undefined` when no time passed. */
export const usagePercent = (before: CpuTicks, after: CpuTicks): number | undefined => {
  const total = after.total - before.total
  if (total <= 0) return undefined
  return Math.min(100, Math.max(0, ((after.busy - before.busy) / total) * 100))
}

export interface NetBytes {
  readonly rx: number
  readonly tx: number
}

/** Received and sent bytes over all interfaces but loopback, from `/proc/net/dev`. */
export const parseNetDev = (text: string): NetBytes | undefined => {
  let rx = 0
  let tx = 0
  let seen = false
  for (const line of text.split("\n").slice(2)) {
    const [name, rest] = line.split(":")
    if (name === undefined || rest === undefined || name.trim() === "lo") continue
    const fields = rest.trim().split(/\s+/).map(Number)
    const r = fields[0]
    const t = fields[8]
    if (r === undefined || t === undefined || !Number.isFinite(r) || !Number.isFinite(t)) continue
    rx += r
    tx += t
    seen = true
  }
  return seen ? { rx, tx } : undefined
}
