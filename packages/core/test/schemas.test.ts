import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as ComputationProfile from "../src/ComputationProfile.ts"
import * as DeviceInfo from "../src/DeviceInfo.ts"
import * as MonitorConfig from "../src/MonitorConfig.ts"
import * as OperationProfile from "../src/OperationProfile.ts"
import type { InvalidInput } from "../src/ProvidentError.ts"
import * as ResourceRequirement from "../src/ResourceRequirement.ts"
import * as ResourceSnapshot from "../src/ResourceSnapshot.ts"
import * as SimulatedDevice from "../src/SimulatedDevice.ts"

const GiB = 1024 ** 3

// The spec's operation profile, verbatim apart from the enum.
const specOperation = {
  name: "generateProof",
  estimatedMemory: GiB,
  estimatedCpuUtilization: 0.6,
  estimatedDuration: 10000,
  priority: "high",
  canBePaused: true,
  requiredResources: [
    { type: "memory", minimumRequired: 512 * 1024 * 1024, recommended: GiB, units: "bytes", priority: "high" },
    { type: "cpu", minimumRequired: 2, recommended: 4, units: "cores", priority: "high" }
  ]
}

const specComputation = {
  circuitSize: 100000,
  expectedWitnessDuration: 2000,
  expectedProvingDuration: 8000,
  circuitMemoryRequirements: GiB,
  witnessMemoryRequirements: 2 * GiB,
  provingMemoryRequirements: 4 * GiB,
  canSplitComputation: true,
  supportsFallbackMode: true,
  supportsPartialResults: true,
  supportsCachedResults: false
}

const fails = <A>(decode: (u: unknown) => Effect.Effect<A, InvalidInput>, input: unknown) => Effect.flip(decode(input))

describe("decoding good input", () => {
  it.effect("the spec's operation profile decodes unchanged", () =>
    Effect.gen(function*() {
      const profile = yield* OperationProfile.decode(specOperation)
      assert.deepStrictEqual(profile, specOperation as unknown as OperationProfile.OperationProfile)
    }))

  it.effect("a minimal operation profile gets its defaults", () =>
    Effect.gen(function*() {
      const profile = yield* OperationProfile.decode({ name: "p", estimatedMemory: 1 })
      assert.deepStrictEqual(profile, {
        name: "p",
        estimatedMemory: 1,
        estimatedCpuUtilization: 1,
        estimatedDuration: 0,
        priority: "medium",
        canBePaused: false,
        requiredResources: []
      })
    }))

  it.effect("the spec's computation profile decodes; peak memory and duration follow from it", () =>
    Effect.gen(function*() {
      const profile = yield* ComputationProfile.decode(specComputation)
      assert.strictEqual(ComputationProfile.peakMemory(profile), 5 * GiB)
      assert.strictEqual(ComputationProfile.expectedDuration(profile), 10000)
    }))

  it.effect("the spec's monitor options decode and the rest default", () =>
    Effect.gen(function*() {
      const config = yield* MonitorConfig.decode({
        sampleInterval: 1000,
        enableBatteryMonitoring: true,
        enableNetworkMonitoring: true,
        thresholdNotifications: true,
        memoryThresholdPercent: 80,
        cpuThresholdPercent: 90
      })
      assert.deepStrictEqual(config, MonitorConfig.defaults)
    }))

  it.effect("simulated readings and presets decode", () =>
    Effect.gen(function*() {
      for (const spec of [SimulatedDevice.phone, SimulatedDevice.laptop, SimulatedDevice.container]) {
        yield* DeviceInfo.decode(spec.device)
        yield* ResourceSnapshot.decode(SimulatedDevice.readingAt(spec, spec.script, 0, 0, { memory: 0, cores: 0 }))
      }
    }))
})

