/**
 * A real server on 127.0.0.1:0 over the Node Provident stack, proving with
 * a scripted prover (deterministic proofs, adjustable delay, a record of what
 * it was asked and whether it was interrupted) so HTTP behaviour is tested
 * fast; the end-to-end tests with snarkjs use the real prover.
 */
import { NodeHttpClient } from "@effect/platform-node"
import { type Prover as ProverModule, ProverError } from "@provident/core"
import { Prover } from "@provident/core/Prover"
import type { ExecutorConfigInput } from "@provident/core/ExecutorConfig"
import type { CircuitArtifacts } from "@provident/core/Prover"
import { Context, Effect, Layer, Redacted, Ref } from "effect"
import { HttpServer } from "effect/http"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as NodeProvident from "../src/NodeProvident.ts"
import * as ProverServer from "../src/ProverServer.ts"

export const token = "s3cret-token"

export const circuit: CircuitArtifacts = {
  id: "square-10",
  family: "square",
  constraints: 10,
  hash: "h-square-10",
  wasm: "/unused.wasm",
  keys: { groth16: { zkey: "/unused.zkey", vkey: "/unused.vkey.json" } },
  insecureSetup: true
}

export interface ScriptedProver {
  readonly service: ProverModule.Service
  /** Delay of each phase in ms. */
  readonly delay: Ref.Ref<number>
  readonly interrupted: Ref.Ref<number>
  readonly witnesses: Ref.Ref<number>
}

/** A prover whose proof is the sum of the input's `x`; `verify` checks that sum, so a forged proof fails. */
export const scriptedProver = Effect.gen(function*() {
  const delay = yield* Ref.make(0)
  const interrupted = yield* Ref.make(0)
  const witnesses = yield* Ref.make(0)
  const wait = Effect.flatMap(Ref.get(delay), (ms) => Effect.sleep(ms)).pipe(
    Effect.onInterrupt(() => Ref.update(interrupted, (n) => n + 1))
  )
  const service = Prover.of({
    computeWitness: (c, input) =>
      Effect.gen(function*() {
        yield* Ref.update(witnesses, (n) => n + 1)
        yield* wait
        if (input.x === "violates") {
          return yield* new ProverError.ProverError({ reason: "InvalidWitnessInput", circuit: c.id, phase: "witness", message: "an assertion failed" })
        }
        return { witness: new TextEncoder().encode(String(input.x)), usage: { durationMs: 1, peakMemoryBytes: 10_000_000, threads: 1 } }
      }),
    prove: (_c, protocol, witness) =>
      wait.pipe(Effect.as({
        proof: { protocol, proof: { sum: new TextDecoder().decode(witness) }, publicSignals: [new TextDecoder().decode(witness)] },
        usage: { durationMs: 1, peakMemoryBytes: 20_000_000, threads: 1 }
      })),
    verify: (_c, proof) => Effect.succeed(JSON.stringify((proof.proof as { sum?: unknown }).sum) === JSON.stringify(proof.publicSignals[0]))
  })
  return { service, delay, interrupted, witnesses } satisfies ScriptedProver
})

/** The Node stack with throwaway stores. */
export const stack = (executor?: ExecutorConfigInput) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "provident-server-"))
  return NodeProvident.layer({
    monitor: { sampleInterval: 200 },
    ...(executor === undefined ? {} : { executor }),
    modelStore: { file: path.join(dir, "models.json") },
    checkpoints: { directory: path.join(dir, "checkpoints") }
  })
}

/** A server over a scripted prover; yields the prover's controls and the base URL. */
export const serverWith = (options: Partial<ProverServer.Options> = {}) =>
  Layer.unwrap(Effect.gen(function*() {
    const prover = yield* scriptedProver
    const server = ProverServer.layer({ port: 0, token: Redacted.make(token), circuits: [circuit], ...options }).pipe(
      Layer.provide(Layer.succeed(Prover, prover.service)),
      Layer.provide(stack())
    )
    return Layer.merge(server, Layer.succeed(Controls, prover))
  })).pipe(Layer.provideMerge(NodeHttpClient.layerUndici))

export class Controls extends Context.Service<Controls, ScriptedProver>()("test/Controls") {}

export const baseUrl = Effect.map(HttpServer.HttpServer, (s) => HttpServer.formatAddress(s.address))
