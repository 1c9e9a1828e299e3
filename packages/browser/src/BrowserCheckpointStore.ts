/**
 * The `CheckpointStore` in a browser: checkpoints live in IndexedDB
 * (`checkpoints` store, key `[execution, key]`), so a progressive proof
 * resumes after a reload. Values are stored by structured clone: a witness
 * stays a `Uint8Array`, bigints stay bigints, nothing is serialised by hand.
 * Checkpoints can be private (a witness derives from private inputs): they
 * stay on the device, and errors name the DOMException, never the value.
 * Without IndexedDB they are kept in memory, with a logged warning.
 *
 * @since 0.1.0
 */
import { CheckpointError, CheckpointStore, makeMemory, type Service } from "@provident/core/CheckpointStore"
import { Effect, Layer, Option } from "effect"
import * as Idb from "./internal/idb.ts"

export type Options = Idb.Options

// Arrays sort after every string in IndexedDB's key order, so [execution, []] bounds all of [execution, key].
const executionRange = (execution: string) => IDBKeyRange.bound([execution], [execution, []])

/** Checkpoints in `db`. Values are wrapped so that a stored `undefined` is told apart from none. */
export const make = (db: IDBDatabase): Service => {
  const failed = (operation: CheckpointError["operation"], execution: string, key: string) => (error: Idb.IdbError) =>
    new CheckpointError({ operation, execution, key, message: `checkpoint ${operation} failed: ${error.message}` })
  return CheckpointStore.of({
    save: (execution, key, value) =>
      Idb.request(db, "checkpoints", "readwrite", (store) => store.put({ value }, [execution, key])).pipe(
        Effect.asVoid,
        Effect.mapError(failed("save", execution, key))
      ),
    restore: (execution, key) =>
      Idb.request(db, "checkpoints", "readonly", (store) => store.get([execution, key])).pipe(
        Effect.map((entry: unknown) =>
          typeof entry === "object" && entry !== null && "value" in entry ? Option.some<unknown>(entry.value) : Option.none()
        ),
        Effect.mapError(failed("restore", execution, key))
      ),
    clear: (execution) =>
      Idb.request(db, "checkpoints", "readwrite", (store) => store.delete(executionRange(execution))).pipe(
        Effect.asVoid,
        Effect.mapError(failed("clear", execution, "*"))
      )
  })
}

/** Checkpoints in IndexedDB, or in memory (with a warning) where IndexedDB is unavailable. */
export const layer = (options: Options = {}): Layer.Layer<CheckpointStore> =>
  Layer.effect(
    CheckpointStore,
    Effect.map(Idb.openOrWarn("BrowserCheckpointStore", "checkpoints", options), Option.match({ onNone: makeMemory, onSome: make }))
  )
