/**
 * The `ModelStore` in a browser: the learned cost models' document is one
 * text value in IndexedDB (`models` store, key `cost-models`), written in a
 * single transaction, so a reader never sees half of it. Where IndexedDB is
 * missing or refuses to open (some private modes, sandboxed frames), the
 * models are kept in memory for the page's lifetime, with a logged warning.
 * Versioning and tolerance of damaged data are `ModelStore.make`'s.
 *
 * @since 0.1.0
 */
import * as ModelStore from "@provident/core/ModelStore"
import { ModelStoreError } from "@provident/core/ProvidentError"
import { Effect, Layer, Option } from "effect"
import * as Idb from "./internal/idb.ts"

export interface Options extends Idb.Options {
  /** The key of the document. Default `cost-models`. */
  readonly key?: string
}

/** A backend on `db`'s `models` store under `key`. */
export const backend = (db: IDBDatabase, key = "cost-models"): ModelStore.Backend => ({
  location: `IndexedDB ${db.name}/models/${key}`,
  read: Idb.request(db, "models", "readonly", (store) => store.get(key)).pipe(
    Effect.mapError((error) => new ModelStoreError({ operation: "read", message: error.message })),
    Effect.flatMap((value: unknown) =>
      value === undefined
        ? Effect.succeed(Option.none<string>())
        : typeof value === "string"
        ? Effect.succeed(Option.some(value))
        : Effect.fail(new ModelStoreError({ operation: "read", message: "the stored cost models are not text" }))
    )
  ),
  write: (text) =>
    Idb.request(db, "models", "readwrite", (store) => store.put(text, key)).pipe(
      Effect.asVoid,
      Effect.mapError((error) => new ModelStoreError({ operation: "write", message: error.message }))
    )
})

/** The store in IndexedDB, or in memory (with a warning) where IndexedDB is unavailable. */
export const layer = (options: Options = {}): Layer.Layer<ModelStore.ModelStore> =>
  Layer.effect(
    ModelStore.ModelStore,
    Effect.map(Idb.openOrWarn("BrowserModelStore", "learned cost models", options), (db) =>
      ModelStore.make(Option.match(db, {
        onNone: () => ModelStore.memoryBackend(),
        onSome: (db) => backend(db, options.key)
      })))
  )
