/**
 * What the allocator does with each new reading of the monitor: refresh the
 * forecast, admit what now fits the budget of that reading, and under memory
 * pressure pause the work `eviction.ts` chooses (at most once per
 * `evictionCooldown`), resuming what it evicted once the alert clears (at
 * every reading without the alert, until it is back in line).
 */
import { Clock, Effect, Stream } from "effect"
import type { AllocatorConfig } from "../AllocatorConfig.ts"
import type { Service as Monitor } from "../ResourceMonitor.ts"
import type { ResourceSnapshot } from "../ResourceSnapshot.ts"
import type { Operation } from "./allocatorOperation.ts"
import { capacityOf } from "./budget.ts"
import { victims } from "./eviction.ts"

export interface Engine {
  readonly config: AllocatorConfig
  readonly monitor: Monitor
  /** Operations holding a grant. */
  readonly running: () => ReadonlyArray<Operation>
  /** Every live operation. */
  readonly live: () => ReadonlyArray<Operation>
  readonly refreshForecast: Effect.Effect<void, unknown>
  readonly dispatch: Effect.Effect<void>
  readonly evict: (op: Operation) => Effect.Effect<void>
  readonly enqueue: (op: Operation) => Effect.Effect<void, unknown>
}

/** Follows the monitor's readings until the scope closes. */
export const followReadings = (engine: Engine) => {
  const { config, monitor } = engine
  let lastEviction = Number.NEGATIVE_INFINITY
  const onSnapshot = Effect.fnUntraced(function*(snapshot: ResourceSnapshot) {
    yield* engine.refreshForecast
    yield* engine.dispatch
    if (!config.eviction || snapshot.stale) return
    const alerts = yield* monitor.alerts
    const now = yield* Clock.currentTimeMillis
    if (alerts.memory && now - lastEviction >= config.evictionCooldown) {
      const running = engine.running()
      const chosen = victims(
        running.filter((op) => op.hasBody && op.profile.canBePaused).map((op) => ({
          id: op.id,
          rank: op.rank,
          startedAt: op.startedAt ?? 0,
          memory: op.grant?.memory ?? 0
        })),
        snapshot.memory.used,
        capacityOf(snapshot),
        monitor.config.memoryThresholdPercent
      )
      if (chosen.length > 0) {
        lastEviction = now
        const byId = new Map(running.map((op) => [op.id, op]))
        yield* Effect.forEach(chosen, (id) => engine.evict(byId.get(id)!), { concurrency: "unbounded", discard: true })
      }
    } else if (!alerts.memory) {
      for (const op of engine.live()) {
        if (op.state === "paused" && op.evicted) {
          op.evicted = false
          // Not back in line (the queue is full, say): it stays evicted, and the next reading tries again.
          yield* engine.enqueue(op).pipe(
            Effect.catch(() =>
              Effect.sync(() => {
                if (op.state === "paused") op.evicted = true
              })
            )
          )
        }
      }
    }
  })
  return monitor.changes.pipe(Stream.runForEach(onSnapshot), Effect.forkScoped({ startImmediately: true }))
}
