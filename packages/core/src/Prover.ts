/**
 * The proving seam: compute a witness, prove it, verify a proof. Core never
 * proves anything itself; `@provident/node` runs snarkjs in an isolated
 * process per proof (`NodeSnarkjsProver`), the browser package in a Web
 * Worker. Witness generation and proving are separate calls because the
 * witness is the checkpoint of a progressive proof: a proof paused after its
 * witness resumes at proving.
 *
 * Interruption is cancellation: interrupting `computeWitness` or `prove`
 * must stop the work and free its memory at once (kill the worker), and
 * leave nothing running.
 *
 * @since 0.1.0
 */
import { Context, type Effect, Schema } from "effect"
import { Bytes, Millis, Name, PositiveInt } from "./internal/units.ts"
import type { ProverError } from "./ProverError.ts"

export const Protocol = Schema.Literals(["groth16", "plonk"])
export type Protocol = typeof Protocol.Type

/**
 * A compiled circuit and its keys, where the platform can read them (file
 * paths on Node, URLs in a browser), with the content hashes that identify
 * them. `constraints` is the circuit size the predictor learns against.
 */
export const CircuitArtifacts = Schema.Struct({
  /** Unique name, e.g. `square-1024`. */
  id: Name,
  /** What the predictor groups by, e.g. `square`. */
  family: Name,
  constraints: PositiveInt,
  /** Hash of the circuit source and parameters: same hash, same artifacts. */
  hash: Schema.String,
  wasm: Schema.String,
  /** Proving and verification keys per protocol the circuit was set up for. */
  keys: Schema.Struct({
    groth16: Schema.optionalKey(Schema.Struct({ zkey: Schema.String, vkey: Schema.String })),
    plonk: Schema.optionalKey(Schema.Struct({ zkey: Schema.String, vkey: Schema.String }))
  }),
  /** True when the keys come from a single-party setup: fine for testing, not for production secrets. */
  insecureSetup: Schema.Boolean
})
export type CircuitArtifacts = typeof CircuitArtifacts.Type

/** A proof as snarkjs produces it: protocol-specific JSON and the public signals. */
export const Proof = Schema.Struct({
  protocol: Protocol,
  proof: Schema.Unknown,
  publicSignals: Schema.Array(Schema.String)
})
export type Proof = typeof Proof.Type

/** What the isolated worker measured. */
export const WorkerUsage = Schema.Struct({
  durationMs: Millis,
  /** Peak resident memory of the worker process, where the platform can measure it. */
  peakMemoryBytes: Schema.optionalKey(Bytes),
  /** CPU time the job used, all its threads together, where the platform can measure it. */
  cpuMs: Schema.optionalKey(Millis),
  /** Threads the prover used. */
  threads: PositiveInt
})
export type WorkerUsage = typeof WorkerUsage.Type

export interface Progress {
  readonly phase: "witness" | "proving"
  /** 0..100 */
  readonly percent: number
}

export interface Limits {
  /** Cores granted: the prover's thread count (1 means single-threaded). */
  readonly cores: number
  /** Memory granted in bytes: the worker's heap is capped near it where the platform allows. */
  readonly memoryBytes?: number
  /** Called as the work advances; never with input values. */
  readonly onProgress?: (progress: Progress) => void
}

export interface Service {
  /** Computes the witness (`.wtns` bytes) of `input` for `circuit`. `input` is private: it never appears in errors or logs. */
  readonly computeWitness: (
    circuit: CircuitArtifacts,
    input: Readonly<Record<string, unknown>>,
    limits: Limits
  ) => Effect.Effect<{ readonly witness: Uint8Array; readonly usage: WorkerUsage }, ProverError>
  /** Proves a witness with `protocol`'s proving key. */
  readonly prove: (
    circuit: CircuitArtifacts,
    protocol: Protocol,
    witness: Uint8Array,
    limits: Limits
  ) => Effect.Effect<{ readonly proof: Proof; readonly usage: WorkerUsage }, ProverError>
  /** Checks a proof against the circuit's verification key for its protocol. */
  readonly verify: (circuit: CircuitArtifacts, proof: Proof) => Effect.Effect<boolean, ProverError>
}

export class Prover extends Context.Service<Prover, Service>()("@provident/core/Prover") {}

/** Builds a prover from its three operations. */
export const make = (service: Service): Service => Prover.of(service)
