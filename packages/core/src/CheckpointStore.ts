/**
 * Where progressive computations keep their checkpoints: values by
 * (execution id, key), so the next attempt of the same execution, after a
 * pause, a timeout or a crash, restores what earlier attempts finished.
 * Checkpoints of an execution are cleared when it succeeds.
 *
 * Values may be private (a witness is derived from private inputs): stores
 * keep them on the device and never log them. The in-memory store is in
 * core; `NodeCheckpointStore` keeps them in files.
 *
 * @since 0.1.0
 */
import { Context, Effect, Layer, Option, Schema } from "effect"

export class CheckpointError extends Schema.TaggedError<CheckpointError>()("CheckpointError", {
  operation: Schema.Literals(["save", "restore", "clear"]),
  execution: Schema.String,
  key: Schema.String,
  message: Schema.String
}) {}

export interface Service {
  readonly save: (execution: string, key: string, value: unknown) => Effect.Effect<void, CheckpointError>
  readonly restore: (execution: string, key: string) => Effect.Effect<Option.Option<unknown>, CheckpointError>
  /** Forgets every checkpoint of an execution. */
  readonly clear: (execution: string) => Effect.Effect<void, CheckpointError>
}

export class CheckpointStore extends Context.Service<CheckpointStore, Service>()("@provident/core/CheckpointStore") {}

/** Checkpoints in memory: they survive attempts and pauses, not the process. */
export const makeMemory = (): Service => {
  const executions = new Map<string, Map<string, unknown>>()
  return CheckpointStore.of({
    save: (execution, key, value) =>
      Effect.sync(() => {
        const entries = executions.get(execution) ?? new Map<string, unknown>()
        entries.set(key, value)
        executions.set(execution, entries)
      }),
    restore: (execution, key) =>
      Effect.sync(() => {
        const entries = executions.get(execution)
        return entries !== undefined && entries.has(key) ? Option.some(entries.get(key)) : Option.none()
      }),
    clear: (execution) => Effect.sync(() => void executions.delete(execution))
  })
}

export const layerMemory: Layer.Layer<CheckpointStore> = Layer.sync(CheckpointStore, makeMemory)
