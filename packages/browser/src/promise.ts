/**
 * The Promise facade in a browser: the spec's classes and enums, with
 * `ResourceMonitor` bound to this page (`BrowserResourceProbe`: heap or page
 * memory, cores, Compute Pressure, battery, network, storage), and learned
 * cost models, progressive checkpoints and finished results in IndexedDB (in
 * memory, with a warning, where IndexedDB is unavailable; `storage: {
 * indexedDB: null }` asks for that). The classes are
 * `@provident/core/promise`'s: see there, and the README's "Promise API"
 * section.
 *
 * An `AdaptiveComputation`'s `serverFallbackEndpoint` is reached over
 * `fetch` (`BrowserRemoteProver`: `provident serve` over HTTP, its proofs
 * verified in the page), with the bearer token of the monitor's `remote`
 * option. The server must allow this page's origin (`provident serve
 * --cors-origin`).
 *
 * ```ts
 * import { ResourceMonitor, ResourceAllocator, ResourcePriority } from "@provident/browser/promise"
 * await using monitor = new ResourceMonitor({ sampleInterval: 1000 })
 * const allocator = new ResourceAllocator(monitor)
 * const decision = await allocator.requestAllocation({ name: "proof", estimatedMemory: 2 ** 30, priority: ResourcePriority.HIGH })
 * ```
 *
 * @since 0.1.0
 */
import * as Facade from "@provident/core/promise"
import { HttpRemoteProver, type Prover, ProvidentError } from "@provident/core"
import { Effect, Layer, Redacted } from "effect"
import * as BrowserCheckpointStore from "./BrowserCheckpointStore.ts"
import * as BrowserModelStore from "./BrowserModelStore.ts"
import * as BrowserRemoteProver from "./BrowserRemoteProver.ts"
import * as BrowserResourceProbe from "./BrowserResourceProbe.ts"
import * as BrowserResultCache from "./BrowserResultCache.ts"
import type * as Idb from "./internal/idb.ts"
import * as BrowserOptionsSchema from "./internal/browserOptions.ts"
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

/** Where the browser platform reads and keeps things, and how it reaches a remote prover; every field has a default. */
export interface BrowserOptions {
  readonly probe?: BrowserResourceProbe.Options
  /** The IndexedDB database of the stores (default `provident`), or `indexedDB: null` to keep everything in memory. */
  readonly storage?: Idb.Options
  /** Entries of the result cache (default 256). */
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
    return BrowserRemoteProver.layer(options, verify)
  })

/** The browser platform: this page's probe, the IndexedDB stores and the HTTP remote prover. A fresh value per monitor. */
export const platform = (options: BrowserOptions = {}): Facade.Platform.Platform => {
  // One per monitor: its memo map builds it once for every computation over the monitor.
  const verifier = BrowserRemoteProver.verifier()
  return {
    // The platform's probe cannot fail: its options were checked when the
    // monitor was constructed (a `platform` built by hand with bad ones dies).
    probe: Layer.orDie(BrowserResourceProbe.layer(options.probe)),
    modelStore: BrowserModelStore.layer(options.storage),
    checkpointStore: BrowserCheckpointStore.layer(options.storage),
    resultCache: BrowserResultCache.layer({
      ...options.storage,
      ...(options.resultCacheSize === undefined ? {} : { capacity: options.resultCacheSize })
    }),
    remoteProver: (endpoint) => remoteProver(endpoint, options.remote, verifier)
  }
}

/**
 * The spec's `ResourceMonitor` over this page. `options` are the spec's;
 * `browser` says where the probe and the stores look, for tests and unusual
 * setups, and holds the token for a `serverFallbackEndpoint` (`remote`).
 * Both are validated now: a bad or unknown option throws a `TypeError`
 * naming it (`browser`'s by its path, e.g. `probe.storageRefresh`).
 */
export class ResourceMonitor extends Facade.ResourceMonitor {
  constructor(options?: Facade.ResourceMonitorOptions, browser?: BrowserOptions) {
    validate("ResourceMonitor", BrowserOptionsSchema.decode(browser ?? {}, strict))
    super(platform(browser), options)
  }
}
