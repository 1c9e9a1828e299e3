/**
 * The `Prover` on Node: snarkjs Groth16/PLONK, every witness and every proof
 * in a child process of its own (`internal/proverWorker.ts`), so that
 *
 * - interruption (pause, cancel, timeout) kills the child with SIGKILL at
 *   once and waits for it: nothing keeps running, all its memory is freed;
 * - the grant is the child's: `limits.cores` threads (ffjavascript's pool
 *   bounded in the child; 1 core is single-threaded), a V8 heap capped from
 *   `limits.memoryBytes` (`--max-old-space-size`);
 * - its peak memory is its own (`maxRSS`), reported in `WorkerUsage`;
 * - this process never loads snarkjs or its thread pool.
 *
 * Children are kept warm (snarkjs loaded, curve and pool built) so a job
 * pays no start-up: one per job, replaced in the background after each.
 * Given `budgetBytes`, idle children and the verifier make room for jobs'
 * grants, so that all the children together stay within it.
 * Verification borrows an idle warm child when there is one, else runs in
 * one long-lived single-threaded child of its own (started on first use): a
 * pairing check is too small to pay for a process.
 * A child that dies is a `ProverError`: `OutOfMemory` when V8 ran out of
 * heap or it was SIGKILLed while its cgroup counted an OOM kill,
 * `WorkerCrashed` with the exit code or signal otherwise (a SIGKILL with no
 * OOM kill counted, or no count to read, is said to come from outside, and
 * which of the two). An input the circuit rejects is
 * `InvalidWitnessInput`, missing or mismatched files `ArtifactUnavailable`;
 * no message, log, span or progress event ever carries an input value.
 *
 * @since 0.1.0
 */
import { Prover } from "@provident/core"
import { ProverError } from "@provident/core/ProverError"
import { Context, Effect, Layer, Queue } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import { readFileOrUndefined } from "./internal/files.ts"
import * as OomEvents from "./internal/oomEvents.ts"
import * as Failure from "./internal/proverFailure.ts"
import type { Reply, Request } from "./internal/proverProtocol.ts"
import * as WorkerPool from "./internal/workerPool.ts"

export interface Options {
  /**
   * Idle children kept ready (snarkjs loaded, curve and threads started;
   * ~110 MB resident single-threaded, ~130 MB with two threads). Default 2:
   * a child takes ~1 s of CPU to start, and with two ready, a proof's jobs
   * and another proof's (or a verification) rarely wait for one. A child
   * whose job went well serves the next job, so proofs run one at a time
   * need only 1, which saves that much idle memory; 0 starts no child
   * before the first job (and keeps one after it).
   */
  readonly warm?: number
  /** The limits the first warm children are made for; later ones follow the last job's. Default: every core, no heap cap. */
  readonly warmLimits?: Pick<Prover.Limits, "cores" | "memoryBytes">
  /**
   * Memory all the children may hold at once, in bytes: the budget the
   * allocator grants jobs from (`provident serve --budget-mb`). A job's
   * child is charged its grant (`limits.memoryBytes`, which covers a whole
   * child); idle warm children and the verifier, which no grant covers, are
   * charged what they hold and are killed to make room for a job (or not
   * started) when they would not fit beside the jobs' grants. Default: no
   * bound (idle children are not charged).
   */
  readonly budgetBytes?: number
}

/** A child process of the prover, for diagnostics (e.g. summing a process tree's memory). */
export interface ChildInfo {
  readonly pid: number
  /**
   * Running a witness or proving job (or lent to a verification), warm
   * (waiting for one), the long-lived verifier, or exiting: killed to make
   * room in the budget, gone within milliseconds.
   */
  readonly role: "job" | "warm" | "verifier" | "exiting"
  readonly threads: number
  readonly heapMb: number | undefined
}

export interface Service extends Prover.Service {
  /** The live child processes: running a job, warm, or the verifier. */
  readonly children: Effect.Effect<ReadonlyArray<ChildInfo>>
}

/** The prover with its process diagnostics; `layer` provides it as `Prover.Prover` too. */
export class NodeSnarkjsProver extends Context.Service<NodeSnarkjsProver, Service>()("@provident/node/NodeSnarkjsProver") {}

type Phase = ProverError["phase"]

const keyOf = (limits: Pick<Prover.Limits, "cores" | "memoryBytes">): WorkerPool.Key => ({
  threads: Failure.threadsFor(limits.cores),
  heapMb: Failure.heapMb(limits.memoryBytes)
})

const failed = (circuit: Prover.CircuitArtifacts, phase: Phase, failure: Failure.Failure) =>
  new ProverError({ reason: failure.reason, circuit: circuit.id, phase, message: `${phase} of ${circuit.id}: ${failure.message}` })

const requireFile = (circuit: Prover.CircuitArtifacts, phase: Phase, file: string, what: string) =>
  Effect.suspend(() =>
    fs.existsSync(file) ? Effect.void : Effect.fail(failed(circuit, phase, { reason: "ArtifactUnavailable", message: `${what} ${file} is missing` }))
  )

const keysOf = (circuit: Prover.CircuitArtifacts, protocol: Prover.Protocol, phase: Phase) => {
  const keys = circuit.keys[protocol]
  return keys === undefined
    ? Effect.fail(failed(circuit, phase, { reason: "ArtifactUnavailable", message: `no ${protocol} keys (set up for ${Object.keys(circuit.keys).join(", ") || "none"})` }))
    : Effect.succeed(keys)
}

