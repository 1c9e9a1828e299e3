import { Effect, Layer } from "effect"
import * as AdaptiveExecutor from "../src/AdaptiveExecutor.ts"
import * as CheckpointStore from "../src/CheckpointStore.ts"
import type { ComputationProfile } from "../src/ComputationProfile.ts"
import type { CircuitArtifacts } from "../src/Prover.ts"
import type { ExecutorConfigInput } from "../src/ExecutorConfig.ts"
import * as RemoteProver from "../src/RemoteProver.ts"
import * as ResourceAllocator from "../src/ResourceAllocator.ts"
import * as ResourceMonitor from "../src/ResourceMonitor.ts"
import * as ResultCache from "../src/ResultCache.ts"
import type { DeviceSpec } from "../src/SimulatedDevice.ts"
import { GiB, testbox } from "./allocatorFixtures.ts"

/** A proof-like profile: 1 GiB circuit, 1 GiB witness, 2 GiB proving (peak 3 GiB), every capability on. */
export const proofProfile = (patch: Partial<ComputationProfile> = {}): ComputationProfile => ({
  circuitSize: 1000,
  expectedWitnessDuration: 2000,
  expectedProvingDuration: 8000,
  circuitMemoryRequirements: GiB,
  witnessMemoryRequirements: GiB,
  provingMemoryRequirements: 2 * GiB,
  canSplitComputation: true,
  supportsFallbackMode: true,
  supportsPartialResults: true,
  supportsCachedResults: true,
  ...patch
})

/** A remote prover that answers with a fixed proof and counts calls. */
export const countingRemote = () => {
  let calls = 0
  const service: RemoteProver.Service = {
    prove: () =>
      Effect.sync(() => {
        calls++
        return { proof: { protocol: "groth16" as const, proof: { remote: true }, publicSignals: ["1"] }, endpoint: "http://127.0.0.1:1", statement: { checked: true as const } }
      })
  }
  return { service, calls: () => calls }
}

export const executorOn = (options: {
  readonly spec?: DeviceSpec
  readonly config?: ExecutorConfigInput
  readonly remote?: RemoteProver.Service
  readonly cache?: boolean
} = {}) => {
  const base = ResourceAllocator.layer({ strategy: "aggressive", maxMemoryPercentage: 80 }).pipe(
    Layer.provideMerge(ResourceMonitor.layerTest(options.spec ?? testbox))
  )
  const extras = Layer.mergeAll(
    CheckpointStore.layerMemory,
    options.cache === false ? Layer.empty : ResultCache.layerMemory(),
    options.remote === undefined ? Layer.empty : RemoteProver.layer(options.remote)
  )
  return AdaptiveExecutor.layer({ retryDelay: 1000, ...options.config }).pipe(Layer.provideMerge(Layer.merge(base, extras)))
}

/** A circuit whose files are nowhere: for provers that are scripted, not real. */
export const circuit: CircuitArtifacts = {
  id: "square-1000",
  family: "square",
  constraints: 1000,
  hash: "abc",
  wasm: "/nowhere/square.wasm",
  keys: { groth16: { zkey: "/nowhere/g.zkey", vkey: "/nowhere/g.vkey.json" } },
  insecureSetup: true
}
