/**
 * The main job's live view: one line per job with a progress bar, its
 * state, phase and strategy. Pure rendering; `main.ts` redraws it in place
 * on a terminal and prints only changes otherwise (CI logs).
 */
import type { Job } from "./workload.ts"

export interface JobState {
  readonly status: "queued" | "running" | "paused" | "done" | "failed"
  readonly phase: string
  readonly percent: number
  readonly strategy: string | undefined
  /** Times it was paused (by eviction) and resumed. */
  readonly pauses: number
}

export const initial: JobState = { status: "queued", phase: "queued", percent: 0, strategy: undefined, pauses: 0 }

const WIDTH = 20

export const bar = (percent: number): string => {
  const filled = Math.round((Math.max(0, Math.min(100, percent)) / 100) * WIDTH)
  return `[${"#".repeat(filled)}${"-".repeat(WIDTH - filled)}]`
}

const pad = (s: string, n: number) => (s.length >= n ? s : s + " ".repeat(n - s.length))

const shortStrategy = (s: string | undefined) => (s === undefined ? "" : s.replace("_COMPUTATION", "").toLowerCase())

export const row = (job: Job, state: JobState): string =>
  [
    pad(job.id, 4),
    pad(job.priority, 11),
    pad(`square-${job.size}`, 13),
    pad(job.protocol, 8),
    bar(state.percent),
    pad(`${Math.round(state.percent)}%`.padStart(4), 5),
    pad(state.status, 8),
    pad(state.phase, 14),
    pad(shortStrategy(state.strategy), 12),
    state.pauses > 0 ? `paused ×${state.pauses}` : ""
  ].join(" ").trimEnd()

export const header = (budgetMb: number, note: string): string => `Provident main job: budget ${budgetMb} MB${note === "" ? "" : ` — ${note}`}`

export const frame = (jobs: ReadonlyArray<Job>, states: ReadonlyMap<string, JobState>): ReadonlyArray<string> =>
  jobs.map((job) => row(job, states.get(job.id) ?? initial))
