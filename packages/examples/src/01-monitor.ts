/** Watch this machine: the README's example of composing Provident's Node layers. */
import { NodeRuntime } from "@effect/platform-node"
import { ResourceMonitor } from "@provident/core"
import { NodeProvident } from "@provident/node"
import { Console, Effect, Stream } from "effect"

const program = Effect.gen(function*() {
  const monitor = yield* ResourceMonitor.ResourceMonitor
  const now = yield* monitor.latest
  yield* Console.log(`${monitor.device.deviceClass}: memory ${now.memory.usagePercent.toFixed(1)}%, load ${(yield* monitor.systemLoad).toFixed(2)}`)
  yield* monitor.events.pipe(Stream.runForEach((e) => Console.log(`${e.resource} ${e.kind} at ${e.value.toFixed(1)}%`)), Effect.forkScoped)
  yield* monitor.changes.pipe(Stream.take(3), Stream.runForEach((s) => Console.log(`cpu ${s.cpu.usagePercent.toFixed(1)}%, pressure ${s.pressure.state}`)))
})

program.pipe(Effect.scoped, Effect.provide(NodeProvident.layer({ monitor: { sampleInterval: 500, memoryThresholdPercent: 75 } })), NodeRuntime.runMain)
