/**
 * The main job's closing report: per job what ran where, how long it waited
 * and ran, its peak memory, and what the predictor expected; then the
 * makespan against a lower bound no schedule can beat under the same budget.
 */
import type { Job } from "./workload.ts"

export interface Outcome {
  readonly job: Job
  readonly success: boolean
  readonly verified: boolean
  readonly strategy: string | undefined
  /** ms from submission to first admission. */
  readonly waitMs: number
  /** ms of running: the time the job held a grant (pauses and waits excluded). */
  readonly runMs: number
  readonly peakBytes: number | undefined
  readonly cores: number
  /** CPU time the prover children used, when the prover reports it. */
  readonly cpuMs: number | undefined
  readonly predictedMs: number
  readonly predictedBytes: number
  readonly pauses: number
  readonly witnessRestored: boolean
  readonly error?: string
}

/**
 * A makespan no schedule could beat: the longest single job; all jobs'
 * memory-time (peak × running time) spread perfectly over the budget; and all
 * CPU time the provers measured spread perfectly over the budget's cores.
 * (CPU time is measured, not granted cores × time: a job does not keep every
 * granted core busy in every phase, so grants would overstate the work.)
 */
export const lowerBoundMs = (outcomes: ReadonlyArray<Outcome>, budgetBytes: number, budgetCores: number): number => {
  const done = outcomes.filter((o) => o.success)
  if (done.length === 0) return 0
  const longest = Math.max(...done.map((o) => o.runMs))
  const memoryTime = done.reduce((acc, o) => acc + o.runMs * (o.peakBytes ?? 0), 0) / Math.max(1, budgetBytes)
  const cpuTime = done.reduce((acc, o) => acc + (o.cpuMs ?? 0), 0) / Math.max(1, budgetCores)
  return Math.max(longest, memoryTime, cpuTime)
}

/** How long an operation held a grant, from the allocator's events: each `running` to what ended it. */
export const heldMs = (events: ReadonlyArray<{ readonly name: string; readonly state: string; readonly at: number }>, name: string): number => {
  let total = 0
  let since: number | undefined
  for (const e of events) {
    if (e.name !== name) continue
    if (e.state === "running") since = e.at
    else if (since !== undefined) {
      total += e.at - since
      since = undefined
    }
  }
  return total
}

const MB = 1024 * 1024
const s = (ms: number) => (ms / 1000).toFixed(1)
const mb = (bytes: number | undefined) => (bytes === undefined ? "-" : (bytes / MB).toFixed(0))

export const table = (outcomes: ReadonlyArray<Outcome>): ReadonlyArray<string> => {
  const head = ["job", "priority", "circuit", "protocol", "strategy", "wait s", "run s", "pred s", "peak MB", "pred MB", "pauses", "verified"]
  const rows = outcomes.map((o) => [
    o.job.id,
    o.job.priority,
    `square-${o.job.size}`,
    o.job.protocol,
    (o.strategy ?? "-").replace("_COMPUTATION", "").toLowerCase() + (o.witnessRestored ? " (witness restored)" : ""),
    s(o.waitMs),
    s(o.runMs),
    s(o.predictedMs),
    mb(o.peakBytes),
    mb(o.predictedBytes),
    String(o.pauses),
    o.success ? (o.verified ? "yes" : "NO") : `failed: ${o.error ?? "?"}`
  ])
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  const line = (cells: ReadonlyArray<string>) => cells.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd()
  return [line(head), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)]
}
