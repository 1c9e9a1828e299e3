/**
 * A real server on 127.0.0.1:0 over the Node Provident stack, proving with
 * a scripted prover (deterministic proofs, adjustable delay, a record of what
 * it was asked and whether it was interrupted) so HTTP behaviour is tested
 * fast; the end-to-end tests with snarkjs use the real prover
 * (`provingServer`, over the committed `square-1000`).
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
import { fileURLToPath } from "node:url"
import * as Artifacts from "../src/Artifacts.ts"
import * as NodeProvident from "../src/NodeProvident.ts"
import * as NodeSnarkjsProver from "../src/NodeSnarkjsProver.ts"
import * as ProverServer from "../src/ProverServer.ts"
import { nominalProbe, tempDir } from "./promiseNodeOptions.ts"

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

/** The value of `x` the scripted prover's circuit refuses (a field element, so it gets past the request's schema). */
export const VIOLATING = "4444"

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
        if (input.x === VIOLATING) {
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

const prebuilt = fileURLToPath(new URL("../../examples/circuits/build", import.meta.url))

const PRIME = 21888242871839275222246405745257275088548364400416034343698204186575808495617n

/** `x^(2^1000) mod p`: the public output of `square-1000` for input `x`. */
export const square1000Output = (x: bigint): string => {
  let y = x % PRIME
  for (let i = 0; i < 1000; i++) y = (y * y) % PRIME
  return y.toString()
}

/** The committed prebuilt `square-1000` (1001 constraints): a real Groth16 proof in about a second. */
export const square1000: Effect.Effect<CircuitArtifacts, ProverError.ProverError> = Effect.flatMap(
  Artifacts.Artifacts,
  (a) => a.load(path.join(prebuilt, "square-1000"))
).pipe(Effect.provide(Artifacts.layer()))

/**
 * `provident serve` for real: snarkjs proving `circuit` on 127.0.0.1:0 with
 * `token`, its stores in a temporary directory and pressure read as nominal
 * (other test files' proofs must not hold its work back).
 */
export const provingServer = (circuit: CircuitArtifacts) => {
  const dir = tempDir()
  const stack = NodeProvident.layer({
    monitor: { sampleInterval: 200 },
    probe: nominalProbe(dir),
    modelStore: { file: path.join(dir, "models.json") },
    checkpoints: { directory: path.join(dir, "checkpoints") }
  })
  return ProverServer.layer({ port: 0, token: Redacted.make(token), circuits: [circuit] }).pipe(
    Layer.provide(stack.pipe(Layer.provideMerge(NodeSnarkjsProver.layer({ warm: 0 }))))
  )
}
