/**
 * What a custom strategy (the spec's `customStrategyFn`) grants one request:
 * its answer, decoded with Schema, becomes a fixed need (capped by the
 * budget's ceiling) or a refusal the allocator reports as a decision. A
 * strategy that fails, dies or answers nonsense refuses, with the reason.
 */
import { Cause, Effect, Schema } from "effect"
import type { AllocationDecision, Resources } from "../AllocationDecision.ts"
import * as CustomStrategy from "../CustomStrategy.ts"
import type { DeviceInfo } from "../DeviceInfo.ts"
import type { OperationProfile } from "../OperationProfile.ts"
import type { ResourceSnapshot } from "../ResourceSnapshot.ts"
import type { Budget } from "./budget.ts"
import type { Need } from "./grant.ts"

const decodeDecision = Schema.decodeUnknownEffect(CustomStrategy.Decision)

export interface Request {
  readonly profile: OperationProfile
  /** The need the profile states, for what an approval leaves unsaid. */
  readonly need: Need
  readonly snapshot: ResourceSnapshot
  readonly device: DeviceInfo
  readonly budget: Budget
  /** The budget minus what is granted. */
  readonly free: Resources
}

export type Verdict = { readonly need: Need; readonly decision?: undefined } | { readonly decision: AllocationDecision }

export const customVerdict = (strategy: CustomStrategy.CustomStrategy, request: Request): Effect.Effect<Verdict> => {
  const { profile, need, snapshot, device, budget, free } = request
  const refuse = (reason: string): Verdict => ({
    decision: {
      name: profile.name,
      approved: false,
      allocatedMemory: 0,
      allocatedCores: 0,
      strategy: "custom",
      budget: { memory: budget.memory, cores: budget.cores },
      free,
      reasons: [{ code: "custom", message: reason }],
      recommendations: [],
      fallbackOptions: []
    }
  })
  return strategy({ profile, snapshot, device, budget: { memory: budget.memory, cores: budget.cores }, free }).pipe(
    Effect.flatMap(decodeDecision),
    Effect.catchCause((cause) =>
      Effect.succeed<CustomStrategy.Decision>({ approved: false, reason: `the custom strategy failed: ${Cause.pretty(cause)}` })
    ),
    Effect.map((answer): Verdict => {
      if (!answer.approved) return refuse(answer.reason ?? "refused by the custom strategy")
      const memory = Math.min(answer.allocatedMemory ?? need.memory.rec, budget.ceiling.memory)
      const cores = Math.min(answer.allocatedCores ?? need.cores.rec, budget.ceiling.cores)
      return { need: { memory: { min: memory, rec: memory }, cores: { min: cores, rec: cores } } }
    })
  )
}
