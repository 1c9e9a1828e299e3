/**
 * The messages between `NodeSnarkjsProver` and its child processes
 * (`proverWorker.ts`), decoded with Schema on both sides. They travel over
 * Node's IPC channel with `serialization: "advanced"` (structured clone), so
 * witness bytes stay a `Uint8Array` and bigint inputs survive.
 *
 * A child announces `Ready` once snarkjs is loaded (and its thread pool
 * started), then answers exactly one job: `Progress` any number of times,
 * then the result or `Failed`. `Failed` messages are built in the child from
 * fixed texts: they never carry input values. The child checks requests
 * with `proverRequest.ts`, which accepts what `Request` accepts without
 * loading Effect.
 */
import * as Prover from "@provident/core/Prover"
import { ProverErrorReason } from "@provident/core/ProverError"
import * as Schema from "effect/Schema"

export const Request = Schema.Union([
  Schema.TaggedStruct("Witness", { wasm: Schema.String, input: Schema.Record(Schema.String, Schema.Unknown) }),
  Schema.TaggedStruct("Prove", { protocol: Prover.Protocol, zkey: Schema.String, witness: Schema.Uint8Array }),
  Schema.TaggedStruct("Verify", {
    protocol: Prover.Protocol,
    vkey: Schema.String,
    proof: Schema.Unknown,
    publicSignals: Schema.Array(Schema.String)
  })
])
export type Request = typeof Request.Type

export const Reply = Schema.Union([
  Schema.TaggedStruct("Ready", { threads: Schema.Int }),
  Schema.TaggedStruct("Progress", { percent: Schema.Finite }),
  Schema.TaggedStruct("WitnessDone", { witness: Schema.Uint8Array, usage: Prover.WorkerUsage }),
  Schema.TaggedStruct("ProofDone", { proof: Schema.Unknown, publicSignals: Schema.Array(Schema.String), usage: Prover.WorkerUsage }),
  Schema.TaggedStruct("Verified", { valid: Schema.Boolean }),
  Schema.TaggedStruct("Failed", { reason: ProverErrorReason, message: Schema.String })
])
export type Reply = typeof Reply.Type

export const decodeRequest = Schema.decodeUnknownOption(Request)
export const decodeReply = Schema.decodeUnknownOption(Reply)
