/**
 * The fallback chain of one execution, as pure functions: which strategies
 * to try, in order, and why the others are skipped; and what each strategy
 * asks of the allocator.
 */
import type { OperationProfileInput } from "../OperationProfile.ts"
import type { ComputationProfile } from "../ComputationProfile.ts"
import { chainOrder, type ComputationStrategy } from "../ComputationStrategy.ts"
import type { Priority } from "../Priority.ts"

export interface ChainInput {
  readonly enabled: ReadonlyArray<ComputationStrategy>
  readonly profile: ComputationProfile
  readonly cacheKey: string | undefined
  readonly hasCache: boolean
  readonly allowRemote: boolean
  readonly hasRemote: boolean
}

export interface Step {
  readonly strategy: ComputationStrategy
  /** Set when the strategy is not tried, with the reason. */
  readonly skip?: string
}

/** Every enabled strategy in chain order, each either to try or skipped with a reason. */
export const chain = (input: ChainInput): ReadonlyArray<Step> =>
  chainOrder.filter((s) => input.enabled.includes(s)).map((strategy): Step => {
    const skip = skipReason(strategy, input)
    return skip === undefined ? { strategy } : { strategy, skip }
  })

const skipReason = (strategy: ComputationStrategy, input: ChainInput): string | undefined => {
  const p = input.profile
  switch (strategy) {
    case "CACHED_COMPUTATION":
      return !p.supportsCachedResults
        ? "the profile does not support cached results"
        : input.cacheKey === undefined
        ? "no cache key was given"
        : !input.hasCache
        ? "no result cache is configured"
        : undefined
    case "FULL_COMPUTATION":
      return undefined
    case "PROGRESSIVE_COMPUTATION":
      return p.canSplitComputation ? undefined : "the computation cannot be split into phases"
    case "PARTIAL_COMPUTATION":
      return p.supportsPartialResults ? undefined : "the profile does not support partial results"
    case "FALLBACK_COMPUTATION":
      return !p.supportsFallbackMode
        ? "the profile does not support fallback mode"
        : !input.allowRemote
        ? "inputs may not leave the device (allowRemote is off)"
        : !input.hasRemote
        ? "no remote prover is configured"
        : undefined
  }
}

/**
 * Memory of a phase: the circuit stays loaded while the phase's own working
 * memory is in use. `witness` and `proving` are the profile's two phases;
 * any other phase name is charged the larger of the two.
 */
export const phaseMemory = (profile: ComputationProfile, phase: string): number =>
  profile.circuitMemoryRequirements + (phase === "witness"
    ? profile.witnessMemoryRequirements
    : phase === "proving"
    ? profile.provingMemoryRequirements
    : Math.max(profile.witnessMemoryRequirements, profile.provingMemoryRequirements))

export interface RequestInput {
  readonly id: string
  readonly profile: ComputationProfile
  readonly priority: Priority
  readonly cores: number
  /** Expected duration of what is being admitted, in ms (0 when unknown). */
  readonly estimatedDuration: number
}

const cpu = (min: number, recommended: number) => ({
  type: "cpu" as const,
  minimumRequired: min,
  recommended: Math.max(min, recommended),
  units: "cores" as const
})
const memory = (min: number, recommended: number) => ({
  type: "memory" as const,
  minimumRequired: min,
  recommended: Math.max(min, recommended),
  units: "bytes" as const
})

/**
 * What a full attempt asks for: the peak memory of the whole computation,
 * held throughout, and every core it can get (at least one; the allocator
 * may give fewer so that the next waiter runs beside it). Not pausable:
 * it keeps no checkpoints, so a pause would lose everything.
 */
export const fullRequest = (input: RequestInput): OperationProfileInput => {
  const peak = Math.max(phaseMemory(input.profile, "witness"), phaseMemory(input.profile, "proving"))
  return {
    name: input.id,
    estimatedMemory: peak,
    estimatedDuration: input.estimatedDuration,
    priority: input.priority,
    canBePaused: false,
    requiredResources: [memory(peak, peak), cpu(Math.min(1, input.cores), input.cores)]
  }
}

/** What one phase of a progressive attempt asks for: that phase's memory; pausable, since finished phases are kept. */
export const phaseRequest = (input: RequestInput, phase: string): OperationProfileInput => {
  const need = phaseMemory(input.profile, phase)
  return {
    name: input.id,
    estimatedMemory: need,
    estimatedDuration: input.estimatedDuration,
    priority: input.priority,
    canBePaused: true,
    requiredResources: [memory(need, need), cpu(Math.min(1, input.cores), input.cores)]
  }
}

/**
 * What a partial attempt asks for: at least the circuit's own memory, up to
 * the full peak; one core at least. The computation does what it can with it.
 */
export const partialRequest = (input: RequestInput): OperationProfileInput => {
  const peak = Math.max(phaseMemory(input.profile, "witness"), phaseMemory(input.profile, "proving"))
  const least = Math.max(1, input.profile.circuitMemoryRequirements)
  return {
    name: input.id,
    estimatedMemory: peak,
    estimatedDuration: input.estimatedDuration,
    priority: input.priority,
    canBePaused: false,
    requiredResources: [memory(Math.min(least, peak), peak), cpu(Math.min(1, input.cores), input.cores)]
  }
}
