/**
 * The `ResourceProbe` for Node.js. Every sample uses cheap calls only
 * (microseconds: `os`, `process`, `fs.statfs` and /proc, /sys files):
 *
 * - memory: `os.totalmem()`/`os.freemem()` (MemAvailable on Linux), bounded
 *   by the tightest cgroup `memory.max` over the process's cgroup and its
 *   ancestors and by `process.constrainedMemory()`; when limited, usage is the
 *   limiting cgroup's working set;
 * - CPU: `/proc/stat` deltas (or `os.cpus()` elsewhere), or the cgroup's own
 *   CPU time against its quota when it has one; cores from
 *   `os.availableParallelism()` bounded by `cpu.max`;
 * - pressure: PSI from the cgroup or `/proc/pressure`, derived from usage
 *   where there is none;
 * - storage: `fs.statfs` of the cache directory's volume; network: interface
 *   state and `/proc/net/dev` byte rates.
 *
 * systeminformation, whose calls spawn processes or take tens of
 * milliseconds, is read once when the probe is built (machine model, network
 * type, whether there is a battery) and for the battery every
 * `batteryRefresh`.
 *
 * @since 0.1.0
 */
import { DeviceInfo, ProvidentError, ResourceProbe } from "@provident/core"
import type { ResourceSnapshot } from "@provident/core/ResourceSnapshot"
import * as Pressure from "@provident/core/PressureState"
import { Clock, Duration, Effect, Layer } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import si from "systeminformation"
import * as cgroup from "./internal/cgroup.ts"
import { cacheDir, existingAncestor, readFileOrUndefined } from "./internal/files.ts"
import * as procfs from "./internal/procfs.ts"
import * as psi from "./internal/psi.ts"

export interface Options {
  /** A path on the volume whose storage to report. Default: Provident's cache directory. */
  readonly storagePath?: string
  /** How often to re-read the battery. Default 30 seconds. */
  readonly batteryRefresh?: Duration.Input
  /** How long to wait for each systeminformation fact at start. Default 5 seconds. */
  readonly factsTimeout?: Duration.Input
  /** Reads /proc and /sys files; tests substitute fixtures. */
  readonly readFile?: cgroup.ReadFile
  /** Where the static facts and the battery come from; default systeminformation. Tests substitute a device. */
  readonly systemInformation?: SystemInformation
  /**
   * Node's own view of a memory limit (`process.constrainedMemory()`, e.g.
   * set by a container runtime outside cgroups) and of what is left under it
   * (`process.availableMemory()`); default `process`. Tests substitute a
   * constrained process.
   */
  readonly processMemory?: ProcessMemory
}

/** The `process` memory calls the probe makes. */
export interface ProcessMemory {
  readonly constrainedMemory: () => number | undefined
  readonly availableMemory: () => number
}

const nodeProcessMemory: ProcessMemory = {
  constrainedMemory: () => process.constrainedMemory?.(),
  availableMemory: () => process.availableMemory()
}

/** The systeminformation calls the probe makes (see `readFacts`). */
export interface SystemInformation {
  readonly battery: () => Promise<SiBattery>
  readonly system: () => Promise<Awaited<ReturnType<typeof si.system>>>
  readonly networkInterfaces: (which: "default") => Promise<Awaited<ReturnType<typeof si.networkInterfaces>>>
}

/** Values at or above this from `process.constrainedMemory()` mean "no constraint". */
const NO_CONSTRAINT = 2 ** 60

const minDefined = (...values: ReadonlyArray<number | undefined>): number | undefined => {
  const defined = values.filter((v): v is number => v !== undefined && v > 0)
  return defined.length === 0 ? undefined : Math.min(...defined)
}

/** The static facts systeminformation gives, each optional: a failure or timeout leaves it out. */
const readFacts = (info: SystemInformation, timeout: Duration.Input) => {
  const fact = <A>(f: () => Promise<A>) =>
    Effect.tryPromise(f).pipe(Effect.timeout(timeout), Effect.option, Effect.map((o) => (o._tag === "Some" ? o.value : undefined)))
  return Effect.all({
    battery: fact(() => info.battery()),
    system: fact(() => info.system()),
    network: fact(() => info.networkInterfaces("default"))
  }, { concurrency: "unbounded" })
}

type SiBattery = Awaited<ReturnType<typeof si.battery>>

const batteryReading = (b: SiBattery | undefined): ResourceSnapshot["battery"] =>
  b === undefined || !b.hasBattery
    ? undefined
    : {
      level: Math.min(100, Math.max(0, b.percent)),
      charging: b.isCharging,
      // systeminformation reports minutes remaining; the snapshot uses seconds.
      ...(!b.isCharging && typeof b.timeRemaining === "number" && b.timeRemaining >= 0
        ? { dischargingTime: b.timeRemaining * 60 }
        : {})
    }