/**
 * The count of OOM kills in this process's cgroup, where the children run
 * (`oomEvents.ts`), located on first use: whether it rose during a job is
 * how a child's SIGKILL is told to be the OOM killer's or someone else's.
 */
let oomEvents: OomEvents.Watch | undefined
const oomWatch = (): OomEvents.Watch => (oomEvents ??= OomEvents.watch(readFileOrUndefined))

/**
 * Sends `request` to `child` and waits for the reply `pick` accepts,
 * reporting progress on the way; a `Failed` reply or the child's exit fails
 * with the reason.
 */
const exchange = <A>(
  circuit: Prover.CircuitArtifacts,
  phase: Phase,
  child: WorkerPool.Child,
  request: Request,
  pick: (reply: Reply) => A | undefined,
  onProgress?: (percent: number) => void
) =>
  Effect.gen(function*() {
    const oomKillsBefore = oomWatch().before()
    let event: WorkerPool.Event | undefined = yield* WorkerPool.send(child, request)
    while (true) {
      event ??= yield* Queue.take(child.events)
      if (event._tag === "Failed") return yield* failed(circuit, phase, event)
      if (event._tag === "Exited") {
        const oomKilled = oomWatch().killedSince(oomKillsBefore)
        return yield* failed(circuit, phase, Failure.exit({ ...event, stderr: child.stderr, heapMb: child.key.heapMb, oomKilled }))
      }
      if (event._tag === "Progress") onProgress?.(event.percent)
      else {
        const picked = pick(event)
        if (picked !== undefined) return picked
      }
      event = undefined
    }
  })

/** Builds the prover; its children live until the scope closes. */
export const make = Effect.fnUntraced(function*(options: Options = {}) {
  const pool = yield* WorkerPool.make({
    warm: Math.max(0, Math.floor(options.warm ?? 2)),
    initial: keyOf(options.warmLimits ?? { cores: os.availableParallelism() }),
    budgetBytes: options.budgetBytes
  })

  const annotate = (circuit: Prover.CircuitArtifacts, key: WorkerPool.Key) =>
    Effect.annotateCurrentSpan({ "provident.circuit": circuit.id, "provident.threads": key.threads, "provident.heap_mb": key.heapMb ?? 0 })

  const computeWitness = Effect.fn("NodeSnarkjsProver.computeWitness")(function*(
    circuit: Prover.CircuitArtifacts,
    input: Readonly<Record<string, unknown>>,
    limits: Prover.Limits
  ) {
    const key = keyOf(limits)
    yield* annotate(circuit, key)
    yield* requireFile(circuit, "witness", circuit.wasm, "the circuit's wasm")
    limits.onProgress?.({ phase: "witness", percent: 0 })
    const done = yield* pool.withChild(key, limits.memoryBytes, (child) =>
      exchange(circuit, "witness", child, { _tag: "Witness", wasm: circuit.wasm, input }, (r) => (r._tag === "WitnessDone" ? r : undefined)))
    limits.onProgress?.({ phase: "witness", percent: 100 })
    return { witness: done.witness, usage: done.usage }
  })

  const prove = Effect.fn("NodeSnarkjsProver.prove")(function*(
    circuit: Prover.CircuitArtifacts,
    protocol: Prover.Protocol,
    witness: Uint8Array,
    limits: Prover.Limits
  ) {
    const key = keyOf(limits)
    yield* annotate(circuit, key)
    yield* Effect.annotateCurrentSpan({ "provident.protocol": protocol })
    const keys = yield* keysOf(circuit, protocol, "proving")
    yield* requireFile(circuit, "proving", keys.zkey, `the ${protocol} proving key`)
    limits.onProgress?.({ phase: "proving", percent: 0 })
    const done = yield* pool.withChild(key, limits.memoryBytes, (child) =>
      exchange(
        circuit,
        "proving",
        child,
        { _tag: "Prove", protocol, zkey: keys.zkey, witness },
        (r) => (r._tag === "ProofDone" ? r : undefined),
        (percent) => limits.onProgress?.({ phase: "proving", percent })
      ))
    limits.onProgress?.({ phase: "proving", percent: 100 })
    return { proof: { protocol, proof: done.proof, publicSignals: done.publicSignals }, usage: done.usage }
  })

  const verify = Effect.fn("NodeSnarkjsProver.verify")(function*(circuit: Prover.CircuitArtifacts, proof: Prover.Proof) {
    yield* Effect.annotateCurrentSpan({ "provident.circuit": circuit.id, "provident.protocol": proof.protocol })
    const keys = yield* keysOf(circuit, proof.protocol, "verifying")
    yield* requireFile(circuit, "verifying", keys.vkey, `the ${proof.protocol} verification key`)
    return yield* pool.withVerifier((child) =>
      exchange(
        circuit,
        "verifying",
        child,
        { _tag: "Verify", protocol: proof.protocol, vkey: keys.vkey, proof: proof.proof, publicSignals: proof.publicSignals },
        (r) => (r._tag === "Verified" ? r.valid : undefined)
      ))
  })

  return NodeSnarkjsProver.of({ computeWitness, prove, verify, children: pool.children })
})

/** The prover as `Prover.Prover` (and as `NodeSnarkjsProver`, with its diagnostics); its children die with the layer. */
export const layer = (options?: Options): Layer.Layer<Prover.Prover | NodeSnarkjsProver> =>
  Layer.effectContext(Effect.map(make(options), (service) => Context.make(NodeSnarkjsProver, service).pipe(Context.add(Prover.Prover, service))))
