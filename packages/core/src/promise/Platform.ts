/**
 * What a platform package gives the Promise facade: the probe of its device
 * and the stores the services keep their state in. `@provident/node/promise`
 * binds the facade to `NodeResourceProbe` and the file stores,
 * `@provident/browser/promise` to the page's probe and IndexedDB (both with
 * `provident serve` as the remote prover); `simulated` runs the facade over a
 * `SimulatedDevice` with in-memory stores, for tests of code written against
 * the facade.
 *
 * Each layer is built once per `ResourceMonitor` (the monitor's memo map), so
 * a platform value should be made afresh for each monitor.
 *
 * @since 0.1.0
 */
import type { Effect, Layer } from "effect"
import * as CheckpointStore from "../CheckpointStore.ts"
import * as ModelStore from "../ModelStore.ts"
import type { InvalidInput } from "../ProvidentError.ts"
import type { RemoteProver } from "../RemoteProver.ts"
import type { ResourceProbe } from "../ResourceProbe.ts"
import * as ResultCache from "../ResultCache.ts"
import * as SimulatedDevice from "../SimulatedDevice.ts"

export interface Platform {
  /** Reads the device the `ResourceMonitor` watches. */
  readonly probe: Layer.Layer<ResourceProbe>
  /** Keeps the cost models a `ResourcePrediction` learns. */
  readonly modelStore: Layer.Layer<ModelStore.ModelStore>
  /** Keeps the checkpoints of an `AdaptiveComputation`'s progressive runs. */
  readonly checkpointStore: Layer.Layer<CheckpointStore.CheckpointStore>
  /** Serves `CACHED_COMPUTATION`, shared by the computations over one monitor. */
  readonly resultCache: Layer.Layer<ResultCache.ResultCache>
  /**
   * The remote prover for an `AdaptiveComputation`'s `serverFallbackEndpoint`,
   * where the platform has one; without it `FALLBACK_COMPUTATION` is skipped
   * ("no remote prover is configured"). The effect checks the endpoint, and
   * whatever else the platform needs to reach it, before handing over the
   * layer: the constructor runs it synchronously and throws its
   * `InvalidInput` as a `TypeError`, so its issues name the facade's options
   * (`serverFallbackEndpoint`).
   */
  readonly remoteProver?: (endpoint: string) => Effect.Effect<Layer.Layer<RemoteProver, InvalidInput>, InvalidInput>
}

/** A simulated device (default: the laptop preset) with in-memory stores. */
export const simulated = (spec: SimulatedDevice.DeviceSpec = SimulatedDevice.laptop): Platform => ({
  probe: SimulatedDevice.layer(spec),
  modelStore: ModelStore.layerMemory(),
  checkpointStore: CheckpointStore.layerMemory,
  resultCache: ResultCache.layerMemory()
})
