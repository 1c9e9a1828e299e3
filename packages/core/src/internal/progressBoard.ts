/**
 * The executor's progress board: the latest progress of each execution, a
 * stream of updates, and lazy expiry of finished entries after the
 * configured retention (read against the `Clock` on every access, so
 * TestClock drives it).
 */
import { Effect, Option, PubSub, Stream } from "effect"
import type { ExecutionProgress } from "../ExecutionResult.ts"

/** Whether `phase` ends an execution: its entry expires and its change stream ends. */
export const finished = (phase: string): boolean => phase === "done" || phase === "failed" || phase === "cancelled"

export const make = Effect.fnUntraced(function*(retentionMs: number) {
  const entries = new Map<string, ExecutionProgress>()
  const hub = yield* PubSub.sliding<ExecutionProgress>(1024)

  const expire = (now: number) => {
    for (const [id, p] of entries) if (finished(p.phase) && now - p.updatedAt > retentionMs) entries.delete(id)
  }

  /** Records and publishes an update, synchronously. */
  const set = (progress: ExecutionProgress): void => {
    entries.set(progress.id, progress)
    PubSub.publishUnsafe(hub, progress)
  }

  const get = (id: string, now: number): Option.Option<ExecutionProgress> => {
    expire(now)
    return Option.fromUndefinedOr(entries.get(id))
  }

  /** The current progress (if any), then every update, ending after `done`, `failed` or `cancelled`. */
  const changes = (id: string): Stream.Stream<ExecutionProgress> =>
    Stream.unwrap(Effect.gen(function*() {
      // Subscribe before reading the current value, so no update falls between the two.
      const subscription = yield* PubSub.subscribe(hub)
      const current = entries.get(id)
      if (current !== undefined && finished(current.phase)) return Stream.make(current)
      const updates = Stream.fromSubscription(subscription).pipe(Stream.filter((p) => p.id === id))
      return (current === undefined ? updates : Stream.concat(Stream.make(current), updates)).pipe(
        Stream.takeUntil((p) => finished(p.phase))
      )
    }))

  return { set, get, changes }
})
