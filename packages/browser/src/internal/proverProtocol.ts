/**
 * The messages between `BrowserSnarkjsProver` and its Web Worker
 * (`proverWorker.ts`), decoded with Schema on both sides. They travel by
 * `postMessage` (structured clone), so bytes stay `Uint8Array`s (and are
 * transferred, not copied) and bigint inputs survive.
 *
 * A worker says `Ready` once its own code is loaded (it may wait idle, warm,
 * before a request comes), then answers exactly one request: `Started` once snarkjs is loaded
 * and its curve built, `Progress` any number of times, then the result or
 * `Failed`. `Failed` messages are built in the worker from fixed texts
 * (`proverFailure.ts`): they never carry input values.
 */
import * as Prover from "@provident/core/Prover"
import { ProverErrorReason } from "@provident/core/ProverError"
import * as Schema from "effect/Schema"

const Threads = Schema.Int.check(Schema.isGreaterThanOrEqualTo(1))

export const Request = Schema.Union([
  Schema.TaggedStruct("Witness", { threads: Threads, wasm: Schema.Uint8Array, input: Schema.Record(Schema.String, Schema.Unknown) }),
  Schema.TaggedStruct("Prove", { threads: Threads, protocol: Prover.Protocol, zkey: Schema.Uint8Array, witness: Schema.Uint8Array })
])
export type Request = typeof Request.Type

export const Reply = Schema.Union([
  Schema.TaggedStruct("Ready", {}),
  Schema.TaggedStruct("Started", { threads: Schema.Int }),
  Schema.TaggedStruct("Progress", { percent: Schema.Finite }),
  Schema.TaggedStruct("WitnessDone", { witness: Schema.Uint8Array, usage: Prover.WorkerUsage }),
  Schema.TaggedStruct("ProofDone", { proof: Schema.Unknown, publicSignals: Schema.Array(Schema.String), usage: Prover.WorkerUsage }),
  Schema.TaggedStruct("Failed", { reason: ProverErrorReason, message: Schema.String })
])
export type Reply = typeof Reply.Type

export const decodeRequest = Schema.decodeUnknownOption(Request)
export const decodeReply = Schema.decodeUnknownOption(Reply)
