/**
 * Threshold crossings with hysteresis, as a pure step function: given which
 * alerts are active and a new reading, say which alerts are active now and
 * which events that produced.
 */
import type { MonitorConfig } from "../MonitorConfig.ts"
import type { ResourceSnapshot } from "../ResourceSnapshot.ts"
import type { ThresholdEvent, ThresholdResource } from "../ThresholdEvent.ts"

export interface ThresholdRule {
  readonly resource: ThresholdResource
  readonly threshold: number
  readonly margin: number
  /** `above`: alert when the reading rises to the threshold; `below`: when it falls to it. */
  readonly direction: "above" | "below"
}

export type AlertState = Readonly<Record<ThresholdResource, boolean>>

export const noAlerts: AlertState = { memory: false, cpu: false, battery: false }

export const rulesFor = (config: MonitorConfig): ReadonlyArray<ThresholdRule> => [
  { resource: "memory", threshold: config.memoryThresholdPercent, margin: config.hysteresisPercent, direction: "above" },
  { resource: "cpu", threshold: config.cpuThresholdPercent, margin: config.hysteresisPercent, direction: "above" },
  { resource: "battery", threshold: config.batteryThresholdPercent, margin: config.hysteresisPercent, direction: "below" }
]

/** The reading a rule watches, or `undefined` when the snapshot lacks it. */
export const readingOf = (snapshot: ResourceSnapshot, resource: ThresholdResource): number | undefined => {
  switch (resource) {
    case "memory":
      return snapshot.memory.usagePercent
    case "cpu":
      return snapshot.cpu.usagePercent
    case "battery":
      return snapshot.battery?.level
  }
}

const clearAt = (rule: ThresholdRule): number =>
  rule.direction === "above" ? rule.threshold - rule.margin : rule.threshold + rule.margin

const crosses = (rule: ThresholdRule, value: number): boolean =>
  rule.direction === "above" ? value >= rule.threshold : value <= rule.threshold

const clears = (rule: ThresholdRule, value: number): boolean =>
  rule.direction === "above" ? value < clearAt(rule) : value > clearAt(rule)

/** One step: the new alert state and the events the reading caused. */
export const evaluate = (
  state: AlertState,
  snapshot: ResourceSnapshot,
  rules: ReadonlyArray<ThresholdRule>
): { readonly state: AlertState; readonly events: ReadonlyArray<ThresholdEvent> } => {
  const next: Record<ThresholdResource, boolean> = { ...state }
  const events: Array<ThresholdEvent> = []
  for (const rule of rules) {
    const value = readingOf(snapshot, rule.resource)
    if (value === undefined) continue
    const active = state[rule.resource]
    const kind = !active && crosses(rule, value) ? "crossed" : active && clears(rule, value) ? "cleared" : undefined
    if (kind === undefined) continue
    next[rule.resource] = kind === "crossed"
    events.push({
      kind,
      resource: rule.resource,
      value,
      threshold: rule.threshold,
      clearAt: clearAt(rule),
      timestamp: snapshot.timestamp
    })
  }
  return { state: next, events }
}
