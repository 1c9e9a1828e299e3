/**
 * The system load on a 0..1 scale, from one snapshot.
 *
 * It is one minus the headroom left, where headroom is the free share of the
 * tighter of memory and CPU, shrunk by pressure and by a draining battery:
 *
 *     load = 1 − (1 − max(m, c)) · (1 − p/2) · (1 − b/4)
 *
 * - m: memory usage as a fraction of the memory limit (or total)
 * - c: CPU usage as a fraction of the effective cores
 * - p: pressure weight, nominal 0, fair ⅓, serious ⅔, critical 1
 * - b: battery drain, 1 − level when discharging, 0 when charging or absent
 *
 * The tighter resource dominates because either one running out stalls
 * proving; critical pressure halves what is left, an empty discharging
 * battery takes a quarter. Each input can only raise the load, and the result
 * stays in [0, 1].
 */
import * as PressureState from "../PressureState.ts"
import type { ResourceSnapshot } from "../ResourceSnapshot.ts"

const clamp01 = (x: number): number => (Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0)

export const systemLoad = (snapshot: ResourceSnapshot): number => {
  const m = clamp01(snapshot.memory.usagePercent / 100)
  const c = clamp01(snapshot.cpu.usagePercent / 100)
  const p = PressureState.weight(snapshot.pressure.state)
  const battery = snapshot.battery
  const b = battery !== undefined && !battery.charging ? clamp01(1 - battery.level / 100) : 0
  return clamp01(1 - (1 - Math.max(m, c)) * (1 - p / 2) * (1 - b / 4))
}
