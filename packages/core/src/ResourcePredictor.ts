/**
 * Forecasts the device and learns what proofs cost on it. Each resource
 * (memory used, CPU usage, battery level, storage used) has a damped Holt
 * model fed by the monitor's readings, from which come `trends` and
 * `predictions` with 90% intervals. Each finished proof reported to
 * `observe` refines a power-law cost model per (circuit family, prover,
 * strategy, cores), which `predictOperation` uses for registered operations
 * and which persists through the `ModelStore`. `bestStartTime` joins the two:
 * when will free memory cover what an operation needs.
 *
 * The math is pure and lives in `internal/holt.ts`, `internal/costModel.ts`,
 * `internal/series.ts` and `internal/operations.ts`; this module wires it to
 * the monitor, the clock and the store. Time is read only from the `Clock`.
 *
 * @since 0.1.0
 */
import { Clock, Context, Effect, Layer, Option, Scope, Semaphore, Stream } from "effect"
import * as Completion from "./Completion.ts"
import * as ComputationProfile from "./ComputationProfile.ts"
import type { CostModelSummary, OperationPrediction, Prediction, StartTime, Trend } from "./Forecast.ts"
import * as Operations from "./internal/operations.ts"
import * as Series from "./internal/series.ts"
import * as ModelStore from "./ModelStore.ts"
import type { MonitorConfigInput } from "./MonitorConfig.ts"
import * as PredictorConfig from "./PredictorConfig.ts"
import type { InvalidInput } from "./ProvidentError.ts"
import * as ResourceMonitor from "./ResourceMonitor.ts"
import type { ResourceProbe } from "./ResourceProbe.ts"
import type { ResourceSnapshot } from "./ResourceSnapshot.ts"
import * as SimulatedDevice from "./SimulatedDevice.ts"

export interface Service {
  readonly config: PredictorConfig.PredictorConfig
  /**
   * Feeds a reading to the resource models. With `enableAutomaticModelUpdate`
   * the monitor's readings arrive by themselves; stale readings, readings
   * older than the last one and absent resources are skipped.
   */
  readonly update: (snapshot: ResourceSnapshot) => Effect.Effect<void>
  /** The trend of each resource that has readings. */
  readonly trends: Effect.Effect<ReadonlyArray<Trend>>
  /** Forecasts for 1..`predictionWindowSize` steps of `predictionInterval` from now. */
  readonly predictions: Effect.Effect<ReadonlyArray<Prediction>>
  /**
   * Registers (or replaces) an operation under `name`; `key` says which
   * circuit it runs, so learned cost models can apply (see
   * `Completion.CircuitKey`).
   */
  readonly registerOperation: (
    name: string,
    profile: ComputationProfile.ComputationProfile,
    key?: Completion.CircuitKey
  ) => Effect.Effect<void, InvalidInput>
  /** Forgets an operation; whether it was registered. */
  readonly unregisterOperation: (name: string) => Effect.Effect<boolean>
  /** The prediction for a registered operation; none when `name` is not registered. */
  readonly predictOperation: (name: string) => Effect.Effect<Option.Option<OperationPrediction>>
  /** The prediction for a profile without registering it (the operation is named `"estimate"`). */
  readonly estimate: (
    profile: ComputationProfile.ComputationProfile,
    key?: Completion.CircuitKey
  ) => Effect.Effect<OperationPrediction, InvalidInput>
  /** Records what a finished operation took, refits its cost model and stores it. */
  readonly observe: (completion: Completion.Completion) => Effect.Effect<void, InvalidInput>
  /** The cost models learned so far. */
  readonly costModels: Effect.Effect<ReadonlyArray<CostModelSummary>>
  /**
   * The earliest moment within the window at which predicted free memory
   * covers the operation's p95 peak (`estimate`): now if it does already,
   * none if no step of the window does, or before any memory reading.
   */
  readonly bestStartTime: (
    profile: ComputationProfile.ComputationProfile,
    key?: Completion.CircuitKey
  ) => Effect.Effect<Option.Option<StartTime>, InvalidInput>
}

export class ResourcePredictor extends Context.Service<ResourcePredictor, Service>()("@provident/core/ResourcePredictor") {}

interface Registration {
  readonly profile: ComputationProfile.ComputationProfile
  readonly key: Completion.CircuitKey
}

/**
 * Builds a predictor. It loads the stored cost models, and with
 * `enableAutomaticModelUpdate` seeds the resource models from the monitor's
 * history and follows its readings until the scope closes.
 */
