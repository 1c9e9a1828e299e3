/**
 * How hard the device is being pushed, on the four-level scale of the W3C
 * Compute Pressure API (`nominal` < `fair` < `serious` < `critical`). Node
 * maps Linux PSI onto it and browsers report it directly, so budgets can use
 * one scale everywhere.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

export const PressureState = Schema.Literals(["nominal", "fair", "serious", "critical"])
export type PressureState = typeof PressureState.Type

/** The levels from calm to critical. */
export const levels: ReadonlyArray<PressureState> = PressureState.literals

/** 0 for `nominal` up to 3 for `critical`. */
export const rank = (state: PressureState): number => levels.indexOf(state)

/** The more severe of two states. */
export const max = (a: PressureState, b: PressureState): PressureState => (rank(a) >= rank(b) ? a : b)

/** The severity as a fraction: nominal 0, fair ⅓, serious ⅔, critical 1. */
export const weight = (state: PressureState): number => rank(state) / (levels.length - 1)

/**
 * Pressure derived from utilisation alone, for platforms that report no
 * pressure signal: the worse of memory and CPU, where memory counts from 70%
 * (fair), 85% (serious) and 95% (critical), and CPU from 80%, 95% and 100%.
 * Memory counts earlier because running out of it kills work, while a busy
 * CPU only slows it.
 */
export const fromUsage = (memoryPercent: number, cpuPercent: number): PressureState => {
  const memory: PressureState = memoryPercent >= 95
    ? "critical"
    : memoryPercent >= 85
    ? "serious"
    : memoryPercent >= 70
    ? "fair"
    : "nominal"
  const cpu: PressureState = cpuPercent >= 100 ? "critical" : cpuPercent >= 95 ? "serious" : cpuPercent >= 80 ? "fair" : "nominal"
  return max(memory, cpu)
}
