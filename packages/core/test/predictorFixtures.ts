import { Layer, Logger } from "effect"
import type { Completion } from "../src/Completion.ts"
import type { ComputationProfile } from "../src/ComputationProfile.ts"
import type { PredictorConfigInput } from "../src/PredictorConfig.ts"
import * as ResourcePredictor from "../src/ResourcePredictor.ts"
import type * as SimulatedDevice from "../src/SimulatedDevice.ts"

export const GiB = 1024 ** 3

/** A profile with peak memory `memory` (all in the proving phase) and duration `duration`. */
export const profile = (o: { circuitSize?: number; memory?: number; duration?: number } = {}): ComputationProfile => ({
  circuitSize: o.circuitSize ?? 100_000,
  expectedWitnessDuration: (o.duration ?? 10_000) / 4,
  expectedProvingDuration: ((o.duration ?? 10_000) * 3) / 4,
  circuitMemoryRequirements: 0,
  witnessMemoryRequirements: (o.memory ?? GiB) / 2,
  provingMemoryRequirements: o.memory ?? GiB,
  canSplitComputation: false,
  supportsFallbackMode: false,
  supportsPartialResults: false,
  supportsCachedResults: false
})

// Deterministic pseudo-random numbers in [0, 1).
export const uniform = (seed: number) => {
  let x = seed >>> 0
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0
    return x / 2 ** 32
  }
}

/**
 * `count` completions of the `sha256` family on groth16/full/4 cores, at
 * sizes spread over 2^10..2^20, costing `timeA · n^timeB` ms and
 * `memA · n^memB` bytes, with multiplicative noise of ±`noise`.
 */
export const completions = (o: {
  count: number
  timeA?: number
  timeB?: number
  memA?: number
  memB?: number
  noise?: number
  seed?: number
}): ReadonlyArray<Completion> => {
  const next = uniform(o.seed ?? 1)
  const noise = o.noise ?? 0.1
  return Array.from({ length: o.count }, () => {
    const circuitSize = Math.round(2 ** (10 + 10 * next()))
    return {
      circuitId: `sha256-${circuitSize}`,
      circuitFamily: "sha256",
      prover: "groth16",
      circuitSize,
      strategy: "full",
      cores: 4,
      duration: (o.timeA ?? 0.002) * circuitSize ** (o.timeB ?? 1.1) * (1 + noise * (2 * next() - 1)),
      peakMemory: (o.memA ?? 4000) * circuitSize ** (o.memB ?? 1.0) * (1 + noise * (2 * next() - 1))
    }
  })
}

/** A logger layer recording warning messages into `into`. */
export const capturingWarnings = (into: Array<string>): Layer.Layer<never> =>
  Logger.layer([
    Logger.make((options) => {
      if (options.logLevel === "Warn") into.push(String(Array.isArray(options.message) ? options.message.join(" ") : options.message))
    })
  ])

/** A predictor over `spec`, with its monitor, device and an in-memory store. */
export const predictorOn = (spec: SimulatedDevice.DeviceSpec, options?: PredictorConfigInput) =>
  ResourcePredictor.layerTest(spec, options)

/** The predictor service. */
export const predictor = ResourcePredictor.ResourcePredictor
