/**
 * The `Prover` in a browser: snarkjs Groth16/PLONK in a dedicated module
 * Web Worker (`internal/proverWorker.ts`), a fresh one for every witness
 * and every proof, so that
 *
 * - interruption (pause, cancel, timeout) is `worker.terminate()`: the
 *   worker stops mid-instruction and the browser frees its heap, its wasm
 *   memories and snarkjs's own sub-workers at once; the page never loads
 *   snarkjs, so it holds nothing back;
 * - the grant is the worker's: `limits.cores` threads (ffjavascript's pool
 *   bounded inside the worker; 1 core is single-threaded). A browser offers
 *   no way to cap a worker's memory: `limits.memoryBytes` is advisory, the
 *   allocator's budget (bounded by the wasm32 ceiling) is what keeps it in
 *   check;
 * - the page's main thread stays free: progress arrives as messages.
 *
 * A worker's own code (the Schema decoders) takes a while to load, so one
 * (`warm`) is started ahead and waits idle; snarkjs is loaded in it only
 * once a job has given it its thread count. Verification, a pairing check
 * of tens of milliseconds on public data, runs in the page on a
 * single-threaded curve (`internal/pageVerifier.ts`).
 *
 * Circuit files are URLs (`CircuitArtifacts.wasm`, keys), fetched once per
 * content hash into the Cache API (`internal/artifacts.ts`) and transferred
 * to the worker. Messages both ways are decoded with Schema. Failures are
 * `ProverError`s: `InvalidWitnessInput` (the input violates the circuit),
 * `ArtifactUnavailable` (a file cannot be fetched or does not fit),
 * `OutOfMemory`, `WorkerCrashed` (the worker died) and `Failed`; no message,
 * log, span or progress event ever carries an input value.
 *
 * @since 0.1.0
 */
import type * as Prover from "@provident/core/Prover"
import { Prover as ProverTag } from "@provident/core/Prover"
import { ProverError } from "@provident/core/ProverError"
import { matchKey } from "@provident/core/PublicSignals"
import { Context, Effect, Layer, type Scope } from "effect"
import * as Artifacts from "./internal/artifacts.ts"
import * as PageVerifier from "./internal/pageVerifier.ts"
import * as Failure from "./internal/proverFailure.ts"
import { decodeReply, type Reply, type Request } from "./internal/proverProtocol.ts"
import * as WorkerPool from "./internal/workerPool.ts"

export interface Options extends Artifacts.Options {
  /** Idle workers kept ready (their code loaded, snarkjs not yet). Default 1; 0 starts each on demand. */
  readonly warm?: number
  /** Starts a prover worker. Default: the bundled module worker; tests substitute others. */
  readonly makeWorker?: () => Worker
}

type Phase = ProverError["phase"]

/** A worker of the prover: busy with a job, or warm and waiting for one. */
export type WorkerInfo = WorkerPool.Info

export interface Service extends Prover.Service {
  /** The workers alive now: one per job in flight (`busy`), and the warm ones waiting. */
  readonly workers: Effect.Effect<ReadonlyArray<WorkerInfo>>
}

/** The prover with its worker diagnostics; `layer` provides it as `Prover.Prover` too. */
export class BrowserSnarkjsProver extends Context.Service<BrowserSnarkjsProver, Service>()("@provident/browser/BrowserSnarkjsProver") {}

// Written out in full so that Vite (and vitest) see the worker and bundle it;
// `npm run build` makes it `./internal/proverWorker.js` in the built package.
const spawn = (): Worker => new Worker(new URL("./internal/proverWorker.ts", import.meta.url), { type: "module", name: "provident-prover" })

const failed = (circuit: Prover.CircuitArtifacts, phase: Phase, failure: Failure.Failure) =>
  new ProverError({ reason: failure.reason, circuit: circuit.id, phase, message: `${phase} of ${circuit.id}: ${failure.message}` })

const keysOf = (circuit: Prover.CircuitArtifacts, protocol: Prover.Protocol, phase: Phase) => {
  const keys = circuit.keys[protocol]
  return keys === undefined
    ? Effect.fail(failed(circuit, phase, { reason: "ArtifactUnavailable", message: `no ${protocol} keys (set up for ${Object.keys(circuit.keys).join(", ") || "none"})` }))
    : Effect.succeed(keys)
}

const hardwareConcurrency = (): number | undefined => {
  try {
    return globalThis.navigator?.hardwareConcurrency
  } catch {
    return undefined
  }
}

