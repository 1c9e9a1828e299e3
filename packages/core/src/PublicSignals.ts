/**
 * The check snarkjs leaves out: snarkjs 0.7's Groth16 `verify` combines as
 * many public signals as it is given, not the key's `nPublic`, so a proof
 * whose trailing public signals are zero still verifies with them dropped
 * (a shorter statement than the one proved), and one with too many fails
 * with an exception rather than `false`. Both platforms' provers call this
 * before verifying (PLONK and FFLONK check it themselves; the rule is the
 * same).
 *
 * No imports, so a prover process can load it without Effect.
 *
 * @since 0.1.0
 */

/** Whether `publicSignals` has exactly as many signals as the verification key declares (`nPublic`). */
export const matchKey = (vkey: unknown, publicSignals: ReadonlyArray<unknown>): boolean => {
  const nPublic = typeof vkey === "object" && vkey !== null ? (vkey as { readonly nPublic?: unknown }).nPublic : undefined
  return typeof nPublic === "number" && publicSignals.length === nPublic
}
