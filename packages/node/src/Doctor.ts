/**
 * `provident doctor`: what Provident sees on this machine. The report is
 * rendered by pure functions of the device and its readings, so it is tested
 * without a terminal; `run` wires them to a live monitor.
 *
 * @since 0.1.0
 */
import { ResourceMonitor } from "@provident/core"
import type { DeviceInfo } from "@provident/core/DeviceInfo"
import type { ResourceSnapshot } from "@provident/core/ResourceSnapshot"
import { Console, Effect, Layer, Stream } from "effect"
import * as format from "./internal/format.ts"
import * as NodeProvident from "./NodeProvident.ts"

const row = (label: string, value: string) => `  ${format.pad(label, 10)}${value}`

/** The device profile and its container limits. */
export const renderDevice = (device: DeviceInfo): ReadonlyArray<string> => {
  const supported = Object.entries(device.supports).filter(([, on]) => on).map(([name]) => name)
  const missing = Object.entries(device.supports).filter(([, on]) => !on).map(([name]) => name)
  const container = device.container
  return [
    "Device",
    row("platform", `${device.platform}${device.arch === undefined ? "" : ` ${device.arch}`}${device.model === undefined ? "" : `, ${device.model}`}`),
    row("class", device.deviceClass),
    row("memory", `${format.bytes(device.totalMemory)} total${device.memoryLimit === undefined ? "" : `, limited to ${format.bytes(device.memoryLimit)}`}`),
    row("cores", `${device.logicalCores} logical, ${format.cores(device.effectiveCores)} effective`),
    row("readings", `${supported.join(", ")}${missing.length === 0 ? "" : ` (not available: ${missing.join(", ")})`}`),
    "Container limits",
    ...(container === undefined
      ? [row("cgroup", "no memory or CPU limit found")]
      : [
        row("cgroup", `v${container.cgroupVersion} ${container.path}`),
        row("memory", container.memoryLimit === undefined ? "unlimited" : format.bytes(container.memoryLimit)),
        row("cpu", container.cpuLimit === undefined ? "unlimited" : `${format.cores(container.cpuLimit)} cores`)
      ])
  ]
}

/** One full reading, with the system load. */
export const renderSnapshot = (s: ResourceSnapshot, load: number): ReadonlyArray<string> => {
  const capacity = s.memory.limit ?? s.memory.total
  const pressureParts = [s.pressure.cpu === undefined ? "" : `cpu ${s.pressure.cpu}`, s.pressure.memory === undefined ? "" : `memory ${s.pressure.memory}`]
    .filter((p) => p !== "")
  return [
    `Readings at ${format.clock(s.timestamp)} UTC${s.stale ? " (stale)" : ""}`,
    row("memory", `${format.bytes(s.memory.used)} used of ${format.bytes(capacity)} (${format.percent(s.memory.usagePercent)}), ${format.bytes(s.memory.available)} available`),
    row("cpu", `${format.percent(s.cpu.usagePercent)} of ${format.cores(s.cpu.cores)} cores${s.cpu.loadAverage === undefined ? "" : `, load average ${s.cpu.loadAverage.map((l) => l.toFixed(2)).join(" ")}`}`),
    row("pressure", `${s.pressure.state} (${s.pressure.source}${pressureParts.length === 0 ? "" : `: ${pressureParts.join(", ")}`})`),
    row("storage", s.storage === undefined ? "not read" : `${format.bytes(s.storage.used)} used, ${format.bytes(s.storage.available)} available (${format.percent(s.storage.usagePercent)})`),
    row("network", s.network === undefined ? "not read" : [
      s.network.online ? "online" : "offline",
      s.network.type,
      s.network.rxBytesPerSecond === undefined ? undefined : `in ${format.bytes(s.network.rxBytesPerSecond)}/s`,
      s.network.txBytesPerSecond === undefined ? undefined : `out ${format.bytes(s.network.txBytesPerSecond)}/s`
    ].filter((p) => p !== undefined).join(", ")),
    row("battery", s.battery === undefined ? "none" : `${format.percent(s.battery.level)}, ${s.battery.charging ? "charging" : "discharging"}`),
    row("process", s.process === undefined ? "not read" : `${format.bytes(s.process.rss)} resident, heap ${format.bytes(s.process.heapUsed)}`),
    row("load", `${load.toFixed(2)} (0 idle … 1 saturated)`)
  ]
}

export const liveHeader = `  ${format.pad("time", 10)}${format.padLeft("mem", 7)}${format.padLeft("avail", 11)}${format.padLeft("cpu", 7)}${format.padLeft("load", 6)}  pressure`

/** One compact line per live sample. */
export const renderLive = (s: ResourceSnapshot, load: number): string =>
  `  ${format.pad(format.clock(s.timestamp), 10)}${format.padLeft(format.percent(s.memory.usagePercent), 7)}${format.padLeft(format.bytes(s.memory.available), 11)}${format.padLeft(format.percent(s.cpu.usagePercent), 7)}${format.padLeft(load.toFixed(2), 6)}  ${s.pressure.state}${s.stale ? " (stale)" : ""}`

export interface Options {
  /** How long to sample live after the report. */
  readonly seconds: number
  /** Milliseconds between live samples. */
  readonly interval: number
  /** JSON lines instead of text: the device, then one snapshot per line. */
  readonly json: boolean
}

const loadOf = (monitor: ResourceMonitor.Service) => monitor.systemLoad.pipe(Effect.orElseSucceed(() => 0))

/** Prints the report, then samples live for `seconds`. */
export const run = Effect.fn("Doctor.run")(function*(options: Options) {
  const program = Effect.gen(function*() {
    const monitor = yield* ResourceMonitor.ResourceMonitor
    const first = yield* monitor.latest
    const count = Math.max(0, Math.floor((options.seconds * 1000) / options.interval))
    const live = monitor.changes.pipe(Stream.take(count))
    if (options.json) {
      yield* Console.log(JSON.stringify({ device: monitor.device }))
      yield* Console.log(JSON.stringify({ snapshot: first, load: yield* loadOf(monitor) }))
      yield* Stream.runForEach(live, (s) =>
        loadOf(monitor).pipe(Effect.flatMap((load) => Console.log(JSON.stringify({ snapshot: s, load })))))
      return
    }
    yield* Console.log(`Provident doctor\n\n${renderDevice(monitor.device).join("\n")}\n`)
    yield* Console.log(`${renderSnapshot(first, yield* loadOf(monitor)).join("\n")}\n`)
    if (count === 0) return
    yield* Console.log(`Live, every ${options.interval} ms for ${options.seconds} s\n${liveHeader}`)
    yield* Stream.runForEach(live, (s) => loadOf(monitor).pipe(Effect.flatMap((load) => Console.log(renderLive(s, load)))))
  })
  yield* program.pipe(Effect.provide(Layer.fresh(NodeProvident.layerMonitor({ monitor: { sampleInterval: options.interval } }))))
})
