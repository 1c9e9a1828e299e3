/**
 * The platform seam: where readings come from. Core never touches Node or DOM
 * APIs; `@provident/node` and `@provident/browser` provide live probes and
 * `SimulatedDevice` (in `@provident/core/testing`) a scripted one.
 *
 * A probe reads `device` once when it is built and takes a `sample` whenever
 * asked. It may fail or hang: the monitor bounds every sample with a timeout
 * and keeps the last good reading, so a probe need not defend itself.
 *
 * @since 0.1.0
 */
import { Context, Effect, Layer } from "effect"
import type { DeviceInfo } from "./DeviceInfo.ts"
import type { ProbeError } from "./ProvidentError.ts"
import type { ResourceSnapshot } from "./ResourceSnapshot.ts"

export interface Service {
  /** Static facts about the device, read when the probe was built. */
  readonly device: DeviceInfo
  /** Takes one reading now. `stale` is always `false` in what a probe returns. */
  readonly sample: Effect.Effect<ResourceSnapshot, ProbeError>
}

export class ResourceProbe extends Context.Service<ResourceProbe, Service>()("@provident/core/ResourceProbe") {}

/** Builds a probe from its two parts. */
export const make = (service: Service): Service => ResourceProbe.of(service)

/** A layer holding a fixed probe. */
export const layer = (service: Service): Layer.Layer<ResourceProbe> => Layer.succeed(ResourceProbe, make(service))
