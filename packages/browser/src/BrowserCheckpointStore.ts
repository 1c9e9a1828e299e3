/**
 * The `CheckpointStore` in a browser: checkpoints live in IndexedDB
 * (`checkpoints` store, key `[execution, key]`), so a progressive proof's
 * witness waits there, not in the tab's memory, while the proof is paused
 * or retried.
 *
 * Checkpoints are private (a witness derives from private inputs), so each
 * value is sealed (`internal/sealed.ts`): encrypted with AES-GCM under a key
 * this page holds in memory only, bound to its slot. The executor clears
 * an execution's checkpoints when it ends; what a closed or crashed tab
 * left is ciphertext whose key is gone, removed when a store opens once it
 * is older than `maxAge` (another tab may still be using younger ones).
 * Entries of older versions, stored in the clear, are removed at once.
 * Errors name the DOMException, never the value. Without IndexedDB or
 * WebCrypto (an insecure context) they are kept in memory, with a logged
 * warning.
 *
 * @since 0.1.0
 */
import { CheckpointError, CheckpointStore, makeMemory, type Service } from "@provident/core/CheckpointStore"
import { Clock, Duration, Effect, Layer, Option } from "effect"
import * as Idb from "./internal/idb.ts"
import { type Sealed, type Sealer, makeSealer } from "./internal/sealed.ts"

export interface Options extends Idb.Options {
  /** Sealed leftovers of other pages older than this are removed when a store opens. Default 24 hours. */
  readonly maxAge?: Duration.Input
}

// Arrays sort after every string in IndexedDB's key order, so [execution, []] bounds all of [execution, key].
const executionRange = (execution: string) => IDBKeyRange.bound([execution], [execution, []])

interface Entry extends Sealed {
  readonly savedAt: number
}

const isEntry = (u: unknown): u is Entry =>
  typeof u === "object" && u !== null && "iv" in u && u.iv instanceof Uint8Array && "data" in u && u.data instanceof ArrayBuffer &&
  "savedAt" in u && typeof u.savedAt === "number"

/** Checkpoints in `db`, sealed by `sealer`. */
export const make = (db: IDBDatabase, sealer: Sealer): Service => {
  const failed = (operation: CheckpointError["operation"], execution: string, key: string) => (error: { readonly message: string }) =>
    new CheckpointError({ operation, execution, key, message: `checkpoint ${operation} failed: ${error.message}` })
  const slot = (execution: string, key: string) => JSON.stringify([execution, key])
  return CheckpointStore.of({
    save: (execution, key, value) =>
      Effect.tryPromise({
        try: () => sealer.seal(slot(execution, key), value),
        // The reason names the kind of value, never the value.
        catch: (e) => ({ message: `DataCloneError: ${e instanceof Error ? e.message : "the value cannot be stored"}` })
      }).pipe(
        Effect.flatMap((sealed) =>
          Effect.flatMap(Clock.currentTimeMillis, (savedAt) =>
            Idb.request(db, "checkpoints", "readwrite", (store) => store.put({ ...sealed, savedAt } satisfies Entry, [execution, key])))),
        Effect.asVoid,
        Effect.mapError(failed("save", execution, key))
      ),
    restore: (execution, key) =>
      Idb.request(db, "checkpoints", "readonly", (store) => store.get([execution, key])).pipe(
        Effect.flatMap((entry: unknown) =>
          isEntry(entry)
            ? Effect.map(Effect.promise(() => sealer.open(slot(execution, key), entry)), (opened) => Option.map(Option.fromUndefinedOr(opened), (o) => o.value))
            : Effect.succeed(Option.none<unknown>())
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

/** Removes older versions' plaintext entries and sealed ones older than `maxAgeMs`; how many went. */
export const sweep = (db: IDBDatabase, maxAgeMs: number): Effect.Effect<number, Idb.IdbError> =>
  Effect.flatMap(Clock.currentTimeMillis, (now) =>
    Idb.transact(db, "checkpoints", "readwrite", (store) => {
      let removed = 0
      const cursor = store.openCursor()
      cursor.onsuccess = () => {
        const at = cursor.result
        if (at === null) return
        if (!isEntry(at.value) || now - at.value.savedAt > maxAgeMs) {
          at.delete()
          removed++
        }
        at.continue()
      }
      return () => removed
    }))

/** Checkpoints in IndexedDB, sealed, swept when opened; in memory (with a warning) where IndexedDB or WebCrypto is unavailable. */
export const layer = (options: Options = {}): Layer.Layer<CheckpointStore> =>
  Layer.effect(
    CheckpointStore,
    Effect.gen(function*() {
      const db = yield* Idb.openOrWarn("BrowserCheckpointStore", "checkpoints", options)
      if (Option.isNone(db)) return makeMemory()
      const sealer = yield* Effect.promise(makeSealer)
      if (sealer === undefined) {
        yield* Effect.logWarning("BrowserCheckpointStore: WebCrypto is unavailable (not a secure context); keeping checkpoints in memory for this page only")
        return makeMemory()
      }
      const maxAgeMs = Duration.toMillis(Duration.fromInputUnsafe(options.maxAge ?? "24 hours"))
      yield* sweep(db.value, maxAgeMs).pipe(
        Effect.catch((error) => Effect.logWarning(`BrowserCheckpointStore: leftovers not swept (${error.message})`))
      )
      return make(db.value, sealer)
    })
  )