const tryOrUndefined = <A>(f: () => A): A | undefined => {
  try {
    return f()
  } catch {
    return undefined
  }
}

/** Builds the probe: reads the device's static facts, then samples on demand. */
export const make = Effect.fnUntraced(function*(options: Options = {}) {
  const read = options.readFile ?? readFileOrUndefined
  const linux = process.platform === "linux"
  const layout = linux ? cgroup.discover(read) : undefined
  const info = options.systemInformation ?? si
  const facts = yield* readFacts(info, options.factsTimeout ?? "5 seconds")

  const totalMemory = os.totalmem()
  const processMemory = options.processMemory ?? nodeProcessMemory
  const constrained = processMemory.constrainedMemory()
  const limit = minDefined(layout?.memoryLimit, constrained !== undefined && constrained < NO_CONSTRAINT ? constrained : undefined)
  const memoryLimit = limit !== undefined && limit < totalMemory ? limit : undefined
  const logicalCores = Math.max(1, os.cpus().length)
  const effectiveCores = DeviceInfo.effectiveCores(Math.min(logicalCores, os.availableParallelism()), layout?.cpuLimit)
  const hasBattery = facts.battery?.hasBattery === true
  const storagePath = existingAncestor(options.storagePath ?? cacheDir())
  const psiPaths = layout?.pressureDir !== undefined
    ? { cpu: `${layout.pressureDir}/cpu.pressure`, memory: `${layout.pressureDir}/memory.pressure` }
    : { cpu: "/proc/pressure/cpu", memory: "/proc/pressure/memory" }
  const hasPsi = psi.parsePsi(read(psiPaths.cpu)) !== undefined
  const inContainer = memoryLimit !== undefined || layout?.cpuLimit !== undefined || fs.existsSync("/.dockerenv") ||
    process.env.KUBERNETES_SERVICE_HOST !== undefined
  const model = [facts.system?.manufacturer, facts.system?.model].filter((s) => s !== undefined && s !== "").join(" ")
  const networkType = facts.network !== undefined && !Array.isArray(facts.network) ? facts.network.type : undefined

  const device: DeviceInfo.DeviceInfo = yield* DeviceInfo.decode({
    platform: process.platform,
    arch: process.arch,
    ...(model === "" ? {} : { model }),
    deviceClass: DeviceInfo.classify({
      platform: process.platform,
      hasBattery,
      inContainer,
      headless: linux && process.env.DISPLAY === undefined && process.env.WAYLAND_DISPLAY === undefined
    }),
    totalMemory,
    ...(memoryLimit === undefined ? {} : { memoryLimit }),
    logicalCores,
    effectiveCores,
    ...(layout === undefined || (layout.memoryLimit === undefined && layout.cpuLimit === undefined) ? {} : {
      container: {
        cgroupVersion: layout.version,
        path: layout.path,
        ...(layout.memoryLimit === undefined ? {} : { memoryLimit: layout.memoryLimit }),
        ...(layout.cpuLimit === undefined ? {} : { cpuLimit: layout.cpuLimit })
      }
    }),
    supports: {
      memory: true,
      cpu: true,
      loadAverage: process.platform !== "win32",
      storage: tryOrUndefined(() => fs.statfsSync(storagePath)) !== undefined,
      network: true,
      battery: hasBattery,
      pressure: hasPsi,
      process: true
    }
  }).pipe(Effect.orDie)

  // Counters of the previous sample, for rates.
  const hostTicks = (): procfs.CpuTicks | undefined => {
    const stat = linux ? read("/proc/stat") : undefined
    return stat !== undefined ? procfs.parseProcStat(stat) : procfs.ticksFromCpus(os.cpus())
  }
  const useCgroupCpu = layout?.cpuLimit !== undefined && layout.cpuUsageFile !== undefined
  let previous = {
    at: yield* Clock.currentTimeMillis,
    ticks: hostTicks(),
    cgroupCpu: layout !== undefined ? cgroup.cpuUsageNanos(read, layout) : undefined,
    net: linux ? procfs.parseNetDev(read("/proc/net/dev") ?? "") : undefined
  }
  let battery = { reading: batteryReading(facts.battery), at: previous.at }
  const batteryRefresh = Duration.toMillis(options.batteryRefresh ?? "30 seconds")

  const refreshBattery = (now: number) =>
    !hasBattery || now - battery.at < batteryRefresh
      ? Effect.void
      : Effect.tryPromise(() => info.battery()).pipe(
        Effect.timeout("2 seconds"),
        Effect.match({
          onFailure: () => void (battery = { ...battery, at: now }),
          onSuccess: (b) => void (battery = { reading: batteryReading(b), at: now })
        })
      )

  const readSnapshot = (now: number): ResourceSnapshot => {
    const hostAvailable = os.freemem()
    const capacity = memoryLimit ?? totalMemory
    const cgroupUsed = layout !== undefined && memoryLimit !== undefined ? cgroup.workingSet(read, layout) : undefined
    const used = Math.min(
      capacity,
      cgroupUsed ?? (memoryLimit !== undefined ? capacity - Math.min(capacity, processMemory.availableMemory()) : totalMemory - hostAvailable)
    )
    const available = Math.max(0, Math.min(capacity - used, hostAvailable))
    const memoryPercent = (used / capacity) * 100

    const elapsedMs = now - previous.at
    const ticks = hostTicks()
    const cgroupCpu = layout !== undefined ? cgroup.cpuUsageNanos(read, layout) : undefined
    const load = os.loadavg() as [number, number, number]
    const cpuPercent = (useCgroupCpu && cgroupCpu !== undefined && previous.cgroupCpu !== undefined && elapsedMs > 0
      ? Math.min(100, ((cgroupCpu - previous.cgroupCpu) / (elapsedMs * 1e6 * effectiveCores)) * 100)
      : previous.ticks !== undefined && ticks !== undefined
      ? procfs.usagePercent(previous.ticks, ticks)
      : undefined) ?? Math.min(100, (load[0] / effectiveCores) * 100) // no time has passed yet: the run queue

    const cpuPsi = psi.parsePsi(read(psiPaths.cpu))
    const memoryPsi = psi.parsePsi(read(psiPaths.memory))
    const pressure = cpuPsi !== undefined || memoryPsi !== undefined
      ? (() => {
        const cpu = cpuPsi === undefined ? undefined : psi.cpuState(cpuPsi)
        const memory = memoryPsi === undefined ? undefined : psi.memoryState(memoryPsi)
        return {
          state: Pressure.max(cpu ?? "nominal", memory ?? "nominal"),
          ...(cpu === undefined ? {} : { cpu }),
          ...(memory === undefined ? {} : { memory }),
          source: "psi" as const
        }
      })()
      : { state: Pressure.fromUsage(memoryPercent, cpuPercent), source: "derived" as const }

    const statfs = device.supports.storage ? tryOrUndefined(() => fs.statfsSync(storagePath)) : undefined
    const storage = statfs === undefined ? undefined : (() => {
      const total = statfs.blocks * statfs.bsize
      const storageUsed = (statfs.blocks - statfs.bfree) * statfs.bsize
      const storageAvailable = statfs.bavail * statfs.bsize
      // df's formula: reserved blocks count neither as used nor as available.
      const usagePercent = storageUsed + storageAvailable === 0 ? 0 : (storageUsed / (storageUsed + storageAvailable)) * 100
      return { total, used: storageUsed, available: storageAvailable, usagePercent }
    })()

    const net = linux ? procfs.parseNetDev(read("/proc/net/dev") ?? "") : undefined
    const rates = net !== undefined && previous.net !== undefined && elapsedMs > 0
      ? {
        rxBytesPerSecond: Math.max(0, ((net.rx - previous.net.rx) / elapsedMs) * 1000),
        txBytesPerSecond: Math.max(0, ((net.tx - previous.net.tx) / elapsedMs) * 1000)
      }
      : {}
    const online = Object.values(os.networkInterfaces()).some((addrs) => addrs?.some((a) => !a.internal) ?? false)

    const memoryUsage = process.memoryUsage()
    previous = { at: now, ticks, cgroupCpu, net }

    return {
      timestamp: now,
      memory: {
        total: totalMemory,
        used,
        available,
        usagePercent: Math.min(100, memoryPercent),
        ...(memoryLimit === undefined ? {} : { limit: memoryLimit })
      },
      cpu: {
        cores: effectiveCores,
        usagePercent: Math.max(0, cpuPercent),
        ...(device.supports.loadAverage ? { loadAverage: load } : {})
      },
      ...(storage === undefined ? {} : { storage }),
      network: { online, ...(networkType === undefined || networkType === "" ? {} : { type: networkType }), ...rates },
      ...(battery.reading === undefined ? {} : { battery: battery.reading }),
      pressure,
      process: { rss: memoryUsage.rss, heapUsed: memoryUsage.heapUsed, heapTotal: memoryUsage.heapTotal },
      stale: false
    }
  }

  const sample = Effect.gen(function*() {
    const now = yield* Clock.currentTimeMillis
    yield* refreshBattery(now)
    return yield* Effect.try({
      try: () => readSnapshot(now),
      catch: (cause) =>
        new ProvidentError.ProbeError({ reason: "Failed", message: `reading the node probe failed: ${String(cause)}`, cause })
    })
  })

  return ResourceProbe.make({ device, sample })
})

/** The Node probe as a layer. */
export const layer = (options?: Options): Layer.Layer<ResourceProbe.ResourceProbe> =>
  Layer.effect(ResourceProbe.ResourceProbe, make(options))
