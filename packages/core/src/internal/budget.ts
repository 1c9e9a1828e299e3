/**
 * Budgets: how much memory and how many cores the allocator may grant in
 * total, as pure functions of the latest snapshot, the device and the
 * configuration (the Kubernetes scheduler's "score is a function of requested
 * vs capacity", applied to one device).
 *
 * Memory. The capacity is the memory limit (container, app, wasm) or total.
 * Memory used by others is `used − granted` (our own admitted work is assumed
 * to use what it was granted, so it does not shrink the budget that admitted
 * it). A strategy takes a share of what others leave free:
 *
 *     memory = min(share · (capacity − usedByOthers) · pressureFactor, maxMemoryPercentage · capacity)
 *
 * | strategy     | memory share | core share |
 * |--------------|-------------:|-----------:|
 * | conservative |         0.50 |       0.50 |
 * | balanced     |         0.70 |       0.75 |
 * | aggressive   |         0.90 |       1.00 |
 * | custom       |         1.00 |       1.00 |
 *
 * pressureFactor is 1 at nominal and fair, 0.75 at serious, 0.5 at critical.
 *
 * Cores. CPU is compressible (contention slows work, it does not kill it),
 * so cores are a parallelism cap: `share · effectiveCores · pressureFactor`,
 * capped by `maxCpuPercentage`, never below one core (or the whole sliver of
 * a device with less than one).
 *
 * Adaptive picks one of the three, by the first rule that matches:
 * battery discharging at or below `batteryLowPercent` → conservative; a mobile
 * device → conservative; serious or critical pressure → conservative; on
 * battery or fair pressure → balanced; a laptop → balanced; otherwise
 * (workstation, server) → aggressive. When a forecast of the memory others
 * will leave free is given (the predictor's), adaptive budgets against the
 * smaller of now and the forecast.
 */
import type { DeviceInfo } from "../DeviceInfo.ts"
import type { PressureState } from "../PressureState.ts"
import type { ResourceSnapshot } from "../ResourceSnapshot.ts"

/** The strategies with shares of their own; `custom` budgets are the caps alone, its function decides each request. */
export type FixedStrategy = "conservative" | "balanced" | "aggressive" | "custom"

export const shares: Readonly<Record<FixedStrategy, { readonly memory: number; readonly cores: number }>> = {
  conservative: { memory: 0.5, cores: 0.5 },
  balanced: { memory: 0.7, cores: 0.75 },
  aggressive: { memory: 0.9, cores: 1 },
  custom: { memory: 1, cores: 1 }
}

export const pressureFactor = (state: PressureState): number =>
  state === "critical" ? 0.5 : state === "serious" ? 0.75 : 1

export interface BudgetInput {
  readonly snapshot: ResourceSnapshot
  readonly device: DeviceInfo
  readonly maxMemoryPercentage: number
  readonly maxCpuPercentage: number
  /** What the allocator has granted and not yet had back. */
  readonly granted: { readonly memory: number; readonly cores: number }
  /** Predicted memory free of others over the coming window (adaptive only). */
  readonly forecastFreeMemory?: number
}

export interface Budget {
  readonly strategy: FixedStrategy
  readonly memory: number
  readonly cores: number
  /** The largest budget this strategy could give if nothing else ran: requests above it are oversized. */
  readonly ceiling: { readonly memory: number; readonly cores: number }
  /** Why adaptive chose this strategy. */
  readonly why: string
}

export const capacityOf = (snapshot: ResourceSnapshot): number => snapshot.memory.limit ?? snapshot.memory.total

const coresFor = (share: number, input: BudgetInput, factor: number): number => {
  const eff = input.device.effectiveCores
  const cap = (input.maxCpuPercentage / 100) * eff
  return Math.max(Math.min(1, eff), Math.min(share * eff * factor, cap))
}

/** The budget of a fixed strategy. */
export const fixed = (strategy: FixedStrategy, input: BudgetInput, why: string = strategy, freeOverride?: number): Budget => {
  const share = shares[strategy]
  const capacity = capacityOf(input.snapshot)
  const usedByOthers = Math.max(0, input.snapshot.memory.used - input.granted.memory)
  const free = Math.max(0, Math.min(capacity - usedByOthers, freeOverride ?? Infinity))
  const factor = pressureFactor(input.snapshot.pressure.state)
  const memCap = (input.maxMemoryPercentage / 100) * capacity
  return {
    strategy,
    memory: Math.min(share.memory * free * factor, memCap),
    cores: coresFor(share.cores, input, factor),
    ceiling: { memory: Math.min(share.memory * capacity, memCap), cores: coresFor(share.cores, input, 1) },
    why
  }
}

/** Adaptive: picks a fixed strategy for this device and moment, and says why. */
export const adaptive = (input: BudgetInput, batteryLowPercent: number): Budget => {
  const { snapshot, device } = input
  const battery = snapshot.battery
  const discharging = battery !== undefined && !battery.charging
  const pressure = snapshot.pressure.state
  const [strategy, why]: readonly [Exclude<FixedStrategy, "custom">, string] = discharging && battery.level <= batteryLowPercent
    ? ["conservative", `battery low (${battery.level.toFixed(0)}%) and discharging`]
    : device.deviceClass === "mobile"
    ? ["conservative", "mobile device"]
    : pressure === "serious" || pressure === "critical"
    ? ["conservative", `${pressure} pressure`]
    : discharging
    ? ["balanced", "running on battery"]
    : pressure === "fair"
    ? ["balanced", "fair pressure"]
    : device.deviceClass === "laptop"
    ? ["balanced", "laptop"]
    : ["aggressive", `${device.deviceClass} at nominal pressure`]
  const forecast = input.forecastFreeMemory
  return forecast === undefined
    ? fixed(strategy, input, `adaptive: ${why}`)
    : fixed(strategy, input, `adaptive: ${why}, predicted headroom`, forecast)
}

/**
 * The memory others will leave free over a forecast: the least, over the
 * window, of the capacity minus the forecast use that is not ours (our grants
 * are assumed to stay in use). `undefined` without a forecast.
 */
export const forecastFree = (capacity: number, granted: number, forecastUsed: ReadonlyArray<number>): number | undefined =>
  forecastUsed.length === 0 ? undefined : Math.min(...forecastUsed.map((used) => capacity - Math.max(0, used - granted)))
