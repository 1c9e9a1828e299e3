/**
 * The allocator's gauges (granted memory and cores, queue length, running),
 * read from the allocators' books whenever metrics are read or exported
 * (`Metric.registerUnsafe`) instead of being set at every change: exact, and
 * free on the hot paths. Every live allocator counts: with two over one
 * metric registry (two facade `ResourceAllocator`s over one monitor) each
 * gauge is their sum, and the series leave with the last of them.
 */
import { Context, Effect, Metric, type Scope } from "effect"
import * as metrics from "./metrics.ts"

/** What one allocator reports. */
export interface Books {
  readonly grantedMemory: () => number
  readonly grantedCores: () => number
  readonly queueLength: () => number
  readonly running: () => number
}

interface Shown {
  readonly books: Set<Books>
  readonly registrations: ReadonlyArray<Metric.Registration>
}

/** The allocators reporting into each metric registry. */
const shown = new WeakMap<object, Shown>()

const sum = (books: Set<Books>, read: (b: Books) => number) => {
  let total = 0
  for (const b of books) total += read(b)
  return total
}

/** Reports `books` until the scope closes, into the metric registry of the current context. */
export const report = (books: Books): Effect.Effect<void, never, Scope.Scope> =>
  Effect.contextWith((context: Context.Context<never>) => {
    const registry = Context.get(context, Metric.MetricRegistry)
    let entry = shown.get(registry)
    if (entry === undefined) {
      const all = new Set<Books>()
      const gauge = (metric: Metric.Metric<number, Metric.GaugeState<number>>, read: (b: Books) => number) =>
        Metric.registerUnsafe(metric, context, { get: () => ({ value: sum(all, read) }), update: () => {}, modify: () => {} })
      entry = {
        books: all,
        registrations: [
          gauge(metrics.allocatorGrantedMemory, (b) => b.grantedMemory()),
          gauge(metrics.allocatorGrantedCores, (b) => b.grantedCores()),
          gauge(metrics.allocatorQueueLength, (b) => b.queueLength()),
          gauge(metrics.allocatorRunning, (b) => b.running())
        ]
      }
      shown.set(registry, entry)
    }
    const { books: all, registrations } = entry
    all.add(books)
    return Effect.addFinalizer(() =>
      Effect.sync(() => {
        all.delete(books)
        if (all.size > 0) return
        for (const r of registrations) r.remove()
        shown.delete(registry)
      })
    )
  })
