/**
 * Per-operation predictions, as pure functions: completions grouped into
 * cost models per (circuit family, prover, strategy, cores), the model that
 * matches an operation's `CircuitKey`, and the estimate it gives for the
 * operation's circuit size (or the profile's declared figures without one).
 */
import type { CircuitKey } from "../Completion.ts"
import * as ComputationProfile from "../ComputationProfile.ts"
import type { CostModelSummary, OperationPrediction } from "../Forecast.ts"
import type { StoredCompletion } from "../ModelStore.ts"
import * as CostModel from "./costModel.ts"

/** The completions of one cost model, oldest first. */
export interface ModelGroup {
  readonly circuitFamily: string
  readonly prover: string
  readonly strategy: string
  readonly cores: number
  readonly completions: ReadonlyArray<StoredCompletion>
}

export type Models = ReadonlyMap<string, ModelGroup>

/** The confidence given to a profile's own declared estimates. */
export const DECLARED_CONFIDENCE = 0.1

const keyOf = (c: StoredCompletion): string => JSON.stringify([c.circuitFamily, c.prover, c.strategy, c.cores])

/** Adds a completion to its model, keeping the newest `limit`. */
export const add = (models: Models, completion: StoredCompletion, limit: number): Models => {
  const key = keyOf(completion)
  const group = models.get(key)
  const next = new Map(models)
  next.set(key, {
    circuitFamily: completion.circuitFamily,
    prover: completion.prover,
    strategy: completion.strategy,
    cores: completion.cores,
    completions: [...(group?.completions ?? []), completion].slice(-limit)
  })
  return next
}

/** Models from stored completions (in the order stored). */
export const fromCompletions = (completions: ReadonlyArray<StoredCompletion>, limit: number): Models =>
  completions.reduce<Models>((models, c) => add(models, c, limit), new Map())

/** Every completion of every model, for storing. */
export const completionsOf = (models: Models): ReadonlyArray<StoredCompletion> =>
  [...models.values()].flatMap((g) => g.completions)

/** Whether a model can describe an operation with this key (see `Completion.CircuitKey`). */
export const matches = (key: CircuitKey, group: ModelGroup): boolean => {
  const family = key.circuitFamily ?? key.circuitId
  if (family === undefined) return false
  const sameCircuit = group.circuitFamily === family ||
    (key.circuitFamily === undefined && group.completions.some((c) => c.circuitId === key.circuitId))
  return sameCircuit &&
    (key.prover === undefined || key.prover === group.prover) &&
    (key.strategy === undefined || key.strategy === group.strategy) &&
    (key.cores === undefined || key.cores === group.cores)
}

/** The matching model with the most completions. */
export const select = (models: Models, key: CircuitKey): ModelGroup | undefined => {
  let best: ModelGroup | undefined
  for (const group of models.values()) {
    if (matches(key, group) && (best === undefined || group.completions.length > best.completions.length)) best = group
  }
  return best
}

/** The time and memory fits of a model (a group has completions, all positive by their schema, so both fit). */
export const fitsOf = (group: ModelGroup) => ({
  time: CostModel.fit(group.completions.map((c) => ({ size: c.circuitSize, value: c.duration })))!,
  memory: CostModel.fit(group.completions.map((c) => ({ size: c.circuitSize, value: c.peakMemory })))!
})

/** The prediction for an operation: from the matching model if any, else the profile's declared figures. */
export const predict = (
  name: string,
  profile: ComputationProfile.ComputationProfile,
  key: CircuitKey,
  models: Models
): OperationPrediction => {
  const group = select(models, key)
  if (group === undefined) {
    const duration = ComputationProfile.expectedDuration(profile)
    const memory = ComputationProfile.peakMemory(profile)
    // The declaration is the caller's own budget, so it stands as the bound too.
    return {
      name,
      estimatedTimeToComplete: duration,
      p95TimeToComplete: duration,
      estimatedPeakMemory: memory,
      p95PeakMemory: memory,
      confidence: DECLARED_CONFIDENCE,
      source: "declared",
      samples: 0
    }
  }
  const fits = fitsOf(group)
  const time = CostModel.estimate(fits.time, profile.circuitSize)
  const memory = CostModel.estimate(fits.memory, profile.circuitSize)
  return {
    name,
    estimatedTimeToComplete: time.median,
    p95TimeToComplete: time.p95,
    estimatedPeakMemory: memory.median,
    p95PeakMemory: memory.p95,
    confidence: Math.min(time.confidence, memory.confidence),
    source: "learned",
    samples: group.completions.length
  }
}

/** A model as `Forecast.CostModelSummary`; confidence is taken at the geometric mean size seen. */
export const summarize = (group: ModelGroup): CostModelSummary => {
  const fits = fitsOf(group)
  const typical = Math.exp(fits.time.meanLogSize)
  return {
    circuitFamily: group.circuitFamily,
    prover: group.prover,
    strategy: group.strategy,
    cores: group.cores,
    samples: group.completions.length,
    circuits: [...new Set(group.completions.map((c) => c.circuitId))],
    time: { coefficient: fits.time.coefficient, exponent: fits.time.exponent },
    memory: { coefficient: fits.memory.coefficient, exponent: fits.memory.exponent },
    confidence: Math.min(
      CostModel.estimate(fits.time, typical).confidence,
      CostModel.estimate(fits.memory, typical).confidence
    )
  }
}