export const make: (
  options?: PredictorConfig.PredictorConfigInput
) => Effect.Effect<Service, InvalidInput, ResourceMonitor.ResourceMonitor | ModelStore.ModelStore | Scope.Scope> = Effect
  .fnUntraced(function*(options) {
    const config = yield* PredictorConfig.decode(options ?? {})
    const params = Series.paramsOf(config)
    const store = yield* ModelStore.ModelStore
    const saving = yield* Semaphore.make(1)

    // Each change below is synchronous, so readers see whole states.
    let series: Series.SeriesSet = {}
    let latest: ResourceSnapshot | undefined
    let models = Operations.fromCompletions(yield* store.load, config.costModelHistorySize)
    const operations = new Map<string, Registration>()

    const ingest = (snapshot: ResourceSnapshot) => {
      if (snapshot.stale || (latest !== undefined && snapshot.timestamp <= latest.timestamp)) return
      series = Series.ingest(params, series, snapshot)
      latest = snapshot
    }

    if (config.enableAutomaticModelUpdate) {
      const monitor = yield* ResourceMonitor.ResourceMonitor
      for (const snapshot of yield* monitor.history) ingest(snapshot)
      yield* monitor.changes.pipe(
        Stream.runForEach((snapshot) => Effect.sync(() => ingest(snapshot))),
        Effect.forkScoped({ startImmediately: true })
      )
      yield* Effect.yieldNow
    }

    const decodeKey = (key: Completion.CircuitKey | undefined) => Completion.decodeKey(key ?? {})

    const estimateFor = (name: string, profile: ComputationProfile.ComputationProfile, key: Completion.CircuitKey) =>
      Effect.sync(() => Operations.predict(name, profile, key, models))

    const estimate = Effect.fn("ResourcePredictor.estimate")(function*(
      input: ComputationProfile.ComputationProfile,
      keyInput?: Completion.CircuitKey
    ) {
      const profile = yield* ComputationProfile.decode(input)
      return yield* estimateFor("estimate", profile, yield* decodeKey(keyInput))
    })

    const observe = Effect.fn("ResourcePredictor.observe")(function*(input: Completion.Completion) {
      const completion = yield* Completion.decode(input)
      const observedAt = yield* Clock.currentTimeMillis
      // Serialised so that a slower write never replaces a newer document.
      yield* saving.withPermits(1)(Effect.suspend(() => {
        models = Operations.add(models, { ...completion, observedAt }, config.costModelHistorySize)
        return store.save(Operations.completionsOf(models))
      })).pipe(
        Effect.catch((error) =>
          Effect.logWarning(`ResourcePredictor: could not store the cost models (${error.message}); keeping them in memory`)
        )
      )
    })

    const bestStartTime = Effect.fn("ResourcePredictor.bestStartTime")(function*(
      input: ComputationProfile.ComputationProfile,
      keyInput?: Completion.CircuitKey
    ) {
      const profile = yield* ComputationProfile.decode(input)
      const prediction = yield* estimateFor("bestStartTime", profile, yield* decodeKey(keyInput))
      const now = yield* Clock.currentTimeMillis
      const memory = series.memory
      if (memory === undefined || latest === undefined) return Option.none<StartTime>()
      return Option.fromUndefinedOr(
        Series.earliestStart(params, memory, latest, now, config.predictionWindowSize, prediction.p95PeakMemory)
      )
    })

    return ResourcePredictor.of({
      config,
      update: Effect.fn("ResourcePredictor.update")(function*(snapshot: ResourceSnapshot) {
        yield* Effect.sync(() => ingest(snapshot))
      }),
      trends: Effect.sync(() =>
        Series.resources.flatMap((resource) => {
          const s = series[resource]
          return s === undefined ? [] : [Series.trendOf(params, config, resource, s)]
        })
      ).pipe(Effect.withSpan("ResourcePredictor.trends")),
      predictions: Clock.currentTimeMillis.pipe(
        Effect.map((now) => Series.predictionsFrom(params, series, now, config.predictionWindowSize)),
        Effect.withSpan("ResourcePredictor.predictions")
      ),
      registerOperation: Effect.fn("ResourcePredictor.registerOperation")(function*(
        name: string,
        input: ComputationProfile.ComputationProfile,
        keyInput?: Completion.CircuitKey
      ) {
        const profile = yield* ComputationProfile.decode(input)
        const key = yield* decodeKey(keyInput)
        operations.set(name, { profile, key })
      }),
      unregisterOperation: Effect.fn("ResourcePredictor.unregisterOperation")(function*(name: string) {
        return operations.delete(name)
      }),
      predictOperation: Effect.fn("ResourcePredictor.predictOperation")(function*(name: string) {
        const registration = operations.get(name)
        if (registration === undefined) return Option.none<OperationPrediction>()
        return Option.some(yield* estimateFor(name, registration.profile, registration.key))
      }),
      estimate,
      observe,
      costModels: Effect.sync(() => [...models.values()].map(Operations.summarize)),
      bestStartTime
    })
  })

/** The predictor as a layer over a monitor and a model store; invalid options fail the layer with `InvalidInput`. */
export const layer = (
  options?: PredictorConfig.PredictorConfigInput
): Layer.Layer<ResourcePredictor, InvalidInput, ResourceMonitor.ResourceMonitor | ModelStore.ModelStore> =>
  Layer.effect(ResourcePredictor, make(options))

/**
 * The predictor over a simulated device (default: the laptop preset) and an
 * in-memory model store, with the monitor, the device's controls and the
 * store exposed: the base of TestClock-driven tests.
 */
export const layerTest = (
  spec: SimulatedDevice.DeviceSpec = SimulatedDevice.laptop,
  options?: PredictorConfig.PredictorConfigInput,
  monitorOptions?: MonitorConfigInput
): Layer.Layer<
  ResourcePredictor | ResourceMonitor.ResourceMonitor | ResourceProbe | SimulatedDevice.SimulatedDevice | ModelStore.ModelStore,
  InvalidInput
> =>
  layer(options).pipe(
    Layer.provideMerge(Layer.merge(ResourceMonitor.layerTest(spec, monitorOptions), ModelStore.layerMemory()))
  )
