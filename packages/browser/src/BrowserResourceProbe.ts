/**
 * The `ResourceProbe` for browsers (a page or a worker). Every API it reads
 * is optional: where one is missing, throws or never answers, its reading is
 * absent and `device.supports` says so; building the probe and sampling
 * never fail because of the browser.
 *
 * - memory: the page's footprint from `performance.measureUserAgentSpecificMemory()`
 *   (cross-origin isolated pages; refreshed in the background because
 *   Chromium answers only after a garbage collection), else the JS heap from
 *   `performance.memory` (Chromium), against the wasm32 4 GiB ceiling,
 *   lowered on iOS WebKit (`internal/readings.ts` says why);
 *   `navigator.deviceMemory` only sets `totalMemory`;
 * - CPU: cores from `navigator.hardwareConcurrency` (one when absent);
 *   pressure from the Compute Pressure API (`PressureObserver` on `cpu`,
 *   already on Provident's nominal…critical scale), derived from memory
 *   usage until its first record or where it is missing;
 * - battery from `navigator.getBattery()`, kept current by its change events;
 * - network from `navigator.onLine` with `online`/`offline` events and the
 *   Network Information API (`navigator.connection` and its `change` event);
 * - storage from `navigator.storage.estimate()`, refreshed in the background.
 *
 * Subscriptions and background refreshes live as long as the layer. The
 * device class comes from core's `DeviceInfo.classify`, with the browser's
 * mobile hint (`userAgentData.mobile`, else the user agent); timestamps from
 * the Effect `Clock`.
 *
 * @since 0.1.0
 */
import { ProvidentError, ResourceProbe } from "@provident/core"
import * as DeviceInfo from "@provident/core/DeviceInfo"
import type { PressureState } from "@provident/core/PressureState"
import { Clock, Duration, Effect, Layer, Schema, type Scope } from "effect"
import { decodeOrInvalid } from "@provident/core/Decode"
import * as Readings from "./internal/readings.ts"
import * as WebApis from "./internal/webApis.ts"

export interface Options {
  /** The most memory the page's work may count on, in bytes. Default the wasm32 ceiling, 4 GiB. */
  readonly memoryCeiling?: number
  /** The cap on iOS WebKit, in bytes. Default 1 GiB: iOS kills tabs well before the wasm32 ceiling. */
  readonly mobileSafariMemoryCap?: number
  /** Whether this is iOS WebKit; default: detected from the user agent. */
  readonly mobileSafari?: boolean
  /** Milliseconds between Compute Pressure records. Default 1000. */
  readonly pressureSampleInterval?: number
  /** Milliseconds between storage estimates. Default 10 000. */
  readonly storageRefresh?: number
  /** Milliseconds between page memory measurements (cross-origin isolated pages). Default 10 000. */
  readonly pageMemoryRefresh?: number
  /** How long to wait for each asynchronous API while the probe starts, in ms. Default 2000. */
  readonly startupTimeout?: number
  /** Where the APIs are found: this realm's globals by default; tests pass stubs. */
  readonly globals?: WebApis.Globals
}

const Millis = Schema.Finite.check(Schema.isGreaterThanOrEqualTo(10, { message: "must be at least 10 ms" }))
const Bytes = Schema.Finite.check(Schema.isGreaterThanOrEqualTo(1024 ** 2, { message: "must be at least 1 MiB" }))

/** The options but `globals`, as a Schema: each optional, each with its rule. */
export const Settings = Schema.Struct({
  memoryCeiling: Schema.optionalKey(Bytes),
  mobileSafariMemoryCap: Schema.optionalKey(Bytes),
  mobileSafari: Schema.optionalKey(Schema.Boolean),
  pressureSampleInterval: Schema.optionalKey(Millis),
  storageRefresh: Schema.optionalKey(Millis),
  pageMemoryRefresh: Schema.optionalKey(Millis),
  startupTimeout: Schema.optionalKey(Millis)
})

const batteryEvents = ["levelchange", "chargingchange", "chargingtimechange", "dischargingtimechange"] as const

/** Adds `listener` for `types` on `target` (if it takes listeners) until the scope closes. */
const listen = (target: Partial<WebApis.EventTargetLike> | undefined, types: ReadonlyArray<string>, listener: () => void) =>
  Effect.acquireRelease(
    Effect.sync(() =>
      WebApis.attempt(() => {
        if (typeof target?.addEventListener !== "function") return false
        for (const type of types) target.addEventListener(type, listener)
        return true
      }) ?? false
    ),
    (added) =>
      added ? Effect.sync(() => WebApis.attempt(() => types.forEach((type) => target?.removeEventListener?.(type, listener)))) : Effect.void
  )

/** A method of an API object as a thunk, if the object has it (reading it may throw). */
const method = <A>(owner: () => unknown, name: string): (() => Promise<A>) | undefined =>
  WebApis.attempt(() => {
    const object = owner() as Record<string, unknown> | undefined
    const f = object?.[name]
    return typeof f === "function" ? () => (f as () => Promise<A>).call(object) : undefined
  })

