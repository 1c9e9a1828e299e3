/**
 * The spec's `ResourcePrediction`: the core `ResourcePredictor` over a
 * monitor's `ResourceMonitor` (sharing its runtime's memo map) and the
 * platform's model store, where learned cost models persist.
 *
 * `start()` builds the predictor: it loads the stored cost models, seeds its
 * forecasts from the monitor's readings so far and, with
 * `enableAutomaticModelUpdate`, follows every reading after. The spec then
 * calls the other methods without `await`, so they answer synchronously,
 * straight from the service (its reads complete without waiting); before
 * `start()` has resolved they throw. `stop()` closes it for good.
 *
 * @since 0.1.0
 */
import { Layer, Option } from "effect"
import type { CircuitKey } from "../Completion.ts"
import type { ComputationProfile } from "../ComputationProfile.ts"
import type { OperationPrediction, Prediction, Trend } from "../Forecast.ts"
import * as PredictorConfig from "../PredictorConfig.ts"
import * as ResourcePredictor from "../ResourcePredictor.ts"
import { type ResourceMonitor, runtimeOf as monitorRuntime } from "./ResourceMonitor.ts"
import { FacadeRuntime } from "./Runtime.ts"
import { strict, validate } from "./Validate.ts"

/** The spec's options (`predictionWindowSize`, `predictionInterval`, `smoothingFactor`, `enableAutomaticModelUpdate`, …): `PredictorConfig`. */
export type ResourcePredictionOptions = PredictorConfig.PredictorConfigInput

/** `{ resource: "memory" | "cpu" | "battery" | "storage", direction, slopePerSecond, level, confidence, samples }`. */
export type ResourceTrend = Trend

/**
 * `{ step, timestamp, memory: { predicted, lower, upper }, cpu?, battery?,
 * storage? }`. Memory is always read, so every prediction has it (there are
 * none until the first reading is modelled); another resource without
 * readings is absent.
 */
export type SystemPrediction = Prediction & { readonly memory: NonNullable<Prediction["memory"]> }

/** The predictor's `OperationPrediction` as the spec reads it: `confidence` is `confidenceScore` (0..1). */
export interface OperationPredictionResult extends Omit<OperationPrediction, "confidence"> {
  readonly confidenceScore: number
}

const Predictor = ResourcePredictor.ResourcePredictor

const runtimes = new WeakMap<ResourcePrediction, FacadeRuntime<ResourcePredictor.ResourcePredictor>>()

const runtimeOf = (prediction: ResourcePrediction): FacadeRuntime<ResourcePredictor.ResourcePredictor> => {
  const runtime = runtimes.get(prediction)
  if (runtime === undefined) throw new TypeError("Expected a ResourcePrediction")
  return runtime
}

const notStarted = (): never => {
  throw new Error("ResourcePrediction is not started: await prediction.start() first")
}

export class ResourcePrediction {
  /** Validates `options` now: a bad option throws a `TypeError` naming it. */
  constructor(monitor: ResourceMonitor, options: ResourcePredictionOptions = {}) {
    const parent = monitorRuntime(monitor)
    validate("ResourcePrediction", PredictorConfig.decode(options, strict))
    const layer = ResourcePredictor.layer(options).pipe(
      Layer.provide(parent.shared.platform.modelStore),
      Layer.provide(parent.layer)
    )
    runtimes.set(this, new FacadeRuntime("ResourcePrediction", layer, parent.shared, [parent]))
  }

  /** Starts the predictor (and the monitor's services, if they are not up yet). Calling it again is harmless. */
  start(): Promise<void> {
    return runtimeOf(this).start()
  }

  /** Closes the predictor for good: later calls throw or reject `Error: ResourcePrediction is closed`. Idempotent. */
  stop(): Promise<void> {
    return runtimeOf(this).close()
  }

  /** The trend of each resource that has readings. Synchronous; throws before `start()` has resolved. */
  getResourceTrends(): Array<ResourceTrend> {
    return [...runtimeOf(this).runSync(Predictor.use((p) => p.trends), notStarted)]
  }

  /**
   * Forecasts for the next `predictionWindowSize` steps of
   * `predictionInterval`, each with its `timestamp` (ms since the epoch).
   * Synchronous; throws before `start()` has resolved.
   */
  getSystemPredictions(): Array<SystemPrediction> {
    return runtimeOf(this).runSync(Predictor.use((p) => p.predictions), notStarted)
      .filter((p): p is SystemPrediction => p.memory !== undefined)
  }

  /**
   * Registers (or replaces) an operation; `key` names its circuit so learned
   * cost models apply. Synchronous, so `getOperationPrediction` right after
   * sees it; an invalid profile throws a `TypeError` naming the field.
   */
  registerOperation(name: string, profile: ComputationProfile, key?: CircuitKey): void {
    runtimeOf(this).runSync(Predictor.use((p) => p.registerOperation(name, profile, key)), notStarted)
  }

  /**
   * `{ estimatedTimeToComplete, estimatedPeakMemory, confidenceScore, … }`
   * for a registered operation, `undefined` for an unknown one. Synchronous.
   */
  getOperationPrediction(name: string): OperationPredictionResult | undefined {
    const prediction = runtimeOf(this).runSync(Predictor.use((p) => p.predictOperation(name)), notStarted)
    return Option.getOrUndefined(Option.map(prediction, ({ confidence, ...rest }) => ({ ...rest, confidenceScore: confidence })))
  }

  /** Forgets an operation; whether it was registered. Synchronous. */
  unregisterOperation(name: string): boolean {
    return runtimeOf(this).runSync(Predictor.use((p) => p.unregisterOperation(name)), notStarted)
  }

  /** The same as `stop()`. */
  close(): Promise<void> {
    return this.stop()
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stop()
  }
}
