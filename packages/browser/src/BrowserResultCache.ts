/**
 * The `ResultCache` in a browser: finished results in IndexedDB (`results`
 * store), so a proof made before a reload answers at once after it. Like
 * core's in-memory cache it keeps the `capacity` most recently used entries
 * (an index on the last use finds the oldest to drop). Values are stored by
 * structured clone.
 *
 * A cache never fails its caller: an IndexedDB error is logged (by its
 * DOMException name, never the key or the value) and reads as a miss.
 * Without IndexedDB, core's in-memory cache is used, with a warning.
 *
 * @since 0.1.0
 */
import { makeMemory, ResultCache, type Service } from "@provident/core/ResultCache"
import { Clock, Effect, Layer, Option } from "effect"
import * as Idb from "./internal/idb.ts"

export interface Options extends Idb.Options {
  /** Entries kept. Default 256. */
  readonly capacity?: number
}

interface Entry {
  readonly value: unknown
  readonly usedAt: number
}

const isEntry = (u: unknown): u is Entry => typeof u === "object" && u !== null && "value" in u && "usedAt" in u

/** A cache of `capacity` entries in `db`. */
export const make = (db: IDBDatabase, capacity = 256): Service => {
  let last = 0
  // Strictly increasing use times, so two uses in the same millisecond still have an order.
  const stamp = Effect.map(Clock.currentTimeMillis, (now) => (last = Math.max(now, last + 0.001)))
  const warn = (operation: string) => (error: Idb.IdbError) => Effect.logWarning(`BrowserResultCache: ${operation}: ${error.message}`)

  return ResultCache.of({
    get: (key) =>
      Effect.flatMap(stamp, (usedAt) =>
        Idb.transact(db, "results", "readwrite", (store) => {
          let found = Option.none<unknown>()
          const read = store.get(key)
          read.onsuccess = () => {
            const entry: unknown = read.result
            if (!isEntry(entry)) return
            found = Option.some(entry.value)
            store.put({ value: entry.value, usedAt }, key)
          }
          return () => found
        })).pipe(Effect.catch((error) => Effect.as(warn("get")(error), Option.none()))),
    set: (key, value) =>
      Effect.flatMap(stamp, (usedAt) =>
        Idb.transact(db, "results", "readwrite", (store) => {
          store.put({ value, usedAt }, key)
          const count = store.count()
          count.onsuccess = () => {
            let excess = count.result - capacity
            if (excess <= 0) return
            // Oldest use first.
            const cursor = store.index("usedAt").openCursor()
            cursor.onsuccess = () => {
              const at = cursor.result
              if (at === null || excess-- <= 0) return
              at.delete()
              at.continue()
            }
          }
          return () => undefined
        })).pipe(Effect.catch(warn("set")))
  })
}

/** The cache in IndexedDB, or in memory (with a warning) where IndexedDB is unavailable. */
export const layer = (options: Options = {}): Layer.Layer<ResultCache> =>
  Layer.effect(
    ResultCache,
    Effect.map(Idb.openOrWarn("BrowserResultCache", "results", options), Option.match({
      onNone: () => makeMemory(options.capacity),
      onSome: (db) => make(db, options.capacity)
    }))
  )
