/**
 * Proving progress from snarkjs's debug log, as a pure mapping: snarkjs
 * reports the stages of a proof (`Reading A Points`, `> ROUND 3`) but no
 * percentages, so each stage that starts stands for the share of the work
 * done before it (measured on the example circuits; multi-exponentiations
 * dominate Groth16, rounds 3–4 PLONK). Only these fixed milestones leave
 * the child: log texts may carry values derived from the witness.
 */
import type { Prover } from "@provident/core"

const MILESTONES: Record<Prover.Protocol, ReadonlyArray<readonly [prefix: string, percent: number]>> = {
  groth16: [
    ["Reading Wtns", 2],
    ["Reading Coeffs", 4],
    ["Building ABC", 8],
    ["Join ABC", 30],
    ["Reading A Points", 35],
    ["Reading B1 Points", 45],
    ["Reading B2 Points", 55],
    ["Reading C Points", 75],
    ["Reading H Points", 85]
  ],
  plonk: [
    ["> Reading witness file", 2],
    ["> Reading zkey file", 4],
    ["> ROUND 1", 10],
    ["> ROUND 2", 30],
    ["> ROUND 3", 45],
    ["> ROUND 4", 75],
    ["> ROUND 5", 85]
  ]
}

/** The percent a log line marks for `protocol`, if it is a milestone. */
export const milestone = (protocol: Prover.Protocol, line: string): number | undefined =>
  MILESTONES[protocol].find(([prefix]) => line.startsWith(prefix))?.[1]
