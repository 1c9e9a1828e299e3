/**
 * Results of finished computations by a key the caller chooses (e.g. circuit
 * and a hash of its inputs), for the `CACHED_COMPUTATION` strategy: a hit
 * answers at once. The in-memory cache keeps the most recently used
 * `capacity` entries.
 *
 * @since 0.1.0
 */
import { Context, Effect, Layer, Option } from "effect"

export interface Service {
  readonly get: (key: string) => Effect.Effect<Option.Option<unknown>>
  readonly set: (key: string, value: unknown) => Effect.Effect<void>
}

export class ResultCache extends Context.Service<ResultCache, Service>()("@provident/core/ResultCache") {}

/** A least-recently-used cache of `capacity` entries (default 256). */
export const makeMemory = (capacity = 256): Service => {
  const entries = new Map<string, unknown>()
  return ResultCache.of({
    get: (key) =>
      Effect.sync(() => {
        if (!entries.has(key)) return Option.none()
        const value = entries.get(key)
        // Re-insert: a Map iterates in insertion order, so the first key is the least recently used.
        entries.delete(key)
        entries.set(key, value)
        return Option.some(value)
      }),
    set: (key, value) =>
      Effect.sync(() => {
        entries.delete(key)
        entries.set(key, value)
        while (entries.size > capacity) {
          const oldest = entries.keys().next().value
          if (oldest === undefined) break
          entries.delete(oldest)
        }
      })
  })
}

export const layerMemory = (capacity?: number): Layer.Layer<ResultCache> => Layer.sync(ResultCache, () => makeMemory(capacity))
