/**
 * What the FALLBACK_COMPUTATION branch carries from the remote prover into
 * the `ProofResult`: a proof whose public signals the client could not check
 * says so (`statementUnchecked`), so nothing reports it as verified.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber } from "effect"
import { TestClock } from "effect/testing"
import * as AdaptiveExecutor from "../src/AdaptiveExecutor.ts"
import * as ProofComputation from "../src/ProofComputation.ts"
import { Prover } from "../src/Prover.ts"
import type * as RemoteProver from "../src/RemoteProver.ts"
import { circuit, executorOn } from "./executorFixtures.ts"


/** A prover that must not be used: everything goes to the remote prover. */
const unused = Prover.of({
  computeWitness: () => Effect.die("local witness"),
  prove: () => Effect.die("local proof"),
  verify: () => Effect.die("local verify")
})

const remoteWith = (statement: RemoteProver.Statement): RemoteProver.Service => ({
  prove: () => Effect.succeed({ proof: { protocol: "groth16", proof: {}, publicSignals: ["1"] }, endpoint: "https://prover.example.com", statement })
})

const fallBack = (statement: RemoteProver.Statement) =>
  Effect.gen(function*() {
    const executor = yield* AdaptiveExecutor.AdaptiveExecutor
    const fiber = yield* Effect.forkChild(
      executor.execute("p", ProofComputation.computation(circuit, "groth16", { x: 1 }), ProofComputation.defaultProfile(circuit), "medium", { allowRemote: true }).pipe(
        Effect.provideService(Prover, unused)
      ),
      { startImmediately: true }
    )
    for (let i = 0; i < 20 && fiber.pollUnsafe() === undefined; i++) yield* TestClock.adjust("500 millis")
    return yield* Fiber.join(fiber)
  }).pipe(Effect.provide(executorOn({ remote: remoteWith(statement), config: { enabledStrategies: ["FALLBACK_COMPUTATION"] } })))

describe("ProofComputation under FALLBACK_COMPUTATION", () => {
  it.effect("a checked remote proof has no statementUnchecked", () =>
    Effect.gen(function*() {
      const result = yield* fallBack({ checked: true })
      assert.isTrue(result.success)
      assert.strictEqual(result.result?.provedBy, "https://prover.example.com")
      assert.isFalse(result.result !== undefined && "statementUnchecked" in result.result)
    }))

  it.effect("an unchecked one carries the reason", () =>
    Effect.gen(function*() {
      const result = yield* fallBack({ checked: false, reason: "the client could not compute the witness" })
      assert.isTrue(result.success)
      assert.strictEqual(result.result?.statementUnchecked, "the client could not compute the witness")
    }))
})
