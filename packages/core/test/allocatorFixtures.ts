import { Layer } from "effect"
import type { DeviceSpec } from "../src/SimulatedDevice.ts"
import * as DeviceScript from "../src/DeviceScript.ts"
import * as ResourceAllocator from "../src/ResourceAllocator.ts"
import * as ResourceMonitor from "../src/ResourceMonitor.ts"
import type { MonitorConfigInput } from "../src/MonitorConfig.ts"

export const GiB = 1024 ** 3

/**
 * A 10 GiB, 4-core server with nothing else running: under the aggressive
 * strategy capped at 80% the budget is exactly 8 GiB and 4 cores.
 */
export const testbox: DeviceSpec = {
  device: {
    platform: "linux",
    deviceClass: "server",
    totalMemory: 10 * GiB,
    logicalCores: 4,
    effectiveCores: 4,
    supports: { memory: true, cpu: true, loadAverage: false, storage: false, network: false, battery: false, pressure: true, process: false }
  },
  script: { memoryUsed: DeviceScript.constant(0), cpuUsage: DeviceScript.constant(0) }
}

export const allocatorOn = (
  spec: DeviceSpec = testbox,
  options: ResourceAllocator.Options = {},
  monitor: MonitorConfigInput = {}
) =>
  ResourceAllocator.layer({ strategy: "aggressive", maxMemoryPercentage: 80, ...options }).pipe(
    Layer.provideMerge(ResourceMonitor.layerTest(spec, monitor))
  )

/** A profile needing `gib` GiB and `cores` cores exactly. */
export const profile = (
  name: string,
  gib: number,
  extra: {
    readonly priority?: "critical" | "high" | "medium" | "low" | "background"
    readonly cores?: number
    readonly canBePaused?: boolean
    readonly estimatedDuration?: number
    readonly minGib?: number
  } = {}
) => ({
  name,
  estimatedMemory: gib * GiB,
  priority: extra.priority ?? "medium",
  canBePaused: extra.canBePaused ?? false,
  estimatedDuration: extra.estimatedDuration ?? 0,
  requiredResources: [
    { type: "memory" as const, minimumRequired: (extra.minGib ?? gib) * GiB, recommended: gib * GiB, units: "bytes" as const },
    { type: "cpu" as const, minimumRequired: extra.cores ?? 1, recommended: extra.cores ?? 1, units: "cores" as const }
  ]
})
