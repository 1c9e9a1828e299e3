/**
 * The shapes of the web APIs the browser probe reads, as far as it reads
 * them. Most are not in TypeScript's DOM library (they are Chromium-only or
 * still drafts: `performance.memory`, `navigator.deviceMemory`,
 * `userAgentData`, `getBattery`, `connection`, `PressureObserver`), and every
 * member is optional because every one of them may be missing: the probe
 * is built from these shapes, so tests hand it stubbed objects.
 */

export interface EventTargetLike {
  readonly addEventListener: (type: string, listener: () => void) => void
  readonly removeEventListener: (type: string, listener: () => void) => void
}

/** `navigator.getBattery()`'s `BatteryManager`: a level in 0..1, times in seconds (`Infinity` when unknown). */
export interface BatteryManagerLike extends Partial<EventTargetLike> {
  readonly charging?: boolean
  readonly level?: number
  readonly chargingTime?: number
  readonly dischargingTime?: number
}

/** The Network Information API's `navigator.connection`. */
export interface NetworkInformationLike extends Partial<EventTargetLike> {
  /** `wifi`, `cellular`, `ethernet`, … (Chromium on Android and ChromeOS only). */
  readonly type?: string
  /** `slow-2g`, `2g`, `3g` or `4g`. */
  readonly effectiveType?: string
  /** Mbps, rounded by the browser. */
  readonly downlink?: number
  /** ms, rounded by the browser. */
  readonly rtt?: number
}

export interface StorageEstimateLike {
  readonly quota?: number
  readonly usage?: number
}

export interface NavigatorLike {
  readonly userAgent?: string
  readonly userAgentData?: { readonly mobile?: boolean; readonly platform?: string }
  readonly maxTouchPoints?: number
  readonly hardwareConcurrency?: number
  /** GiB, rounded to a power of two and clamped by the browser. */
  readonly deviceMemory?: number
  readonly onLine?: boolean
  readonly connection?: NetworkInformationLike
  readonly getBattery?: () => Promise<BatteryManagerLike>
  readonly storage?: { readonly estimate?: () => Promise<StorageEstimateLike> }
}

/** Chromium's non-standard `performance.memory`, in bytes. */
export interface HeapMemoryLike {
  readonly usedJSHeapSize?: number
  readonly totalJSHeapSize?: number
  readonly jsHeapSizeLimit?: number
}

export interface PerformanceLike {
  readonly memory?: HeapMemoryLike
  /** Cross-origin isolated pages only; may take seconds (Chromium waits for a garbage collection). */
  readonly measureUserAgentSpecificMemory?: () => Promise<{ readonly bytes?: number }>
}

export interface PressureRecordLike {
  readonly source?: string
  readonly state?: string
}

export interface PressureObserverLike {
  readonly observe: (source: string, options?: { readonly sampleInterval?: number }) => Promise<void>
  readonly disconnect: () => void
}

export interface PressureObserverConstructor {
  new(callback: (records: ReadonlyArray<PressureRecordLike>) => void): PressureObserverLike
  readonly knownSources?: ReadonlyArray<string>
}

/** Where the probe finds the APIs: the page's (or a worker's) globals by default, stubs in tests. */
export interface Globals {
  readonly navigator: NavigatorLike | undefined
  readonly performance: PerformanceLike | undefined
  readonly crossOriginIsolated: boolean
  readonly PressureObserver: PressureObserverConstructor | undefined
  /** Where `online` and `offline` fire: `window`, or a worker's global scope. */
  readonly events: EventTargetLike | undefined
}

/** `f()`, or `undefined` if it throws: a getter of a missing or forbidden API must not break a reading. */
export const attempt = <A>(f: () => A): A | undefined => {
  try {
    return f()
  } catch {
    return undefined
  }
}

/** This realm's APIs, read defensively (a getter may throw, e.g. in a sandboxed frame). */
export const current = (): Globals => {
  const scope = globalThis as unknown as Record<string, unknown>
  const events = attempt(() => (typeof scope.addEventListener === "function" ? (globalThis as unknown as EventTargetLike) : undefined))
  return {
    navigator: attempt(() => scope.navigator as NavigatorLike | undefined),
    performance: attempt(() => scope.performance as PerformanceLike | undefined),
    crossOriginIsolated: attempt(() => scope.crossOriginIsolated === true) ?? false,
    PressureObserver: attempt(() => {
      const ctor = scope.PressureObserver
      return typeof ctor === "function" ? (ctor as PressureObserverConstructor) : undefined
    }),
    events
  }
}
