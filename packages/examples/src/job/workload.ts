/**
 * The main job's workload: a dozen proofs over the three example circuit
 * sizes, both protocols and all five priorities. Background work runs
 * progressively (checkpointed phases, pausable), so a pressure spike can
 * pause it and it resumes from its witness.
 */
import type { ComputationStrategy } from "@provident/core/ComputationStrategy"
import type { Priority } from "@provident/core/Priority"
import type { Protocol } from "@provident/core/Prover"

export interface Job {
  readonly id: string
  readonly size: 1000 | 4000 | 16000
  readonly protocol: Protocol
  readonly priority: Priority
  readonly strategies?: ReadonlyArray<ComputationStrategy>
}

const progressiveOnly: ReadonlyArray<ComputationStrategy> = ["PROGRESSIVE_COMPUTATION"]

export const jobs: ReadonlyArray<Job> = [
  { id: "j01", size: 1000, protocol: "groth16", priority: "critical" },
  { id: "j02", size: 4000, protocol: "groth16", priority: "high" },
  { id: "j03", size: 16000, protocol: "groth16", priority: "high" },
  { id: "j04", size: 1000, protocol: "plonk", priority: "medium" },
  { id: "j05", size: 4000, protocol: "plonk", priority: "medium" },
  { id: "j06", size: 16000, protocol: "groth16", priority: "medium" },
  { id: "j07", size: 1000, protocol: "groth16", priority: "low" },
  { id: "j08", size: 4000, protocol: "groth16", priority: "low" },
  { id: "j09", size: 4000, protocol: "plonk", priority: "low" },
  { id: "j10", size: 16000, protocol: "groth16", priority: "background", strategies: progressiveOnly },
  { id: "j11", size: 4000, protocol: "groth16", priority: "background", strategies: progressiveOnly },
  { id: "j12", size: 1000, protocol: "plonk", priority: "background", strategies: progressiveOnly }
]

/**
 * A private input for a job: a non-zero field element (the circuit proves it
 * knows one whose 2^N-th power is the public output). Derived from the job
 * id so runs are reproducible; it is never printed.
 */
export const inputFor = (job: Job): Record<string, string> => {
  let h = 2166136261
  for (const c of job.id) h = Math.imul(h ^ c.charCodeAt(0), 16777619)
  return { x: String((h >>> 0) % 1_000_000_007 + 2) }
}
