/**
 * The contract every `ResourceProbe` satisfies, as named checks that any test
 * runner can execute: the Node probe, the browser probe and the simulated
 * devices all run the same list (`for (const c of checks) it.effect(c.name, …)`).
 * A broken rule fails with a `ContractViolation` that says which.
 *
 * @since 0.1.0
 */
import { Effect, Schema } from "effect"
import * as DeviceInfo from "./DeviceInfo.ts"
import { ResourceProbe } from "./ResourceProbe.ts"
import * as ResourceSnapshot from "./ResourceSnapshot.ts"

export class ContractViolation extends Schema.TaggedError<ContractViolation>()("ContractViolation", {
  message: Schema.String
}) {}

export interface Check {
  readonly name: string
  readonly run: Effect.Effect<void, unknown, ResourceProbe>
}

const expect = (condition: boolean, message: string) =>
  condition ? Effect.void : Effect.fail(new ContractViolation({ message }))

const readingNames = ["storage", "network", "battery", "process"] as const

export const checks: ReadonlyArray<Check> = [
  {
    name: "device info decodes and is consistent",
    run: Effect.gen(function*() {
      const { device } = yield* ResourceProbe
      yield* DeviceInfo.decode(device)
      yield* expect(device.totalMemory > 0, "totalMemory must be positive")
      yield* expect(device.effectiveCores <= device.logicalCores, "effectiveCores must not exceed logicalCores")
      if (device.memoryLimit !== undefined) {
        yield* expect(device.memoryLimit <= device.totalMemory, "memoryLimit must be below totalMemory (else omit it)")
      }
    })
  },
  {
    name: "a sample decodes, is fresh and stays within capacity",
    run: Effect.gen(function*() {
      const probe = yield* ResourceProbe
      const snapshot = yield* ResourceSnapshot.decode(yield* probe.sample)
      const capacity = ResourceSnapshot.memoryCapacity(snapshot)
      yield* expect(!snapshot.stale, "a probe never returns stale readings")
      yield* expect(snapshot.memory.total === probe.device.totalMemory, "memory.total must equal device.totalMemory")
      yield* expect(snapshot.memory.used <= capacity, "memory.used must not exceed the limit or total")
      yield* expect(snapshot.memory.available <= capacity, "memory.available must not exceed the limit or total")
      yield* expect(snapshot.memory.limit === probe.device.memoryLimit, "memory.limit must equal device.memoryLimit")
      yield* expect(snapshot.cpu.cores === probe.device.effectiveCores, "cpu.cores must equal device.effectiveCores")
    })
  },
  {
    name: "readings present are exactly those supported",
    run: Effect.gen(function*() {
      const probe = yield* ResourceProbe
      const snapshot = yield* probe.sample
      for (const name of readingNames) {
        if (snapshot[name] !== undefined) {
          yield* expect(probe.device.supports[name], `${name} is read but device.supports.${name} is false`)
        }
      }
      if (snapshot.cpu.loadAverage !== undefined) {
        yield* expect(probe.device.supports.loadAverage, "loadAverage is read but not supported")
      }
      if (!probe.device.supports.battery) yield* expect(snapshot.battery === undefined, "battery read but unsupported")
    })
  },
  {
    name: "successive samples do not go back in time",
    run: Effect.gen(function*() {
      const probe = yield* ResourceProbe
      const first = yield* probe.sample
      const second = yield* probe.sample
      yield* expect(second.timestamp >= first.timestamp, "timestamps must not decrease")
    })
  }
]