describe("decoding bad input names the field and the rule", () => {
  const cases: ReadonlyArray<{
    readonly title: string
    readonly decode: (u: unknown) => Effect.Effect<unknown, InvalidInput>
    readonly input: unknown
    readonly field: string
    readonly rule: RegExp
  }> = [
    { title: "config: interval below 10 ms", decode: MonitorConfig.decode, input: { sampleInterval: 5 }, field: "sampleInterval", rule: /at least 10 ms/ },
    { title: "config: interval not a number", decode: MonitorConfig.decode, input: { sampleInterval: "1s" }, field: "sampleInterval", rule: /number/ },
    { title: "config: threshold above 100", decode: MonitorConfig.decode, input: { memoryThresholdPercent: 120 }, field: "memoryThresholdPercent", rule: /100/ },
    { title: "config: history size fractional", decode: MonitorConfig.decode, input: { historySize: 2.5 }, field: "historySize", rule: /integer/ },
    { title: "config: flag not boolean", decode: MonitorConfig.decode, input: { enableBatteryMonitoring: "yes" }, field: "enableBatteryMonitoring", rule: /boolean/ },
    { title: "config: threshold within the margin", decode: MonitorConfig.decode, input: { cpuThresholdPercent: 4 }, field: "cpuThresholdPercent", rule: /hysteresisPercent/ },
    { title: "config: not an object", decode: MonitorConfig.decode, input: 42, field: "", rule: /object/ },
    { title: "operation: missing name", decode: OperationProfile.decode, input: { estimatedMemory: 1 }, field: "name", rule: /Missing key/ },
    { title: "operation: empty name", decode: OperationProfile.decode, input: { name: "", estimatedMemory: 1 }, field: "name", rule: /length/ },
    { title: "operation: negative memory", decode: OperationProfile.decode, input: { name: "p", estimatedMemory: -1 }, field: "estimatedMemory", rule: /greater than or equal to 0/ },
    { title: "operation: cpu utilisation above 1", decode: OperationProfile.decode, input: { name: "p", estimatedMemory: 1, estimatedCpuUtilization: 60 }, field: "estimatedCpuUtilization", rule: /between 0 and 1/ },
    { title: "operation: unknown priority", decode: OperationProfile.decode, input: { name: "p", estimatedMemory: 1, priority: "urgent" }, field: "priority", rule: /"critical"/ },
    { title: "operation: recommended below minimum", decode: OperationProfile.decode, input: { ...specOperation, requiredResources: [{ type: "cpu", minimumRequired: 4, recommended: 2, units: "cores" }] }, field: "requiredResources[0].recommended", rule: /at least minimumRequired/ },
    { title: "operation: memory measured in cores", decode: OperationProfile.decode, input: { ...specOperation, requiredResources: [{ type: "memory", minimumRequired: 1, recommended: 2, units: "cores" }] }, field: "requiredResources[0].units", rule: /memory is measured in bytes/ },
    { title: "operation: a resource listed twice", decode: OperationProfile.decode, input: { ...specOperation, requiredResources: [specOperation.requiredResources[1], specOperation.requiredResources[1]] }, field: "requiredResources[1].type", rule: /listed twice/ },
    { title: "operation: NaN duration", decode: OperationProfile.decode, input: { name: "p", estimatedMemory: 1, estimatedDuration: Number.NaN }, field: "estimatedDuration", rule: /finite/ },
    { title: "requirement: unknown type", decode: ResourceRequirement.decode, input: { type: "gpu", minimumRequired: 1, recommended: 1, units: "bytes" }, field: "type", rule: /"memory"/ },
    { title: "requirement: percent above 100", decode: ResourceRequirement.decode, input: { type: "cpu", minimumRequired: 50, recommended: 150, units: "percent" }, field: "recommended", rule: /at most 100/ },
    { title: "computation: zero circuit size", decode: ComputationProfile.decode, input: { ...specComputation, circuitSize: 0 }, field: "circuitSize", rule: /greater than or equal to 1/ },
    { title: "computation: missing capability flag", decode: ComputationProfile.decode, input: { ...specComputation, supportsCachedResults: undefined }, field: "supportsCachedResults", rule: /boolean/ },
    { title: "snapshot: usage above 100%", decode: ResourceSnapshot.decode, input: { ...SimulatedDevice.readingAt(SimulatedDevice.laptop, SimulatedDevice.laptop.script, 0, 0, { memory: 0, cores: 0 }), cpu: { cores: 8, usagePercent: 140 } }, field: "cpu.usagePercent", rule: /between 0 and 100/ },
    { title: "device: zero cores", decode: DeviceInfo.decode, input: { ...SimulatedDevice.laptop.device, logicalCores: 0 }, field: "logicalCores", rule: /greater than or equal to 1/ }
  ]

  for (const c of cases) {
    it.effect(c.title, () =>
      Effect.gen(function*() {
        const error = yield* fails(c.decode, c.input)
        assert.strictEqual(error._tag, "InvalidInput")
        assert.strictEqual(error.field, c.field)
        assert.match(error.issues[0]!.message, c.rule)
        assert.include(error.message, c.field)
      }))
  }

  it.effect("every failing field is reported, not only the first", () =>
    Effect.gen(function*() {
      const error = yield* fails(OperationProfile.decode, { name: "", estimatedMemory: -5, priority: "x" })
      assert.deepStrictEqual(error.issues.map((i) => i.path), ["name", "estimatedMemory", "priority"])
    }))

  it.effect("messages never echo the rejected value", () =>
    Effect.gen(function*() {
      const error = yield* fails(OperationProfile.decode, { name: "secret-witness-7331", estimatedMemory: "secret-witness-7331" })
      assert.notInclude(error.message, "secret-witness-7331")
    }))
})
