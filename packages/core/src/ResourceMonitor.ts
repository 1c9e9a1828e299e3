/**
 * Watches the device. A scoped fiber samples the `ResourceProbe` every
 * `sampleInterval`; each good reading becomes `latest`, enters the `history`
 * ring, is published on `changes` and checked against the thresholds, whose
 * crossings go out on `events`.
 *
 * A probe that fails, hangs past `probeTimeout` or returns an invalid reading
 * never stops monitoring: the failure is logged and counted, the last good
 * reading is kept and republished with `stale: true`, and the next good
 * reading clears it.
 *
 * `stopSampling` and `startSampling` pause and resume the sampling fiber
 * (the Promise facade's continuous monitoring); `sample` works either way.
 *
 * @since 0.1.0
 */
import { Context, Effect, FiberHandle, Layer, Metric, Option, PubSub, Schedule, Scope, Semaphore, Stream } from "effect"
import type { DeviceInfo } from "./DeviceInfo.ts"
import * as metrics from "./internal/metrics.ts"
import { RingBuffer } from "./internal/RingBuffer.ts"
import { systemLoad as loadOf } from "./internal/systemLoad.ts"
import { type AlertState, evaluate, noAlerts, rulesFor } from "./internal/thresholds.ts"
import * as MonitorConfig from "./MonitorConfig.ts"
import * as PressureState from "./PressureState.ts"
import { type InvalidInput, ProbeError } from "./ProvidentError.ts"
import { ResourceProbe } from "./ResourceProbe.ts"
import * as SimulatedDevice from "./SimulatedDevice.ts"
import * as ResourceSnapshot from "./ResourceSnapshot.ts"
import type { ThresholdEvent } from "./ThresholdEvent.ts"

/** Counters of the monitor's own health. */
export interface MonitorStats {
  /** Good readings taken. */
  readonly samples: number
  /** Failed readings of any reason, timeouts included. */
  readonly failures: number
  readonly timeouts: number
  /** Failures since the last good reading; 0 when the latest reading is fresh. */
  readonly consecutiveFailures: number
  /** The message of the most recent failure. */
  readonly lastFailure?: string
}

export interface Service {
  readonly device: DeviceInfo
  readonly config: MonitorConfig.MonitorConfig
  /**
   * Takes a reading now (on demand, besides the fiber's schedule) and
   * records it like any other. If the probe fails it returns the last good
   * reading marked stale; it fails only when there has never been one.
   */
  readonly sample: Effect.Effect<ResourceSnapshot.ResourceSnapshot, ProbeError>
  /** The most recent reading (possibly stale); fails only if none ever succeeded. */
  readonly latest: Effect.Effect<ResourceSnapshot.ResourceSnapshot, ProbeError>
  /** Every reading from now on, stale repeats included. Slow subscribers lose the oldest. */
  readonly changes: Stream.Stream<ResourceSnapshot.ResourceSnapshot>
  /** Threshold crossings and clearings from now on. */
  readonly events: Stream.Stream<ThresholdEvent>
  /** Which thresholds are crossed at the moment. */
  readonly alerts: Effect.Effect<AlertState>
  /** Load on a 0..1 scale from the latest reading; see `internal/systemLoad.ts` for the formula. */
  readonly systemLoad: Effect.Effect<number, ProbeError>
  /** The recent good readings, oldest first, at most `historySize`. */
  readonly history: Effect.Effect<ReadonlyArray<ResourceSnapshot.ResourceSnapshot>>
  readonly stats: Effect.Effect<MonitorStats>
  /**
   * Starts the sampling fiber if it is stopped (the layer starts it): a
   * reading every `sampleInterval`, the first one an interval from now.
   */
  readonly startSampling: Effect.Effect<void>
  /** Stops the sampling fiber; `sample` still takes readings on demand. */
  readonly stopSampling: Effect.Effect<void>
  /** Whether the sampling fiber runs. */
  readonly sampling: Effect.Effect<boolean>
}

export class ResourceMonitor extends Context.Service<ResourceMonitor, Service>()("@provident/core/ResourceMonitor") {}

export type { AlertState }

