/**
 * The spec's `AdaptiveComputation`: the core `AdaptiveExecutor` over an
 * allocator's `ResourceAllocator` (sharing its runtime's memo map, so work
 * is admitted by that very allocator), with the platform's checkpoint store
 * and result cache. `executeComputation` runs the fallback chain (cached →
 * full → progressive → partial → remote) and resolves with the
 * `ExecutionResult`; it does not reject for a failed computation, the result
 * says what happened.
 *
 * `serverFallbackEndpoint` reaches the platform's remote prover, where the
 * platform has one (on Node and in the browser, a `provident serve` over
 * HTTP, with the bearer token of the monitor's `remote` option). The
 * platform checks the endpoint in the constructor, like every other option.
 * Inputs leave the device only with `allowRemote: true`, in the options or
 * per call, and under `FALLBACK_COMPUTATION` the computation gets
 * `resources.remote` to prove with.
 *
 * @since 0.1.0
 */
import { Layer, Option } from "effect"
import * as AdaptiveExecutor from "../AdaptiveExecutor.ts"
import * as Computation from "../Computation.ts"
import type { ComputationProfile } from "../ComputationProfile.ts"
import type { ComputationStrategy } from "../ComputationStrategy.ts"
import type { ExecutionProgress, ExecutionResult } from "../ExecutionResult.ts"
import * as ExecutorConfig from "../ExecutorConfig.ts"
import type { ResourcePriority } from "./Enums.ts"
import { type ResourceAllocator, runtimeOf as allocatorRuntime } from "./ResourceAllocator.ts"
import { type ResourceMonitor, runtimeOf as monitorRuntime } from "./ResourceMonitor.ts"
import { FacadeRuntime } from "./Runtime.ts"
import { strict, validate } from "./Validate.ts"

/** The spec's options (`enabledStrategies`, `serverFallbackEndpoint`, `timeout`, …): `ExecutorConfig`, times in milliseconds. */
export type AdaptiveComputationOptions = ExecutorConfig.ExecutorConfigInput

/** What the computation receives (the spec's `resources`): `memory`, `cpu`, `progressive`, `signal`, `phase`, `progress`, … */
export type ComputationResources = Computation.PromiseResources

/** The spec's computation: `async (resources) => result`, called once per attempt. */
export type ComputationFunction<A> = (resources: ComputationResources) => Promise<A>

/** Per-call options: `cacheKey`, `allowRemote`, `phases`, `circuit`, `fatal`. */
export type ExecuteComputationOptions = AdaptiveExecutor.ExecuteOptions

/**
 * The `ExecutionResult`, typed so that `success` tells whether `result` is
 * there (the service sets it on every success): `{ success, strategy,
 * elapsedTime, resourcesUsed, result | error, attempts }`.
 */
export type ComputationResult<A> =
  | (ExecutionResult<A, unknown> & { readonly success: true; readonly result: A })
  | (ExecutionResult<A, unknown> & { readonly success: false })

/** Where an execution is, as the spec reads it: `progress` is the percentage. */
export interface ComputationProgress {
  readonly id: string
  /** `queued`, `allocating`, `running`, a phase the computation reported, `checkpointing`, `fallback`, `done`, `failed` or `cancelled`. */
  readonly phase: string
  readonly progress: number
  readonly strategy: ComputationStrategy | undefined
  readonly attempt: number
  readonly updatedAt: number
}

const Executor = AdaptiveExecutor.AdaptiveExecutor

const progressOf = (p: ExecutionProgress): ComputationProgress => ({
  id: p.id,
  phase: p.phase,
  progress: p.percent,
  strategy: p.strategy,
  attempt: p.attempt,
  updatedAt: p.updatedAt
})

const runtimes = new WeakMap<AdaptiveComputation, FacadeRuntime<AdaptiveExecutor.AdaptiveExecutor>>()

const runtimeOf = (computation: AdaptiveComputation): FacadeRuntime<AdaptiveExecutor.AdaptiveExecutor> => {
  const runtime = runtimes.get(computation)
  if (runtime === undefined) throw new TypeError("Expected an AdaptiveComputation")
  return runtime
}

export class AdaptiveComputation {
  /**
   * `allocator` must have been built over `monitor`. Validates `options`
   * now: a bad option throws a `TypeError` naming it.
   */
  constructor(monitor: ResourceMonitor, allocator: ResourceAllocator, options: AdaptiveComputationOptions = {}) {
    const parent = allocatorRuntime(allocator)
    if (!parent.parents.includes(monitorRuntime(monitor))) {
      throw new TypeError("AdaptiveComputation: the ResourceAllocator was built over another ResourceMonitor")
    }
    const config = validate("AdaptiveComputation", ExecutorConfig.decode(options, strict))
    const { platform } = parent.shared
    const endpoint = config.serverFallbackEndpoint
    // Checked now, like the other options, though the layer is built on first use.
    const remote = endpoint !== undefined && platform.remoteProver !== undefined
      ? validate("AdaptiveComputation", platform.remoteProver(endpoint))
      : Layer.empty
    const layer = AdaptiveExecutor.layer(options).pipe(
      Layer.provide([platform.checkpointStore, platform.resultCache, remote]),
      Layer.provide(parent.layer)
    )
    runtimes.set(this, new FacadeRuntime("AdaptiveComputation", layer, parent.shared, [parent]))
  }

  /**
   * Runs `computation` the best way the device allows and resolves with the
   * result: `success`, the `strategy` used, `elapsedTime` (ms),
   * `resourcesUsed`, then `result` or `error`, and every `attempt`. An
   * invalid profile or priority rejects with a `TypeError` naming the field.
   */
  executeComputation<A>(
    id: string,
    computation: ComputationFunction<A>,
    profile: ComputationProfile,
    priority: ResourcePriority,
    options?: ExecuteComputationOptions
  ): Promise<ComputationResult<A>> {
    return runtimeOf(this).run(
      Executor.use((e) => e.execute(id, Computation.fromPromise(computation), profile, priority, options))
    ) as Promise<ComputationResult<A>>
  }

  /**
   * Where execution `id` is, or `undefined` if it is unknown (or finished
   * more than `progressRetention`, 5 minutes, ago). Synchronous, as the spec
   * calls it without `await`: it reads the executor's progress board, which
   * exists once the first `executeComputation` has started the services
   * (before that, nothing has progress).
   */
  getComputationProgress(id: string): ComputationProgress | undefined {
    const progress = runtimeOf(this).runSync(Executor.use((e) => e.progress(id)), () => Option.none<ExecutionProgress>())
    return Option.getOrUndefined(Option.map(progress, progressOf))
  }

  /** Stops the running computations (their promises reject with `Error: AdaptiveComputation is closed`). Idempotent. */
  close(): Promise<void> {
    return runtimeOf(this).close()
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close()
  }
}