/** Builds the prover and starts its warm workers; every worker still alive when the scope closes is terminated. */
export const make = Effect.fnUntraced(function*(options: Options = {}): Effect.fn.Return<Service, never, Scope.Scope> {
  const artifacts = Artifacts.make(options)
  const verifier = PageVerifier.make()
  const pool = WorkerPool.make(options.makeWorker ?? spawn, Math.max(0, Math.floor(options.warm ?? 1)))
  yield* Effect.acquireRelease(Effect.sync(pool.fill), () => Effect.sync(pool.shutdown))

  /**
   * Runs `request` in a fresh worker and waits for the reply `pick` accepts,
   * reporting progress on the way. The worker is terminated however it ends:
   * with the reply, a failure, or the fiber's interruption.
   */
  const job = <A>(
    circuit: Prover.CircuitArtifacts,
    phase: Phase,
    request: Request,
    transfer: ReadonlyArray<Transferable>,
    pick: (reply: Reply) => A | undefined,
    onProgress?: (percent: number) => void
  ): Effect.Effect<A, ProverError> =>
    Effect.acquireUseRelease(
      Effect.try({
        try: () => pool.take({ phase, circuit: circuit.id, threads: request.threads }),
        catch: () => failed(circuit, phase, { reason: "WorkerCrashed", message: "a Web Worker could not be started" })
      }),
      (slot) =>
        Effect.callback<A, ProverError>((resume) => {
          const { id, worker } = slot
          let settled = false
          const settle = (effect: Effect.Effect<A, ProverError>) => {
            if (settled) return
            settled = true
            resume(effect)
          }
          worker.onmessage = (event: MessageEvent) => {
            const decoded = decodeReply(event.data)
            if (decoded._tag === "None") return settle(Effect.fail(failed(circuit, phase, Failure.crashed("a malformed reply"))))
            const reply = decoded.value
            if (reply._tag === "Failed") return settle(Effect.fail(failed(circuit, phase, reply)))
            if (reply._tag === "Progress") return onProgress?.(reply.percent)
            if (reply._tag === "Ready") return
            if (reply._tag === "Started") return pool.started(id, reply.threads)
            const picked = pick(reply)
            if (picked !== undefined) settle(Effect.succeed(picked))
          }
          // The pool marks the slot and keeps the page's console quiet (the text may quote the input).
          worker.onerror = () => settle(Effect.fail(failed(circuit, phase, Failure.crashed(slot.crash))))
          worker.onmessageerror = () => settle(Effect.fail(failed(circuit, phase, Failure.crashed("a reply that could not be deserialised"))))
          // Died before the job could listen: it will never answer.
          if (slot.crash !== undefined) return settle(Effect.fail(failed(circuit, phase, Failure.crashed(slot.crash))))
          try {
            worker.postMessage(request, [...transfer])
          } catch {
            // Only the input can fail to clone (a function, a DOM node); its value is not quoted.
            settle(Effect.fail(failed(circuit, phase, {
              reason: "InvalidWitnessInput",
              message: "the input cannot be sent to the worker (give numbers, bigints, strings or arrays of them)"
            })))
          }
        }),
      (slot) => Effect.sync(() => pool.release(slot))
    )

  const computeWitness = Effect.fn("BrowserSnarkjsProver.computeWitness")(function*(
    circuit: Prover.CircuitArtifacts,
    input: Readonly<Record<string, unknown>>,
    limits: Prover.Limits
  ) {
    yield* Effect.annotateCurrentSpan({ "provident.circuit": circuit.id, "provident.threads": 1 })
    limits.onProgress?.({ phase: "witness", percent: 0 })
    const wasm = yield* artifacts.bytes(circuit, "witness", { url: circuit.wasm, name: "circuit.wasm", what: "the circuit's wasm" })
    const done = yield* job(
      circuit,
      "witness",
      { _tag: "Witness", threads: 1, wasm, input: { ...input } },
      [wasm.buffer],
      (r) => (r._tag === "WitnessDone" ? r : undefined)
    )
    limits.onProgress?.({ phase: "witness", percent: 100 })
    return { witness: done.witness, usage: done.usage }
  })

  const prove = Effect.fn("BrowserSnarkjsProver.prove")(function*(
    circuit: Prover.CircuitArtifacts,
    protocol: Prover.Protocol,
    witness: Uint8Array,
    limits: Prover.Limits
  ) {
    const threads = Failure.threadsFor(limits.cores, hardwareConcurrency())
    yield* Effect.annotateCurrentSpan({ "provident.circuit": circuit.id, "provident.protocol": protocol, "provident.threads": threads })
    const keys = yield* keysOf(circuit, protocol, "proving")
    limits.onProgress?.({ phase: "proving", percent: 0 })
    const zkey = yield* artifacts.bytes(circuit, "proving", { url: keys.zkey, name: `${protocol}.zkey`, what: `the ${protocol} proving key` })
    // The proving key is ours to give away; the witness is the caller's (maybe a checkpoint): it is copied, not transferred.
    const done = yield* job(
      circuit,
      "proving",
      { _tag: "Prove", threads, protocol, zkey, witness },
      [zkey.buffer],
      (r) => (r._tag === "ProofDone" ? r : undefined),
      (percent) => limits.onProgress?.({ phase: "proving", percent })
    )
    limits.onProgress?.({ phase: "proving", percent: 100 })
    return { proof: { protocol, proof: done.proof, publicSignals: done.publicSignals }, usage: done.usage }
  })

  const verify = Effect.fn("BrowserSnarkjsProver.verify")(function*(circuit: Prover.CircuitArtifacts, proof: Prover.Proof) {
    yield* Effect.annotateCurrentSpan({ "provident.circuit": circuit.id, "provident.protocol": proof.protocol })
    const keys = yield* keysOf(circuit, proof.protocol, "verifying")
    const vkey = yield* artifacts.json(circuit, "verifying", {
      url: keys.vkey,
      name: `${proof.protocol}.vkey.json`,
      what: `the ${proof.protocol} verification key`
    })
    // snarkjs's Groth16 verify does not check the count itself: a truncated statement could pass.
    if (!matchKey(vkey, proof.publicSignals)) return false
    return yield* verifier.verify({ protocol: proof.protocol, vkey, proof: proof.proof, publicSignals: proof.publicSignals }).pipe(
      Effect.mapError((failure) => failed(circuit, "verifying", failure))
    )
  })

  const workers = Effect.sync(pool.infos)

  return BrowserSnarkjsProver.of({ computeWitness, prove, verify, workers })
})

/** The prover as `Prover.Prover` (and as `BrowserSnarkjsProver`, with its diagnostics); live workers die with the layer. */
export const layer = (options?: Options): Layer.Layer<ProverTag | BrowserSnarkjsProver> =>
  Layer.effectContext(Effect.map(make(options), (service) => Context.make(BrowserSnarkjsProver, service).pipe(Context.add(ProverTag, service))))
