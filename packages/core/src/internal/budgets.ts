/**
 * The budget in force, for the allocator's engine: the configured strategy
 * (`budget.ts`) over the latest reading and what is granted, looking ahead
 * with the predictor's memory forecast when a `ResourcePredictor` is in
 * context. Budgets are cached while the reading, the granted total and the
 * forecast stay the same objects.
 */
import { Effect, Option } from "effect"
import type { Resources } from "../AllocationDecision.ts"
import type { AllocatorConfig } from "../AllocatorConfig.ts"
import type { DeviceInfo } from "../DeviceInfo.ts"
import { ResourcePredictor } from "../ResourcePredictor.ts"
import type { ResourceSnapshot } from "../ResourceSnapshot.ts"
import { adaptive, type Budget, capacityOf, fixed, forecastFree } from "./budget.ts"
import type { Need } from "./grant.ts"

/** `granted` reads the total granted now: a new object whenever it changes. */
export const makeBudgets = Effect.fnUntraced(function*(config: AllocatorConfig, device: DeviceInfo, granted: () => Resources) {
  // The predictor, when one is provided, lets adaptive budgets look ahead and
  // requests say how long to wait for memory used outside the allocator.
  const predictor = yield* Effect.serviceOption(ResourcePredictor)
  let forecast: ReadonlyArray<{ readonly at: number; readonly used: number }> = []
  const refreshForecast = Option.match(predictor, {
    onNone: () => Effect.void,
    onSome: (p) =>
      p.predictions.pipe(
        Effect.map((points) => {
          forecast = points.flatMap((point) => point.memory === undefined ? [] : [{ at: point.timestamp, used: point.memory.predicted }])
        })
      )
  })

  /** The budget now; `lookAhead: false` leaves the forecast out (for "when will it fit"). */
  const budgetOf = (snapshot: ResourceSnapshot, lookAhead = true): Budget => {
    if (!lookAhead) return computeBudget(snapshot, false)
    // A pure function of the reading, the granted total and the forecast, each
    // replaced (never mutated) when it changes: reuse it while none has.
    const total = granted()
    if (lastBudget === undefined || lastBudget.snapshot !== snapshot || lastBudget.granted !== total || lastBudget.forecast !== forecast) {
      lastBudget = { snapshot, granted: total, forecast, budget: computeBudget(snapshot, true) }
    }
    return lastBudget.budget
  }
  let lastBudget: {
    readonly snapshot: ResourceSnapshot
    readonly granted: Resources
    readonly forecast: typeof forecast
    readonly budget: Budget
  } | undefined
  const computeBudget = (snapshot: ResourceSnapshot, lookAhead: boolean): Budget => {
    const input = {
      snapshot,
      device: device,
      maxMemoryPercentage: config.maxMemoryPercentage,
      maxCpuPercentage: config.maxCpuPercentage,
      granted: granted()
    }
    switch (config.strategy) {
      case "adaptive": {
        const ahead = lookAhead && forecast.length > 0
          ? forecastFree(capacityOf(snapshot), granted().memory, forecast.map((f) => f.used))
          : undefined
        return adaptive(ahead === undefined ? input : { ...input, forecastFreeMemory: ahead }, config.batteryLowPercent)
      }
      default:
        return fixed(config.strategy, input)
    }
  }

  /**
   * When memory used outside the allocator is forecast to fall far enough
   * for `need` to fit: the first forecast point where it would; `undefined`
   * without a forecast or if no point in the window does.
   */
  const forecastWait = (snapshot: ResourceSnapshot, need: Need, now: number): number | undefined => {
    for (const point of forecast) {
      const then = budgetOf({ ...snapshot, memory: { ...snapshot.memory, used: point.used } }, false)
      if (then.memory - granted().memory >= need.memory.min) return Math.max(0, point.at - now)
    }
    return undefined
  }
  const freeOf = (budget: Budget): Resources => ({
    memory: budget.memory - granted().memory,
    cores: budget.cores - granted().cores
  })

  return { budgetOf, forecastWait, freeOf, refreshForecast }
})
