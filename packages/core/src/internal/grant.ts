/**
 * What an operation needs and what it gets, as pure functions: the range
 * (minimum..recommended) of memory and cores from its profile, the grant
 * that fits in what is free, and the decision a caller reads when it does
 * not fit: reasons, recommendations in words one can act on, and ranked
 * fallback options.
 */
import type { AllocationDecision, DenialReason, FallbackOption, Resources } from "../AllocationDecision.ts"
import type { DeviceInfo } from "../DeviceInfo.ts"
import type { OperationProfile } from "../OperationProfile.ts"
import { bytes } from "./format.ts"

export interface Range {
  readonly min: number
  readonly rec: number
}

export interface Need {
  readonly memory: Range
  readonly cores: Range
}

/**
 * The profile's needs. Memory comes from its `memory` requirement or, without
 * one, exactly `estimatedMemory`; cores from its `cpu` requirement (a
 * percentage is of the device's effective cores) or, without one, one core
 * (all of a device with less).
 */
export const needOf = (profile: OperationProfile, device: DeviceInfo): Need => {
  const memory = profile.requiredResources.find((r) => r.type === "memory")
  const cpu = profile.requiredResources.find((r) => r.type === "cpu")
  const toCores = (n: number) => (cpu?.units === "percent" ? (n / 100) * device.effectiveCores : n)
  const oneCore = Math.min(1, device.effectiveCores)
  return {
    memory: memory === undefined
      ? { min: profile.estimatedMemory, rec: profile.estimatedMemory }
      : { min: memory.minimumRequired, rec: memory.recommended },
    cores: cpu === undefined ? { min: oneCore, rec: oneCore } : { min: toCores(cpu.minimumRequired), rec: toCores(cpu.recommended) }
  }
}

/**
 * Cores are handed out whole (they become thread counts) unless the range
 * itself is below one core.
 */
const coresGrant = (range: Range, free: number): number | undefined => {
  const want = Math.min(range.rec, free)
  const grant = range.min >= 1 ? Math.floor(want) : want
  return grant >= range.min ? grant : undefined
}

/** The largest grant within the need's range that fits in `free`, or `undefined`. */
export const fit = (need: Need, free: Resources): Resources | undefined => {
  const memory = Math.min(need.memory.rec, free.memory)
  if (memory < need.memory.min) return undefined
  const cores = coresGrant(need.cores, free.cores)
  return cores === undefined ? undefined : { memory, cores }
}

export interface DecideInput {
  readonly name: string
  readonly need: Need
  readonly strategy: string
  readonly budget: Resources
  /** The largest budget the strategy could give: needs above it are oversized. */
  readonly ceiling: Resources
  readonly free: Resources
  /** No new work starts under critical pressure unless it is critical itself. */
  readonly blockedByPressure: boolean
  /** When the need's minimum would fit, by the running work's expected ends; `undefined` if unknown. */
  readonly estimatedWaitMs: number | undefined
}

const seconds = (ms: number) => `${Math.max(1, Math.ceil(ms / 1000))}s`

/** The decision for a request, approved or not, with what to do instead. */
export const decide = (input: DecideInput): AllocationDecision => {
  const { need, free, ceiling } = input
  const base = { name: input.name, strategy: input.strategy, budget: input.budget, free }
  const grant = input.blockedByPressure ? undefined : fit(need, free)
  if (grant !== undefined) {
    return {
      ...base,
      approved: true,
      allocatedMemory: grant.memory,
      allocatedCores: grant.cores,
      reasons: [],
      recommendations: [],
      fallbackOptions: []
    }
  }
  const reasons: Array<DenialReason> = []
  const recommendations: Array<string> = []
  const options: Array<FallbackOption> = []
  const wait = input.estimatedWaitMs
  const waitOption = (): FallbackOption =>
    wait === undefined
      ? { kind: "wait", description: "wait for running work to finish" }
      : { kind: "wait", description: `wait ~${seconds(wait)}`, estimatedWaitMs: wait }
  const remote: FallbackOption = { kind: "remote", description: "use the remote prover" }
  const ceilingCores = Math.floor(ceiling.cores)
  const oversizedMemory = need.memory.min > ceiling.memory
  const oversizedCores = need.cores.min > ceiling.cores

  if (oversizedMemory) {
    reasons.push({
      code: "oversized-memory",
      message: `needs at least ${bytes(need.memory.min)} of memory but the whole budget is ${bytes(ceiling.memory)}`
    })
    recommendations.push(`use a smaller circuit (at most ${bytes(ceiling.memory)})`, "use the remote prover")
    options.push(remote, { kind: "smaller-circuit", description: `use a smaller circuit (at most ${bytes(ceiling.memory)})`, memory: ceiling.memory })
  }
  if (oversizedCores) {
    reasons.push({ code: "oversized-cores", message: `needs at least ${need.cores.min} cores but the whole budget is ${ceiling.cores}` })
    recommendations.push(`lower parallelism to ${Math.max(1, ceilingCores)} cores`)
    options.push({ kind: "reduce-parallelism", description: `lower parallelism to ${Math.max(1, ceilingCores)} cores`, cores: Math.max(1, ceilingCores) })
  }
  if (!oversizedMemory && !oversizedCores) {
    if (input.blockedByPressure) {
      reasons.push({ code: "critical-pressure", message: "the device is under critical pressure: only critical work starts" })
      recommendations.push(wait === undefined ? "wait for pressure to ease" : `wait ~${seconds(wait)}`, "use the remote prover")
      options.push(waitOption(), remote)
    } else if (need.memory.min > free.memory) {
      reasons.push({
        code: "insufficient-memory",
        message: `needs at least ${bytes(need.memory.min)} of memory; ${bytes(free.memory)} of ${bytes(input.budget.memory)} is free`
      })
      recommendations.push(wait === undefined ? "wait for running work to finish" : `wait ~${seconds(wait)}`, "use the remote prover")
      options.push(waitOption(), { kind: "reduce-memory", description: `run with at most ${bytes(free.memory)} (progressive, checkpointed)`, memory: free.memory }, remote)
    } else {
      const cores = Math.floor(free.cores)
      reasons.push({ code: "insufficient-cores", message: `needs at least ${need.cores.min} cores; ${free.cores} are free` })
      if (cores >= 1) {
        recommendations.push(`lower parallelism to ${cores} cores`)
        options.push({ kind: "reduce-parallelism", description: `lower parallelism to ${cores} cores`, cores })
      }
      recommendations.push(wait === undefined ? "wait for running work to finish" : `wait ~${seconds(wait)}`)
      options.push(waitOption(), remote)
    }
  }
  return { ...base, approved: false, allocatedMemory: 0, allocatedCores: 0, reasons, recommendations, fallbackOptions: options }
}
