/**
 * The live Node probe on this machine: real readings, the shared probe
 * contract, and the monitor running over it in real time.
 */
import { assert, describe, it, layer } from "@effect/vitest"
import { ResourceMonitor, ResourceProbe } from "@provident/core"
import { ProbeContract } from "@provident/core/testing"
import { Effect, Layer } from "effect"
import * as os from "node:os"
import * as NodeProvident from "../src/NodeProvident.ts"
import * as NodeResourceProbe from "../src/NodeResourceProbe.ts"

// Real clock: the probe's timestamps are wall-clock time.
layer(NodeResourceProbe.layer(), { excludeTestServices: true })("ResourceProbe contract: live Node probe", (it) => {
  for (const check of ProbeContract.checks) {
    it.effect(check.name, () => check.run)
  }

  it.effect("returns sane values for this machine", () =>
    Effect.gen(function*() {
      const probe = yield* ResourceProbe.ResourceProbe
      const { device } = probe
      assert.strictEqual(device.platform, process.platform)
      assert.strictEqual(device.totalMemory, os.totalmem())
      assert.isAtLeast(device.logicalCores, 1)
      assert.isAtMost(device.effectiveCores, device.logicalCores)
      const snapshot = yield* probe.sample
      assert.isAbove(snapshot.memory.total, 0)
      assert.isAbove(snapshot.memory.used, 0)
      assert.isAbove(snapshot.memory.available, 0)
      assert.isTrue(snapshot.memory.usagePercent > 0 && snapshot.memory.usagePercent <= 100)
      assert.isTrue(snapshot.cpu.usagePercent >= 0 && snapshot.cpu.usagePercent <= 100)
      assert.isAtLeast(snapshot.cpu.cores, 1)
      assert.isAbove(snapshot.process?.rss ?? 0, 10 * 1024 ** 2, "this process uses some memory")
      if (snapshot.storage !== undefined) assert.isAbove(snapshot.storage.total, 0)
      assert.isTrue(Math.abs(snapshot.timestamp - Date.now()) < 60_000, "timestamps are wall-clock milliseconds")
    }))
})

describe("NodeProvident monitor on this machine", () => {
  it.live("samples, records history and computes a load", () =>
    Effect.gen(function*() {
      const monitor = yield* ResourceMonitor.ResourceMonitor
      const first = yield* monitor.latest
      yield* Effect.sleep("120 millis")
      const second = yield* monitor.sample
      assert.isFalse(first.stale)
      assert.isAbove(second.timestamp, first.timestamp)
      const history = yield* monitor.history
      assert.isAtLeast(history.length, 2)
      const load = yield* monitor.systemLoad
      assert.isTrue(load >= 0 && load <= 1)
      assert.strictEqual((yield* monitor.stats).failures, 0)
    }).pipe(Effect.provide(NodeProvident.layer({ monitor: { sampleInterval: 50 } }))))

  it.live("invalid monitor options fail the layer, naming the field", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        Effect.scoped(Layer.build(NodeProvident.layer({ monitor: { memoryThresholdPercent: 101 } })))
      )
      assert.strictEqual(error._tag, "InvalidInput")
      assert.strictEqual(error.field, "memoryThresholdPercent")
    }))
})
