/**
 * What an operation is expected to cost, as the allocator sees it (the
 * spec's operation profile): memory, CPU share, duration, priority, whether
 * it may be paused, and its per-resource requirements.
 *
 * @since 0.1.0
 */
import { Effect, Schema } from "effect"
import { decoder } from "./internal/decode.ts"
import type { InvalidInput } from "./ProvidentError.ts"
import { Bytes, Fraction, Millis, Name } from "./internal/units.ts"
import { Priority } from "./Priority.ts"
import { ResourceRequirement } from "./ResourceRequirement.ts"

/**
 * - `name`: unique among live operations; pause/resume/cancel address it.
 * - `estimatedMemory`: bytes at peak.
 * - `estimatedCpuUtilization`: share of the granted cores kept busy, 0..1
 *   (default 1).
 * - `estimatedDuration`: milliseconds (default 0: unknown).
 * - `priority`: default `medium`.
 * - `canBePaused`: whether pausing (interrupting and later restarting from a
 *   checkpoint) is allowed; default `false`.
 * - `requiredResources`: default none, in which case memory is
 *   `estimatedMemory` and one core.
 */
export const OperationProfile = Schema.Struct({
  name: Name,
  estimatedMemory: Bytes,
  estimatedCpuUtilization: Fraction.pipe(Schema.withDecodingDefaultKey(Effect.succeed(1))),
  estimatedDuration: Millis.pipe(Schema.withDecodingDefaultKey(Effect.succeed(0))),
  priority: Priority.pipe(Schema.withDecodingDefaultKey(Effect.succeed("medium" as const))),
  canBePaused: Schema.Boolean.pipe(Schema.withDecodingDefaultKey(Effect.succeed(false))),
  requiredResources: Schema.Array(ResourceRequirement).pipe(Schema.withDecodingDefaultKey(Effect.succeed([])))
}).check(Schema.makeFilter((p) => {
  const issues: Array<Schema.FilterIssue> = []
  const seen = new Set<string>()
  p.requiredResources.forEach((r, i) => {
    if (seen.has(r.type)) issues.push({ path: ["requiredResources", i, "type"], issue: `${r.type} is listed twice` })
    seen.add(r.type)
  })
  return issues
}))
export type OperationProfile = typeof OperationProfile.Type
/** The profile as callers write it, with defaults left out. */
export type OperationProfileInput = typeof OperationProfile.Encoded

const decodeUnknown = decoder(OperationProfile, "OperationProfile")
/**
 * Marks profiles this module decoded, so they can pass through again
 * unchecked: a module-private symbol, not enumerable, set before freezing
 * (cheaper than a WeakSet, whose entries the garbage collector must trace
 * for every profile ever decoded).
 */
const decoded: unique symbol = Symbol("OperationProfile.decoded")

const freeze = (profile: OperationProfile): OperationProfile => {
  for (const requirement of profile.requiredResources) Object.freeze(requirement)
  Object.freeze(profile.requiredResources)
  Object.defineProperty(profile, decoded, { value: true })
  return Object.freeze(profile)
}

/**
 * Decodes an unknown value into a profile, failing with `InvalidInput`. The
 * result is frozen; passing it to `decode` again (or to the allocator, which
 * decodes what it is given) costs nothing, so a profile used in a loop is
 * best decoded once.
 */
export const decode = (input: unknown): Effect.Effect<OperationProfile, InvalidInput> =>
  typeof input === "object" && input !== null && (input as { readonly [decoded]?: boolean })[decoded] === true
    ? Effect.succeed(input as OperationProfile)
    : Effect.map(decodeUnknown(input), freeze)
