/**
 * A memory-pressure spike injected into the real probe's readings, for the
 * main job's demonstration of eviction: while active, every reading shows
 * `extra` more bytes in use (as if another program had taken them), on top
 * of what the machine really uses. The rest of the reading, and everything
 * else Provident does, is real.
 */
import { ResourceProbe } from "@provident/core"
import type { ResourceSnapshot } from "@provident/core/ResourceSnapshot"
import { Effect, Layer } from "effect"

export interface Spike {
  /** Bytes added to memory in use while the spike lasts; 0 when off. */
  extra: number
}

export const raise = (snapshot: ResourceSnapshot, extra: number): ResourceSnapshot => {
  if (extra <= 0) return snapshot
  const capacity = snapshot.memory.limit ?? snapshot.memory.total
  const used = Math.min(capacity, snapshot.memory.used + extra)
  return {
    ...snapshot,
    memory: { ...snapshot.memory, used, available: Math.max(0, capacity - used), usagePercent: (used / capacity) * 100 }
  }
}

/** The probe in context, with `spike` applied to its readings. */
export const layer = (spike: Spike) =>
  Layer.effect(
    ResourceProbe.ResourceProbe,
    Effect.map(ResourceProbe.ResourceProbe, (real) =>
      ResourceProbe.make({ device: real.device, sample: Effect.map(real.sample, (s) => raise(s, spike.extra)) }))
  )
