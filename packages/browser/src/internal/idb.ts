/**
 * IndexedDB as Effects, for the browser stores: one database (`provident`
 * by default) with an object store per use, opened for as long as a layer
 * lives. Each operation is one transaction and succeeds when the
 * transaction commits, so what a store wrote is on disk when it says so.
 *
 * Errors carry the DOMException's name only: IndexedDB's messages can quote
 * the value that failed to clone, and stored values may be private.
 */
import { Effect, Option, Schema, type Scope } from "effect"

export const DEFAULT_DATABASE = "provident"
const VERSION = 1

export type StoreName = "models" | "checkpoints" | "results"

/** An IndexedDB operation failed; `exception` is the DOMException's name (`QuotaExceededError`, `DataCloneError`, …). */
export class IdbError extends Schema.TaggedError<IdbError>()("IdbError", { exception: Schema.String, message: Schema.String }) {}

export interface Options {
  /** The database; default `provident`. */
  readonly databaseName?: string
  /** The IndexedDB factory; default `globalThis.indexedDB`; `null` behaves as a browser without IndexedDB. */
  readonly indexedDB?: IDBFactory | null
}

const nameOf = (error: unknown): string =>
  error !== null && typeof error === "object" && "name" in error && typeof error.name === "string" ? error.name : "Error"

const failure = (what: string, error: unknown) => new IdbError({ exception: nameOf(error), message: `${what} failed (${nameOf(error)})` })

const upgrade = (db: IDBDatabase) => {
  if (!db.objectStoreNames.contains("models")) db.createObjectStore("models")
  if (!db.objectStoreNames.contains("checkpoints")) db.createObjectStore("checkpoints")
  if (!db.objectStoreNames.contains("results")) db.createObjectStore("results").createIndex("usedAt", "usedAt")
}

const factoryOf = (options: Options): IDBFactory | undefined => {
  if (options.indexedDB !== undefined) return options.indexedDB ?? undefined
  try {
    // Reading it throws in some sandboxed frames; it is missing in old private modes and non-window realms.
    return (globalThis as { indexedDB?: IDBFactory }).indexedDB
  } catch {
    return undefined
  }
}

/** Opens the database (creating its stores) until the scope closes. Some browsers never answer in private mode: 5 s is enough. */
export const open = (options: Options = {}): Effect.Effect<IDBDatabase, IdbError, Scope.Scope> => {
  const name = options.databaseName ?? DEFAULT_DATABASE
  const opening = Effect.callback<IDBDatabase, IdbError>((resume) => {
    const factory = factoryOf(options)
    if (factory === undefined) return resume(Effect.fail(new IdbError({ exception: "NotSupportedError", message: "IndexedDB is not available" })))
    try {
      const request = factory.open(name, VERSION)
      request.onupgradeneeded = () => upgrade(request.result)
      request.onsuccess = () => {
        const db = request.result
        // Another tab upgrading the schema: let it, this connection's operations fail and are logged.
        db.onversionchange = () => db.close()
        resume(Effect.succeed(db))
      }
      request.onerror = () => resume(Effect.fail(failure("opening IndexedDB", request.error)))
    } catch (error) {
      resume(Effect.fail(failure("opening IndexedDB", error)))
    }
  })
  return Effect.acquireRelease(
    opening.pipe(Effect.timeoutOrElse({
      duration: "5 seconds",
      orElse: () => Effect.fail(new IdbError({ exception: "TimeoutError", message: "opening IndexedDB did not finish within 5 s" }))
    })),
    (db) => Effect.sync(() => db.close())
  )
}

/**
 * The database, or none after a logged warning: the stores then keep
 * `what` in memory for the page's lifetime.
 */
export const openOrWarn = (owner: string, what: string, options: Options = {}) =>
  open(options).pipe(
    Effect.map(Option.some),
    Effect.catch((error) =>
      Effect.as(Effect.logWarning(`${owner}: ${error.message}; keeping ${what} in memory for this page only`), Option.none<IDBDatabase>())
    )
  )

/**
 * Runs `body` in one transaction on `store`; the value its returned thunk
 * reads once the transaction has committed.
 */
export const transact = <A>(
  db: IDBDatabase,
  store: StoreName,
  mode: IDBTransactionMode,
  body: (store: IDBObjectStore) => () => A
): Effect.Effect<A, IdbError> =>
  Effect.callback<A, IdbError>((resume) => {
    try {
      const transaction = db.transaction(store, mode)
      const result = body(transaction.objectStore(store))
      transaction.oncomplete = () => resume(Effect.sync(result))
      transaction.onerror = () => resume(Effect.fail(failure(`an IndexedDB ${mode} transaction`, transaction.error)))
      transaction.onabort = () => resume(Effect.fail(failure(`an IndexedDB ${mode} transaction`, transaction.error ?? { name: "AbortError" })))
    } catch (error) {
      // Thrown synchronously: a closed connection, a value that cannot be cloned, an invalid key.
      resume(Effect.fail(failure(`an IndexedDB ${mode} transaction`, error)))
    }
  })

/** One request in its own transaction; its result once committed. */
export const request = <A>(
  db: IDBDatabase,
  store: StoreName,
  mode: IDBTransactionMode,
  f: (store: IDBObjectStore) => IDBRequest<A>
): Effect.Effect<A, IdbError> =>
  transact(db, store, mode, (s) => {
    const r = f(s)
    return () => r.result
  })