/** Builds the probe: reads the static facts, subscribes to changes, and samples on demand. */
export const make: (options?: Options) => Effect.Effect<ResourceProbe.Service, ProvidentError.InvalidInput, Scope.Scope> = Effect
  .fnUntraced(function*(options: Options = {}) {
    const { globals, ...rest } = options
    const config = yield* decodeOrInvalid(Settings, "BrowserResourceProbe options", rest)
    const g = globals ?? WebApis.current()
    const nav = g.navigator
    const timeout = Duration.millis(config.startupTimeout ?? 2000)
    // A promise-returning API that may be missing, reject or never settle: undefined in each case.
    const settle = <A>(f: (() => Promise<A>) | undefined) =>
      f === undefined ? Effect.undefined : Effect.tryPromise(f).pipe(
        Effect.timeout(timeout),
        Effect.match({ onFailure: () => undefined, onSuccess: (a): A | undefined => a })
      )
    const every = (ms: number | undefined, fallback: number, refresh: Effect.Effect<void>) =>
      Effect.sleep(Duration.millis(ms ?? fallback)).pipe(Effect.andThen(refresh), Effect.forever, Effect.forkScoped)

    // Battery: read once, then kept current by its events.
    const manager = yield* settle(method<WebApis.BatteryManagerLike>(() => nav, "getBattery"))
    let battery = manager === undefined ? undefined : Readings.batteryState(manager)
    if (manager !== undefined && battery !== undefined) {
      yield* listen(manager, batteryEvents, () => void (battery = Readings.batteryState(manager) ?? battery))
    }

    // Network: online/offline events where they fire, the connection's change event where it has one.
    const readNetwork = () => Readings.networkState(WebApis.attempt(() => nav?.onLine), WebApis.attempt(() => nav?.connection))
    let network = readNetwork()
    if (network !== undefined) {
      const refresh = () => void (network = readNetwork() ?? network)
      yield* listen(g.events, ["online", "offline"], refresh)
      yield* listen(WebApis.attempt(() => nav?.connection), ["change"], refresh)
    }

    // Storage: estimates are asynchronous, so the latest one is kept and refreshed in the background.
    const estimate = settle(method<WebApis.StorageEstimateLike>(() => nav?.storage, "estimate"))
    let storage = Readings.storageState(yield* estimate)
    if (storage !== undefined) {
      yield* every(config.storageRefresh, 10_000, Effect.map(estimate, (e) => void (storage = Readings.storageState(e) ?? storage)))
    }

    // CPU pressure: the observer delivers a record on every change of state (and the first one soon after observing).
    let cpuPressure: PressureState | undefined
    let pressureSupported = false
    const Observer = g.PressureObserver
    const known = WebApis.attempt(() => Observer?.knownSources)
    if (Observer !== undefined && (!Array.isArray(known) || known.includes("cpu"))) {
      const observer = WebApis.attempt(() =>
        new Observer((records) => {
          for (const record of records) {
            if (record.source !== undefined && record.source !== "cpu") continue
            cpuPressure = Readings.pressureState(record.state) ?? cpuPressure
          }
        })
      )
      if (observer !== undefined) {
        yield* Effect.addFinalizer(() => Effect.sync(() => WebApis.attempt(() => observer.disconnect())))
        const sampleInterval = config.pressureSampleInterval ?? 1000
        // `observe` rejects where the permissions policy forbids it (some iframes) or the source is unsupported.
        pressureSupported = (yield* settle(() => observer.observe("cpu", { sampleInterval }).then(() => true))) === true
      }
    }

    // Memory: the JS heap on every sample; the page's whole footprint in the background where allowed.
    const readHeap = () => Readings.heapState(WebApis.attempt(() => g.performance?.memory))
    let pageBytes: number | undefined
    const measure = g.crossOriginIsolated
      ? method<{ readonly bytes?: number }>(() => g.performance, "measureUserAgentSpecificMemory")
      : undefined
    if (measure !== undefined) {
      const measureOnce = Effect.tryPromise(measure).pipe(
        Effect.timeout("60 seconds"),
        Effect.match({ onFailure: () => undefined, onSuccess: (r) => void (pageBytes = Readings.finite(r?.bytes) ?? pageBytes) })
      )
      yield* measureOnce.pipe(
        Effect.andThen(Effect.sleep(Duration.millis(config.pageMemoryRefresh ?? 10_000))),
        Effect.forever,
        Effect.forkScoped
      )
    }
    const heapSupported = readHeap() !== undefined

    const device = yield* DeviceInfo.decode(Readings.toDevice({
      userAgent: WebApis.attempt(() => (typeof nav?.userAgent === "string" ? nav.userAgent : undefined)),
      uaMobile: WebApis.attempt(() => (typeof nav?.userAgentData?.mobile === "boolean" ? nav.userAgentData.mobile : undefined)),
      maxTouchPoints: WebApis.attempt(() => Readings.finite(nav?.maxTouchPoints)),
      hardwareConcurrency: WebApis.attempt(() => nav?.hardwareConcurrency),
      deviceMemoryGiB: WebApis.attempt(() => nav?.deviceMemory),
      battery,
      supports: {
        memory: heapSupported || measure !== undefined,
        storage: storage !== undefined,
        network: network !== undefined,
        pressure: pressureSupported,
        process: heapSupported
      }
    }, {
      ceiling: config.memoryCeiling ?? Readings.WASM32_CEILING,
      mobileSafariCap: config.mobileSafariMemoryCap ?? Readings.GiB,
      mobileSafari: config.mobileSafari
    })).pipe(Effect.orDie)

    const sample = Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      return yield* Effect.try({
        try: () => Readings.toSnapshot(device, { now, heap: readHeap(), pageBytes, cpuPressure, battery, network, storage }),
        catch: (cause) =>
          new ProvidentError.ProbeError({ reason: "Failed", message: `reading the browser probe failed: ${String(cause)}`, cause })
      })
    })

    return ResourceProbe.make({ device, sample })
  })

/** The browser probe as a layer; its subscriptions end with the layer. Invalid options fail it with `InvalidInput`. */
export const layer = (options?: Options): Layer.Layer<ResourceProbe.ResourceProbe, ProvidentError.InvalidInput> =>
  Layer.effect(ResourceProbe.ResourceProbe, make(options))
