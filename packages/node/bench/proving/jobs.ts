/** The proofs both sides of the proving benchmark make: eight Groth16 proofs over three sizes. */
export const sizes = [16000, 16000, 16000, 16000, 16000, 16000, 16000, 16000] as const
export const inputFor = (i: number) => ({ x: String(1000 + i) })