/** Drops the optional readings the configuration turned off. */
const keepEnabled = (
  config: MonitorConfig.MonitorConfig,
  snapshot: ResourceSnapshot.ResourceSnapshot
): ResourceSnapshot.ResourceSnapshot => {
  const { battery, network, storage, ...rest } = snapshot
  return {
    ...rest,
    ...(config.enableBatteryMonitoring && battery !== undefined ? { battery } : {}),
    ...(config.enableNetworkMonitoring && network !== undefined ? { network } : {}),
    ...(config.enableStorageMonitoring && storage !== undefined ? { storage } : {}),
    stale: false
  }
}

const recordGauges = (snapshot: ResourceSnapshot.ResourceSnapshot) =>
  Effect.all([
    Metric.update(metrics.memoryUsedBytes, snapshot.memory.used),
    Metric.update(metrics.memoryAvailableBytes, snapshot.memory.available),
    Metric.update(metrics.memoryUsagePercent, snapshot.memory.usagePercent),
    Metric.update(metrics.cpuUsagePercent, snapshot.cpu.usagePercent),
    Metric.update(metrics.pressureLevel, PressureState.rank(snapshot.pressure.state)),
    Metric.update(metrics.systemLoad, loadOf(snapshot)),
    snapshot.battery === undefined ? Effect.void : Metric.update(metrics.batteryLevelPercent, snapshot.battery.level)
  ], { discard: true })

/**
 * Builds a monitor over the `ResourceProbe` in context. The first reading is
 * taken before this returns (so `latest` has a value unless the probe failed),
 * then the sampling fiber runs until the scope closes.
 */
