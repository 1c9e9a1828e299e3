/**
 * A prover child SIGKILLed from outside during a proof: the failure says so,
 * and says whether the OOM killer did it from the cgroup's count, instead of
 * calling every SIGKILL "most likely the OOM killer".
 */
import { assert, describe, it } from "@effect/vitest"
import { Prover } from "@provident/core"
import { Effect, Fiber, Layer } from "effect"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import * as Artifacts from "../src/Artifacts.ts"
import { readFileOrUndefined } from "../src/internal/files.ts"
import * as OomEvents from "../src/internal/oomEvents.ts"
import * as NodeSnarkjsProver from "../src/NodeSnarkjsProver.ts"

const prebuilt = fileURLToPath(new URL("../../examples/circuits/build", import.meta.url))

describe("a prover child killed from outside", { timeout: 120_000 }, () => {
  it.live("is reported as an outside SIGKILL, with what the cgroup's OOM count says", () =>
    Effect.gen(function*() {
      const prover = yield* Prover.Prover
      const diagnostics = yield* NodeSnarkjsProver.NodeSnarkjsProver
      const circuit = yield* Effect.flatMap(Artifacts.Artifacts, (a) => a.load(path.join(prebuilt, "square-16000")))
      const { witness } = yield* prover.computeWitness(circuit, { x: "3" }, { cores: 1 })
      const proving = yield* Effect.forkChild(Effect.flip(prover.prove(circuit, "groth16", witness, { cores: 1 })), { startImmediately: true })
      let job: number | undefined
      for (let i = 0; i < 400 && job === undefined; i++) {
        job = (yield* diagnostics.children).find((c) => c.role === "job")?.pid
        if (job === undefined) yield* Effect.sleep("25 millis")
      }
      assert.isDefined(job, "the proof ran in a child")
      process.kill(job!, "SIGKILL")
      const error = yield* Fiber.join(proving)
      assert.strictEqual(error._tag, "ProverError")
      assert.strictEqual(error.reason, "WorkerCrashed", error.message)
      assert.notMatch(error.message, /most likely/)
      // Where the cgroup keeps the count (this machine's, if it has one) the OOM killer is ruled out; elsewhere it is said it cannot be told.
      assert.match(
        error.message,
        OomEvents.counterFile(readFileOrUndefined) === undefined
          ? /killed by SIGKILL from outside this prover \(whether by an out-of-memory killer cannot be told/
          : /killed by SIGKILL from outside this prover, not by the out-of-memory killer/
      )
    }).pipe(Effect.provide(Layer.mergeAll(NodeSnarkjsProver.layer({ warm: 0 }), Artifacts.layer()))))
})
