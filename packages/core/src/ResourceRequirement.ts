/**
 * One resource an operation needs: the least it can run with and what it
 * runs best with. The allocator grants between the two as headroom allows.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { decoder } from "./internal/decode.ts"
import { NonNegative } from "./internal/units.ts"
import { Priority } from "./Priority.ts"

export const ResourceType = Schema.Literals(["memory", "cpu", "storage", "network"])
export type ResourceType = typeof ResourceType.Type

export const ResourceUnits = Schema.Literals(["bytes", "cores", "percent", "bytes/s"])
export type ResourceUnits = typeof ResourceUnits.Type

/** The units each resource type may be measured in. */
export const unitsFor: Readonly<Record<ResourceType, ReadonlyArray<ResourceUnits>>> = {
  memory: ["bytes"],
  cpu: ["cores", "percent"],
  storage: ["bytes"],
  network: ["bytes/s"]
}

export const ResourceRequirement = Schema.Struct({
  type: ResourceType,
  minimumRequired: NonNegative,
  recommended: NonNegative,
  units: ResourceUnits,
  priority: Schema.optionalKey(Priority)
}).check(Schema.makeFilter((r) => {
  const issues: Array<Schema.FilterIssue> = []
  if (r.recommended < r.minimumRequired) {
    issues.push({ path: ["recommended"], issue: "must be at least minimumRequired" })
  }
  const allowed = unitsFor[r.type]
  if (!allowed.includes(r.units)) {
    issues.push({ path: ["units"], issue: `${r.type} is measured in ${allowed.join(" or ")}` })
  }
  if (r.units === "percent" && r.recommended > 100) {
    issues.push({ path: ["recommended"], issue: "a percentage must be at most 100" })
  }
  return issues
}))
export type ResourceRequirement = typeof ResourceRequirement.Type

/** Decodes an unknown value into a requirement, failing with `InvalidInput`. */
export const decode = decoder(ResourceRequirement, "ResourceRequirement")
