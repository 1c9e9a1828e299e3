/**
 * The Promise facade on Node.js: the spec's classes and enums, with
 * `ResourceMonitor` bound to this machine (`NodeResourceProbe`: os, cgroups,
 * PSI, …), learned cost models in `cost-models.json` and progressive
 * checkpoints in `checkpoints/` under Provident's cache directory, an
 * in-memory result cache, and `provident serve` over HTTP as the remote
 * prover of an `AdaptiveComputation`'s `serverFallbackEndpoint` (its bearer
 * token is the monitor's `remote` option). The classes are
 * `@provident/core/promise`'s: see there, and the README's "Promise API"
 * section.
 *
 * ```ts
 * import { ResourceMonitor, ResourceAllocator, ResourcePriority } from "@provident/node/promise"
 * await using monitor = new ResourceMonitor({ sampleInterval: 1000 })
 * const allocator = new ResourceAllocator(monitor)
 * const decision = await allocator.requestAllocation({ name: "proof", estimatedMemory: 2 ** 30, priority: ResourcePriority.HIGH })
 * ```
 *
 * @since 0.1.0
 */
import * as Facade from "@provident/core/promise"
import { HttpRemoteProver, type Prover, ProvidentError, ResultCache } from "@provident/core"
import { Effect, type Layer, Redacted } from "effect"
import * as NodeCheckpointStore from "./NodeCheckpointStore.ts"
import * as NodeModelStore from "./NodeModelStore.ts"
import * as NodeRemoteProver from "./NodeRemoteProver.ts"
import * as NodeResourceProbe from "./NodeResourceProbe.ts"
import * as NodeOptionsSchema from "./internal/nodeOptions.ts"
import { strict, validate } from "@provident/core/promise/Validate"

export {
  AdaptiveComputation,
  type AdaptiveComputationOptions,
  type Allocation,
  type AllocationDecision,
  AllocationStrategy,
  type ComputationFunction,
  type ComputationProfile,
  type ComputationProgress,
  type ComputationResources,
  type ComputationResult,
  ComputationStrategy,
  type CustomStrategyFn,
  type ExecuteComputationOptions,
  type OperationPredictionResult,
  type OperationProfile,
  type OperationStatus,
  type OperationWork,
  ResourceAllocator,
  type ResourceAllocatorOptions,
  type ResourceCallback,
  type ResourceMonitorOptions,
  ResourcePrediction,
  type ResourcePredictionOptions,
  ResourcePriority,
  type ResourceSnapshot,
  type ResourceTrend,
  type SystemPrediction
} from "@provident/core/promise"

/**
 * How an `AdaptiveComputation` with a `serverFallbackEndpoint` reaches that
 * `provident serve`: its bearer token, and the HTTP remote prover's settings
 * (`HttpRemoteProver.Options`; the endpoint is the computation's):
 * - `timeoutMs` (120000): the deadline of one proof request, sent to the server too.
 * - `retries` (3): further tries after a busy answer (503) or a connection error.
 * - `maxRetryDelayMs` (30000): the longest `Retry-After` honoured.
 * - `allowInsecureHttp` (false): allow plain HTTP to a host other than
 *   loopback. The inputs are private, so the endpoint must be HTTPS otherwise.
 *
 * The settings that rank several endpoints are left out: the spec names one.
 */
export interface RemoteOptions extends Pick<HttpRemoteProver.Options, "timeoutMs" | "retries" | "maxRetryDelayMs" | "allowInsecureHttp"> {
  /** The server's bearer token (what its `provident serve --token-file` holds). Without one no `Authorization` is sent, and `provident serve` answers 401. */
  readonly token?: string | Redacted.Redacted<string>
}

/** Where the Node platform reads and keeps things, and how it reaches a remote prover; every field has a default. */
export interface NodeOptions {
  readonly probe?: NodeResourceProbe.Options
  /** The cost-model file (default: `cost-models.json` in the cache directory). */
  readonly modelStore?: NodeModelStore.Options
  /** The checkpoint directory (default: `checkpoints` in the cache directory). */
  readonly checkpoints?: NodeCheckpointStore.Options
  /** Entries of the in-memory result cache (default 256). */
  readonly resultCacheSize?: number
  /** The token and settings for `serverFallbackEndpoint` (default: no token, default settings). */
  readonly remote?: RemoteOptions
}

const endpointIssue = (message: string) =>
  new ProvidentError.InvalidInput({
    subject: "AdaptiveComputation",
    field: "serverFallbackEndpoint",
    issues: [{ path: "serverFallbackEndpoint", message }],
    message: `Invalid AdaptiveComputation: serverFallbackEndpoint: ${message}`
  })

/**
 * The remote prover for `endpoint`, checked first against `HttpRemoteProver`'s
 * rules (an absolute URL; HTTPS unless loopback). Issues name
 * `serverFallbackEndpoint`, the option the facade's user wrote. A missing
 * token is no error here, so the spec's examples construct as written; a
 * server that wants one answers 401, which the fallback attempt reports.
 */
const remoteProver = (endpoint: string, remote: RemoteOptions = {}, verify: Layer.Layer<Prover.Prover>) =>
  Effect.gen(function*() {
    const { token, ...settings } = remote
    const secret = token === undefined || Redacted.isRedacted(token) ? token : Redacted.make(token)
    const options: HttpRemoteProver.Options = {
      ...settings,
      endpoints: [{ url: endpoint, ...(secret === undefined ? {} : { token: secret }) }]
    }
    yield* HttpRemoteProver.validate(options).pipe(
      Effect.mapError((invalid) => endpointIssue(invalid.issues.map((issue) => issue.message).join("; ")))
    )
    return NodeRemoteProver.layer(options, verify)
  })

/** The Node platform: this machine's probe, the file stores and the HTTP remote prover. A fresh value per monitor. */
export const platform = (options: NodeOptions = {}): Facade.Platform.Platform => {
  // One per monitor: its memo map builds it once for every computation over the monitor.
  const verifier = NodeRemoteProver.verifier()
  return {
    probe: NodeResourceProbe.layer(options.probe),
    modelStore: NodeModelStore.layer(options.modelStore),
    checkpointStore: NodeCheckpointStore.layer(options.checkpoints),
    resultCache: ResultCache.layerMemory(options.resultCacheSize),
    remoteProver: (endpoint) => remoteProver(endpoint, options.remote, verifier)
  }
}

/**
 * The spec's `ResourceMonitor` over this machine. `options` are the spec's;
 * `node` says where the probe and the stores look, for tests and unusual
 * setups, and holds the token for a `serverFallbackEndpoint` (`remote`).
 * Both are validated now: a bad or unknown option throws a `TypeError`
 * naming it (`node`'s by its path, e.g. `probe.batteryRefresh`).
 */
export class ResourceMonitor extends Facade.ResourceMonitor {
  constructor(options?: Facade.ResourceMonitorOptions, node?: NodeOptions) {
    validate("ResourceMonitor", NodeOptionsSchema.decode(node ?? {}, strict))
    super(platform(node), options)
  }
}
