/**
 * The proofs both sides of the proving benchmark make: Groth16 proofs of the
 * largest default circuit (square-16000), `BENCH_PROOFS` of them (default 32:
 * enough that running them all at once needs clearly more memory than
 * Provident's fixed cost, its own process and a warm prover child).
 */
const count = Math.max(8, Math.floor(Number(process.env.BENCH_PROOFS ?? 32)) || 32)
export const sizes: ReadonlyArray<number> = Array.from({ length: count }, () => 16000)
export const inputFor = (i: number) => ({ x: String(1000 + i) })

/** Single proofs timed each way, alternately (`single.ts`); their medians are compared. */
export const SINGLE_RUNS = 9

export const median = (xs: ReadonlyArray<number>): number => {
  const sorted = [...xs].sort((a, b) => a - b)
  return sorted.length % 2 === 1 ? sorted[(sorted.length - 1) / 2]! : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2
}