export const make: (
  options?: MonitorConfig.MonitorConfigInput
) => Effect.Effect<Service, InvalidInput, ResourceProbe | Scope.Scope> = Effect.fnUntraced(function*(options) {
  const config = yield* MonitorConfig.decode(options ?? {})
  const probe = yield* ResourceProbe
  const rules = rulesFor(config)
  const lock = yield* Semaphore.make(1)
  const changesHub = yield* PubSub.sliding<ResourceSnapshot.ResourceSnapshot>(256)
  const eventsHub = yield* PubSub.sliding<ThresholdEvent>(256)
  yield* Effect.addFinalizer(() => Effect.andThen(PubSub.shutdown(changesHub), PubSub.shutdown(eventsHub)))

  // Guarded by `lock`: one reading is recorded at a time, so threshold state
  // and history see readings in order.
  const history = new RingBuffer<ResourceSnapshot.ResourceSnapshot>(config.historySize)
  let latest: ResourceSnapshot.ResourceSnapshot | undefined
  let lastError: ProbeError = new ProbeError({ reason: "NoReading", message: "no reading has succeeded yet" })
  let alerts = noAlerts
  let stats: MonitorStats = { samples: 0, failures: 0, timeouts: 0, consecutiveFailures: 0 }

  const timeoutMs = config.probeTimeout
  const read = probe.sample.pipe(
    Effect.timeoutOrElse({
      duration: timeoutMs,
      orElse: () =>
        Effect.fail(new ProbeError({ reason: "Timeout", message: `the probe gave no reading within ${timeoutMs} ms` }))
    }),
    Effect.catchDefect((defect) =>
      Effect.fail(new ProbeError({ reason: "Failed", message: `the probe crashed: ${String(defect)}`, cause: defect }))
    ),
    Effect.flatMap((raw) =>
      ResourceSnapshot.decode(raw).pipe(
        Effect.mapError((invalid) => new ProbeError({ reason: "InvalidReading", message: invalid.message }))
      )
    )
  )

  const recordGood = Effect.fnUntraced(function*(raw: ResourceSnapshot.ResourceSnapshot) {
    const snapshot = keepEnabled(config, raw)
    if (stats.consecutiveFailures > 0) {
      yield* Effect.logInfo(`ResourceMonitor: probe recovered after ${stats.consecutiveFailures} failed readings`)
    }
    latest = snapshot
    history.push(snapshot)
    stats = { ...stats, samples: stats.samples + 1, consecutiveFailures: 0 }
    // Settle the alert state before anyone hears of the reading, so a
    // subscriber to `changes` reading `alerts` sees them agree.
    const step = config.thresholdNotifications ? evaluate(alerts, snapshot, rules) : undefined
    if (step !== undefined) alerts = step.state
    yield* Metric.update(metrics.monitorSamples, 1)
    yield* recordGauges(snapshot)
    yield* PubSub.publish(changesHub, snapshot)
    for (const event of step?.events ?? []) {
      yield* Metric.update(Metric.withAttributes(metrics.thresholdEvents, { resource: event.resource, kind: event.kind }), 1)
      yield* PubSub.publish(eventsHub, event)
    }
    return snapshot
  })

  const recordFailure = Effect.fnUntraced(function*(error: ProbeError) {
    lastError = error
    stats = {
      ...stats,
      failures: stats.failures + 1,
      timeouts: stats.timeouts + (error.reason === "Timeout" ? 1 : 0),
      consecutiveFailures: stats.consecutiveFailures + 1,
      lastFailure: error.message
    }
    yield* Metric.update(metrics.probeFailures(error.reason), 1)
    // Warn when a run of failures starts; repeats of the same run go to debug.
    const log = stats.consecutiveFailures === 1 ? Effect.logWarning : Effect.logDebug
    yield* log(`ResourceMonitor: probe reading failed (${error.reason}): ${error.message}; keeping the last good reading, marked stale`)
    if (latest === undefined) return yield* error
    const stale = { ...latest, stale: true }
    latest = stale
    yield* PubSub.publish(changesHub, stale)
    return stale
  })

  const takeSample = lock.withPermits(1)(
    read.pipe(Effect.matchEffect({ onSuccess: recordGood, onFailure: recordFailure }))
  )

  const latestReading = Effect.suspend(() => (latest === undefined ? Effect.fail(lastError) : Effect.succeed(latest)))

  // The first reading during construction, then one every interval. The
  // fiber lives in a handle so that it can be stopped and started again (the
  // Promise facade's start/stopContinuousMonitoring); the handle interrupts
  // it when the scope closes.
  yield* Effect.ignore(takeSample)
  const sampler = yield* FiberHandle.make<void>()
  const startSampling = FiberHandle.run(
    sampler,
    Effect.sleep(config.sampleInterval).pipe(
      Effect.andThen(takeSample.pipe(Effect.ignore, Effect.repeat(Schedule.spaced(config.sampleInterval)))),
      Effect.asVoid
    ),
    { onlyIfMissing: true, startImmediately: false }
  ).pipe(Effect.asVoid)
  yield* startSampling

  return ResourceMonitor.of({
    device: probe.device,
    config,
    sample: takeSample.pipe(Effect.withSpan("ResourceMonitor.sample")),
    latest: latestReading,
    changes: Stream.fromPubSub(changesHub),
    events: Stream.fromPubSub(eventsHub),
    alerts: Effect.sync(() => alerts),
    systemLoad: latestReading.pipe(Effect.map(loadOf), Effect.withSpan("ResourceMonitor.systemLoad")),
    history: Effect.sync(() => history.toArray()),
    stats: Effect.sync(() => stats),
    startSampling,
    stopSampling: FiberHandle.clear(sampler),
    sampling: Effect.sync(() => Option.isSome(FiberHandle.getUnsafe(sampler)))
  })
})

/** The monitor as a layer over a `ResourceProbe`; invalid options fail the layer with `InvalidInput`. */
export const layer = (
  options?: MonitorConfig.MonitorConfigInput
): Layer.Layer<ResourceMonitor, InvalidInput, ResourceProbe> => Layer.effect(ResourceMonitor, make(options))

/**
 * The monitor over a simulated device (default: the laptop preset), with the
 * device's controls exposed: the base of TestClock-driven tests.
 */
export const layerTest = (
  spec: SimulatedDevice.DeviceSpec = SimulatedDevice.laptop,
  options?: MonitorConfig.MonitorConfigInput
): Layer.Layer<ResourceMonitor | ResourceProbe | SimulatedDevice.SimulatedDevice, InvalidInput> =>
  layer(options).pipe(Layer.provideMerge(SimulatedDevice.layer(spec)))
