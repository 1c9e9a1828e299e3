/**
 * The spec's `ResourceMonitor`: the core `ResourceMonitor` service over a
 * platform's probe, run on a `ManagedRuntime`. Every object built over a
 * monitor (allocators, adaptive computations, predictions) shares its
 * runtime's memo map and so this very monitor; closing the monitor closes
 * them too.
 *
 * The runtime is built on first use: the probe starts and the first reading
 * is taken then. Readings every `sampleInterval` are taken only between
 * `startContinuousMonitoring()` and `stopContinuousMonitoring()`, as the
 * spec has it; `sampleResources()` reads on demand at any time, and the
 * other services decide on the most recent reading.
 *
 * Platform packages subclass it with their platform bound (`new
 * ResourceMonitor(options)` in `@provident/node/promise`).
 *
 * @since 0.1.0
 */
import { Context, Effect, Fiber, Layer, Stream } from "effect"
import * as MonitorConfig from "../MonitorConfig.ts"
import * as CoreMonitor from "../ResourceMonitor.ts"
import type { ResourceProbe } from "../ResourceProbe.ts"
import type { ResourceSnapshot } from "../ResourceSnapshot.ts"
import type { Platform } from "./Platform.ts"
import { FacadeRuntime } from "./Runtime.ts"
import { strict, validate } from "./Validate.ts"

/** The spec's monitor options: `MonitorConfig` (every field optional, times in milliseconds). */
export type ResourceMonitorOptions = MonitorConfig.MonitorConfigInput

/** Called with every reading: the periodic ones and those `sampleResources()` takes. */
export type ResourceCallback = (resources: ResourceSnapshot) => void | Promise<void>

/** The services a monitor's runtime provides (and so every runtime built over it). */
export type MonitorServices = CoreMonitor.ResourceMonitor | ResourceProbe

const runtimes = new WeakMap<ResourceMonitor, FacadeRuntime<MonitorServices>>()

/** The runtime of a monitor, for the classes built over it. */
export const runtimeOf = (monitor: ResourceMonitor): FacadeRuntime<MonitorServices> => {
  const runtime = runtimes.get(monitor)
  if (runtime === undefined) throw new TypeError("Expected a ResourceMonitor")
  return runtime
}

const Monitor = CoreMonitor.ResourceMonitor

/** The kind of a value, for a message: never the value itself. */
const describe = (value: unknown): string => (value === null ? "null" : Array.isArray(value) ? "an array" : typeof value)

export class ResourceMonitor {
  readonly #callbacks = new Map<string, Fiber.Fiber<unknown, unknown>>()
  #nextCallback = 0

  /** Validates `options` now: a bad option throws a `TypeError` naming it. */
  constructor(platform: Platform, options: ResourceMonitorOptions = {}) {
    validate("ResourceMonitor", MonitorConfig.decode(options, strict))
    // The core layer starts sampling as it builds; here sampling waits for
    // startContinuousMonitoring(). The fiber sleeps an interval before its
    // first reading, so stopping it right after the build loses none.
    const layer = CoreMonitor.layer(options).pipe(
      Layer.tap((context) => Context.get(context, Monitor).stopSampling),
      Layer.provideMerge(platform.probe)
    )
    runtimes.set(this, new FacadeRuntime("ResourceMonitor", layer, { memoMap: Layer.makeMemoMapUnsafe(), platform }))
  }

  /**
   * Starts taking a reading every `sampleInterval` (the first one an
   * interval from now). The spec calls it without `await`; the promise
   * resolves once sampling runs. Calling it again while sampling is harmless.
   */
  startContinuousMonitoring(): Promise<void> {
    return runtimeOf(this).command(Monitor.use((m) => m.startSampling))
  }

  /** Stops the periodic readings; `sampleResources()` still works. Resolves once stopped. */
  stopContinuousMonitoring(): Promise<void> {
    return runtimeOf(this).command(Monitor.use((m) => m.stopSampling))
  }

  /**
   * Takes a reading now. If the probe fails, the last good reading comes
   * back marked `stale: true`; it rejects (`ProbeError`) only when no reading
   * has ever succeeded.
   */
  sampleResources(): Promise<ResourceSnapshot> {
    return runtimeOf(this).run(Monitor.use((m) => m.sample))
  }

  /** System load on a 0..1 scale, from the most recent reading (the README gives the formula). */
  getSystemLoad(): Promise<number> {
    return runtimeOf(this).run(Monitor.use((m) => m.systemLoad))
  }

  /**
   * Calls `callback` with every reading from now on and returns an id for
   * `unregisterCallback`. Each callback runs in a fiber of its own,
   * following the monitor's `changes`: one that throws (or rejects) is
   * logged and stays registered, and never holds up the others. A callback
   * slower than the readings misses the oldest ones. Anything but a
   * function throws a `TypeError` naming the argument, here rather than at
   * the first reading, where it would only be logged.
   */
  registerCallback(callback: ResourceCallback): string {
    if (typeof callback !== "function") {
      throw new TypeError(`Invalid ResourceMonitor.registerCallback argument callback: must be a function (got ${describe(callback)})`)
    }
    const runtime = runtimeOf(this)
    const id = `callback-${++this.#nextCallback}`
    const deliver = (snapshot: ResourceSnapshot) =>
      Effect.tryPromise({ try: async () => await callback(snapshot), catch: (error) => error }).pipe(
        Effect.catch((error) => Effect.logWarning(`ResourceMonitor: callback ${id} failed; it stays registered`, error))
      )
    this.#callbacks.set(id, runtime.fork(Monitor.use((m) => m.changes.pipe(Stream.runForEach(deliver)))))
    return id
  }

  /** Stops calling a callback; whether `id` was registered. */
  unregisterCallback(id: string): boolean {
    if (runtimeOf(this).closed) throw runtimeOf(this).closedError()
    const fiber = this.#callbacks.get(id)
    if (fiber === undefined) return false
    this.#callbacks.delete(id)
    // Interrupted apart from the runtime: a callback registered before the
    // runtime was built is waiting for the build, and need not wait longer.
    Effect.runFork(Fiber.interrupt(fiber))
    return true
  }

  /**
   * Closes everything built over this monitor, then the monitor: sampling,
   * callbacks and the probe stop, and nothing of it keeps the process
   * alive. Later calls reject with `Error: ResourceMonitor is closed`.
   * Idempotent.
   */
  close(): Promise<void> {
    return runtimeOf(this).close()
  }

  /** `await using monitor = new ResourceMonitor()` closes it at the end of the block. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close()
  }
}
