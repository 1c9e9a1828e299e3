/**
 * Scripts for `SimulatedDevice`: each reading is a `Signal`, a pure function
 * of the virtual time elapsed since the device started (milliseconds, read
 * from the Effect `Clock`, so `TestClock` drives it). Signals compose: a ramp
 * plus deterministic noise, a spike on a baseline, a draining battery.
 *
 * @since 0.1.0
 */
import { Duration } from "effect"
import type { PressureState } from "./PressureState.ts"

/** A reading as a function of elapsed milliseconds. */
export type Signal = (elapsedMs: number) => number

/** What a simulated device reports over time. */
export interface DeviceScript {
  /** Memory in use in bytes, before what `occupy` adds. */
  readonly memoryUsed: Signal
  /** CPU usage in percent of the effective cores, before what `occupy` adds. */
  readonly cpuUsage: Signal
  /** Battery level in percent; absent on devices without a battery. */
  readonly batteryLevel?: Signal
  readonly charging?: (elapsedMs: number) => boolean
  /** Storage in use in bytes; read only when the device spec has `storageTotal`. */
  readonly storageUsed?: Signal
  /** Pressure state; when absent it is derived from memory and CPU usage. */
  readonly pressure?: (elapsedMs: number) => PressureState
  readonly online?: (elapsedMs: number) => boolean
}

const ms = (input: Duration.Input): number => Duration.toMillis(input)

/** Always `value`. */
export const constant = (value: number): Signal => () => value

/** From `from` to `to` linearly over `over`, starting after `startAfter` (default 0); flat outside. */
export const ramp = (options: {
  readonly from: number
  readonly to: number
  readonly over: Duration.Input
  readonly startAfter?: Duration.Input
}): Signal => {
  const start = ms(options.startAfter ?? 0)
  const length = Math.max(1, ms(options.over))
  return (t) => {
    const f = Math.min(1, Math.max(0, (t - start) / length))
    return options.from + (options.to - options.from) * f
  }
}

/** Piecewise constant: `initial` until the first step, then each step's value from its time on. */
export const steps = (
  initial: number,
  changes: ReadonlyArray<readonly [at: Duration.Input, value: number]>
): Signal => {
  const sorted = changes.map(([at, value]) => [ms(at), value] as const).sort((a, b) => a[0] - b[0])
  return (t) => {
    let value = initial
    for (const [at, v] of sorted) if (t >= at) value = v
    return value
  }
}

/** `base`, except `peak` from `at` for `duration`. */
export const spike = (options: {
  readonly base: number
  readonly peak: number
  readonly at: Duration.Input
  readonly duration: Duration.Input
}): Signal => {
  const at = ms(options.at)
  const end = at + ms(options.duration)
  return (t) => (t >= at && t < end ? options.peak : options.base)
}

/** Falls from `from` by `perMinute` each minute, never below `floor` (default 0). */
export const drain = (options: { readonly from: number; readonly perMinute: number; readonly floor?: number }): Signal =>
(t) => Math.max(options.floor ?? 0, options.from - options.perMinute * (t / 60_000))

/** A sine wave around `mean`. */
export const sine = (options: { readonly mean: number; readonly amplitude: number; readonly period: Duration.Input }): Signal => {
  const period = Math.max(1, ms(options.period))
  return (t) => options.mean + options.amplitude * Math.sin((2 * Math.PI * t) / period)
}

/** A 32-bit integer hash (splitmix-style), the source of `noise`. */
const hash = (n: number): number => {
  let x = (n | 0) + 0x9e3779b9
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b)
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35)
  return (x ^ (x >>> 16)) >>> 0
}

/**
 * `signal` plus uniform noise in [-amplitude, amplitude], held for `every`
 * (default one second) and the same for the same `seed` and time: runs are
 * reproducible.
 */
export const noise = (
  signal: Signal,
  options: { readonly amplitude: number; readonly seed?: number; readonly every?: Duration.Input }
): Signal => {
  const every = Math.max(1, ms(options.every ?? "1 second"))
  const seed = options.seed ?? 1
  return (t) => {
    const u = hash(Math.floor(t / every) * 31 + seed) / 0xffffffff
    return signal(t) + options.amplitude * (2 * u - 1)
  }
}

/** The pointwise sum of signals. */
export const sum = (...signals: ReadonlyArray<Signal>): Signal => (t) => signals.reduce((acc, s) => acc + s(t), 0)
