/**
 * Verification in the page rather than in a worker: it is a pairing check
 * of tens of milliseconds on public data, so a worker's start-up (its
 * modules, snarkjs, a curve) would cost far more than the check. snarkjs
 * is loaded into the page on the first verification, with one
 * single-threaded curve (no sub-workers, ~2 MB) built once and reused.
 *
 * snarkjs's `verify` takes its curve from `globalThis.curve_bn128` (else it
 * builds a multi-threaded one, with a pool of sub-workers that would
 * outlive the check). The verifier puts its own curve there for the length
 * of a check and restores what was there before; checks run one at a time.
 */
import type { Protocol } from "@provident/core/Prover"
import { Effect, Semaphore } from "effect"
import * as Failure from "./proverFailure.ts"

type Curve = NonNullable<typeof globalThis.curve_bn128>

export interface Check {
  readonly protocol: Protocol
  readonly vkey: unknown
  readonly proof: unknown
  readonly publicSignals: ReadonlyArray<string>
}

export const make = () => {
  const lock = Semaphore.makeUnsafe(1)
  let curve: Promise<Curve> | undefined

  const check = async ({ protocol, vkey, proof, publicSignals }: Check): Promise<boolean> => {
    const snarkjs = await import("snarkjs")
    curve ??= snarkjs.curves.getCurveFromName("bn128", { singleThread: true })
    const previous = globalThis.curve_bn128
    globalThis.curve_bn128 = await curve
    try {
      return await snarkjs[protocol].verify(vkey, publicSignals, proof)
    } finally {
      globalThis.curve_bn128 = previous
    }
  }

  /** Whether `proof` holds; fails with the reason of a malformed proof or key. */
  const verify = (input: Check): Effect.Effect<boolean, Failure.Failure> =>
    lock.withPermits(1)(Effect.tryPromise({ try: () => check(input), catch: Failure.verifying }))

  return { verify }
}
