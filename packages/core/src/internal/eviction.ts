/**
 * Eviction under memory pressure, as a pure choice (kubelet's eviction
 * order, for one process): pause the lowest-priority pausable work first,
 * and within a priority the most recently started (it has the least progress
 * to lose), until the projected memory usage falls under the threshold.
 */

export interface Candidate {
  readonly id: number
  /** `Priority.rank`: lower is evicted first. */
  readonly rank: number
  readonly startedAt: number
  /** Memory granted, assumed in use and freed by pausing. */
  readonly memory: number
}

export const victims = (
  candidates: ReadonlyArray<Candidate>,
  used: number,
  capacity: number,
  thresholdPercent: number
): ReadonlyArray<number> => {
  const ordered = [...candidates].sort((a, b) => a.rank - b.rank || b.startedAt - a.startedAt || b.id - a.id)
  const out: Array<number> = []
  let projected = used
  for (const c of ordered) {
    if ((projected / capacity) * 100 < thresholdPercent) break
    out.push(c.id)
    projected -= c.memory
  }
  return out
}
