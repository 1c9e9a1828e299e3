/**
 * The spec's `ResourceAllocator`: the core `ResourceAllocator` service over
 * a monitor's `ResourceMonitor`, run on a `ManagedRuntime` that shares the
 * monitor's memo map (so it sees that very monitor).
 *
 * The spec's operations (`queueOperation` … `cancelOperation`) are the
 * service's named operations. The spec gives `queueOperation` no work: such
 * an operation, once started, holds its grant until it is paused (the grant
 * goes back; resuming takes it again) or cancelled (the end of it). Pass a
 * `work` function to run work under the grant instead; the operation
 * completes when its promise settles.
 *
 * @since 0.1.0
 */
import { Effect, Layer } from "effect"
import type { Allocation, AllocationDecision } from "../AllocationDecision.ts"
import type * as CustomStrategy from "../CustomStrategy.ts"
import type { AbortSignalLike } from "../internal/abort.ts"
import type { OperationProfile, OperationProfileInput } from "../OperationProfile.ts"
import type { OperationStatus } from "../OperationStatus.ts"
import * as CoreAllocator from "../ResourceAllocator.ts"
import { type MonitorServices, type ResourceMonitor, runtimeOf as monitorRuntime } from "./ResourceMonitor.ts"
import { FacadeRuntime } from "./Runtime.ts"
import { strict, validate } from "./Validate.ts"

/**
 * An operation profile as the spec writes it in plain code. In an object
 * declared without a type, a literal such as `type: 'memory'` widens to
 * `string`, so the facade takes strings for a requirement's `type` and
 * `units` and checks them as it decodes: a wrong one rejects with a
 * `TypeError` naming the field and the values allowed.
 */
export type OperationProfileLike = Omit<OperationProfileInput, "requiredResources"> & {
  readonly requiredResources?: ReadonlyArray<{
    readonly type: string
    readonly minimumRequired: number
    readonly recommended: number
    readonly units: string
  }>
}

/**
 * The spec's `customStrategyFn(monitor, operation)`: decides each request
 * itself. `context` adds what the allocator knows (the latest snapshot, the
 * device, the budget's caps, what is free). Its answer is decoded and
 * clamped to the caps: it can refuse or shrink a request, never break the
 * budget. A rejection counts as a refusal, with the error as the reason.
 */
export type CustomStrategyFn = (
  monitor: ResourceMonitor,
  operation: OperationProfile,
  context: CustomStrategy.Input
) => Promise<CustomStrategy.Decision>

/** The spec's allocator options: `AllocatorConfig` (times in milliseconds) and `customStrategyFn`. */
export interface ResourceAllocatorOptions extends Omit<CoreAllocator.Options, "customStrategy"> {
  /** Required with `strategy: AllocationStrategy.CUSTOM`. */
  readonly customStrategyFn?: CustomStrategyFn
}

/** Work run under an operation's grant; `signal` aborts when it is paused or cancelled. */
export type OperationWork = (allocation: Allocation, signal: AbortSignalLike) => Promise<unknown>

type Services = CoreAllocator.ResourceAllocator | MonitorServices

const runtimes = new WeakMap<ResourceAllocator, FacadeRuntime<Services>>()

/** The runtime of an allocator, for the classes built over it. */
export const runtimeOf = (allocator: ResourceAllocator): FacadeRuntime<Services> => {
  const runtime = runtimes.get(allocator)
  if (runtime === undefined) throw new TypeError("Expected a ResourceAllocator")
  return runtime
}

const Allocator = CoreAllocator.ResourceAllocator

export class ResourceAllocator {
  /** Validates `options` now: a bad option throws a `TypeError` naming it. */
  constructor(monitor: ResourceMonitor, options: ResourceAllocatorOptions = {}) {
    const parent = monitorRuntime(monitor)
    const { customStrategyFn, ...config } = options
    // Checked as given (is it a function?), then adapted to the service's Effect form.
    const given = customStrategyFn === undefined ? {} : { customStrategy: customStrategyFn as unknown as CustomStrategy.CustomStrategy }
    validate("ResourceAllocator", CoreAllocator.decodeOptions({ ...config, ...given }, strict), { customStrategy: "customStrategyFn" })
    const custom = customStrategyFn === undefined ? {} : {
      customStrategy: (input: CustomStrategy.Input) =>
        Effect.tryPromise({ try: () => customStrategyFn(monitor, input.profile, input), catch: (error) => error })
    }
    const layer = CoreAllocator.layer({ ...config, ...custom }).pipe(Layer.provideMerge(parent.layer))
    runtimes.set(this, new FacadeRuntime("ResourceAllocator", layer, parent.shared, [parent]))
  }

  /**
   * Decides now, without queueing or reserving: `{ approved,
   * allocatedMemory, allocatedCores, reasons, recommendations,
   * fallbackOptions, strategy, budget, free }`. A request that cannot be
   * granted resolves with `approved: false` and what to do instead; an
   * invalid profile rejects with a `TypeError` naming the field.
   */
  requestAllocation(profile: OperationProfileLike): Promise<AllocationDecision> {
    return runtimeOf(this).run(Allocator.use((a) => a.request(profile as OperationProfileInput)))
  }

  /**
   * Registers an operation under `profile.name` without starting it. The
   * spec calls it without `await`: the operation calls that follow it
   * (`startOperation`, `pauseOperation`, …) wait for it to take effect.
   */
  queueOperation(profile: OperationProfileLike, work?: OperationWork): Promise<void> {
    const body = work === undefined
      ? () => Effect.never
      : (allocation: Allocation) =>
        Effect.tryPromise({ try: (signal) => work(allocation, signal as AbortSignalLike), catch: (error) => error })
    return runtimeOf(this).command(Allocator.use((a) => a.queue(profile as OperationProfileInput, body)))
  }

  /**
   * Puts a queued operation in line and resolves with its grant once it is
   * admitted (the spec's `started`). Rejects with `AllocationDenied` when it
   * could never fit the budget, `UnknownOperation` for an unknown name.
   * Later operation calls do not wait for the admission.
   */
  startOperation(name: string): Promise<Allocation> {
    return runtimeOf(this).after(Allocator.use((a) => a.start(name)))
  }

  /**
   * Pauses an operation (its profile must say `canBePaused`): its work is
   * interrupted and its resources go back. The spec calls the operation
   * methods back to back without `await`; they take effect in call order.
   */
  pauseOperation(name: string): Promise<void> {
    return runtimeOf(this).command(Allocator.use((a) => a.pause(name)))
  }

  /** Puts a paused operation back in line; it runs (its work anew) once admitted. */
  resumeOperation(name: string): Promise<void> {
    return runtimeOf(this).command(Allocator.use((a) => a.resume(name)))
  }

  /** Ends an operation, queued, running or paused; its resources go back. */
  cancelOperation(name: string): Promise<void> {
    return runtimeOf(this).command(Allocator.use((a) => a.cancel(name)))
  }

  /** Where an operation is: `queued`, `running`, `paused`, `completed`, `failed` or `cancelled`, with its grant. */
  getOperationStatus(name: string): Promise<OperationStatus> {
    return runtimeOf(this).after(Allocator.use((a) => a.status(name)))
  }

  /** Closes the adaptive computations built over this allocator, then the allocator (its operations are cancelled). Idempotent. */
  close(): Promise<void> {
    return runtimeOf(this).close()
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close()
  }
}
