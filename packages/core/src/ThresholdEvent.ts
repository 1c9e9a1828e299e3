/**
 * A threshold crossing reported by the monitor's `events` stream. Memory and
 * CPU cross when usage rises to their threshold; the battery crosses when its
 * level falls to its threshold. Each crossing fires once (`crossed`) and
 * fires again only after it has `cleared`, which needs the reading to move
 * back past the threshold by the hysteresis margin.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { Millis, Percent } from "./internal/units.ts"

export const ThresholdResource = Schema.Literals(["memory", "cpu", "battery"])
export type ThresholdResource = typeof ThresholdResource.Type

export const ThresholdEvent = Schema.Struct({
  kind: Schema.Literals(["crossed", "cleared"]),
  resource: ThresholdResource,
  /** The reading that caused the event, in percent. */
  value: Percent,
  threshold: Percent,
  /** Where the reading must get back to for the crossing to clear. */
  clearAt: Schema.Finite,
  timestamp: Millis
})
export type ThresholdEvent = typeof ThresholdEvent.Type
