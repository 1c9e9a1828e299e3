/**
 * Linux pressure stall information (PSI) mapped onto the Compute Pressure
 * scale. A PSI file (`/proc/pressure/cpu`, a cgroup's `memory.pressure`)
 * reports the share of wall time in which some (or all) tasks stalled
 * waiting for the resource, averaged over 10, 60 and 300 seconds.
 *
 * Mapping of the 10-second averages, in percent of time stalled:
 *
 * | state    | cpu `some` | memory `some` | or memory `full` |
 * |----------|-----------:|--------------:|-----------------:|
 * | fair     | ≥ 20       | ≥ 5           |                  |
 * | serious  | ≥ 50       | ≥ 15          | ≥ 5              |
 * | critical | ≥ 80       | ≥ 40          | ≥ 15             |
 *
 * Memory counts much earlier than CPU: any memory stall means the kernel is
 * reclaiming or swapping on our behalf, and `full` stalls (every task
 * waiting) are the prelude to the OOM killer. CPU stalls only mean contended
 * cores, which slows work without endangering it.
 */
import * as Pressure from "@provident/core/PressureState"

type PressureState = Pressure.PressureState

export interface PsiLine {
  readonly avg10: number
  readonly avg60: number
  readonly avg300: number
  /** Total stall time in microseconds. */
  readonly total: number
}

export interface Psi {
  readonly some: PsiLine
  readonly full?: PsiLine
}

/** Parses a PSI file; `undefined` when it has no `some` line. */
export const parsePsi = (text: string | undefined): Psi | undefined => {
  if (text === undefined) return undefined
  const lines = new Map<string, PsiLine>()
  for (const line of text.split("\n")) {
    const [kind, ...fields] = line.trim().split(/\s+/)
    if (kind !== "some" && kind !== "full") continue
    const values = new Map(fields.map((f) => {
      const [k, v] = f.split("=")
      return [k, Number(v)] as const
    }))
    const avg10 = values.get("avg10")
    const avg60 = values.get("avg60")
    const avg300 = values.get("avg300")
    const total = values.get("total")
    if ([avg10, avg60, avg300, total].some((v) => v === undefined || !Number.isFinite(v))) continue
    lines.set(kind, { avg10: avg10!, avg60: avg60!, avg300: avg300!, total: total! })
  }
  const some = lines.get("some")
  if (some === undefined) return undefined
  const full = lines.get("full")
  return full === undefined ? { some } : { some, full }
}

const level = (value: number, fair: number, serious: number, critical: number): PressureState =>
  value >= critical ? "critical" : value >= serious ? "serious" : value >= fair ? "fair" : "nominal"

export const cpuState = (psi: Psi): PressureState => level(psi.some.avg10, 20, 50, 80)

export const memoryState = (psi: Psi): PressureState =>
  Pressure.max(level(psi.some.avg10, 5, 15, 40), level(psi.full?.avg10 ?? 0, Infinity, 5, 15))
