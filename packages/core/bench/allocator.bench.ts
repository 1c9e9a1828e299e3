/**
 * What admission costs. Side by side in one run:
 * (a) uncontended allocate → release cycles, against `Semaphore.withPermits`;
 * (b) 10,000 queued operations dispatched at a fixed concurrency, against
 *     p-queue with the same concurrency.
 *
 * Targets: (a) ≤ 3× the raw Semaphore cost per cycle; (b) no slower than p-queue.
 * Environment: BENCH_CYCLES (default 20000), BENCH_QUEUED (default 10000).
 */
import { Effect, Layer, Semaphore } from "effect"
import PQueue from "p-queue"
import * as DeviceScript from "../src/DeviceScript.ts"
import * as OperationProfile from "../src/OperationProfile.ts"
import * as ResourceAllocator from "../src/ResourceAllocator.ts"
import * as ResourceMonitor from "../src/ResourceMonitor.ts"
import type { DeviceSpec } from "../src/SimulatedDevice.ts"

const cycles = Number(process.env.BENCH_CYCLES ?? 20_000)
const queued = Number(process.env.BENCH_QUEUED ?? 10_000)
const concurrency = 4
const GiB = 1024 ** 3

const device: DeviceSpec = {
  device: {
    platform: "linux",
    deviceClass: "server",
    totalMemory: 64 * GiB,
    logicalCores: concurrency,
    effectiveCores: concurrency,
    supports: { memory: true, cpu: true, loadAverage: false, storage: false, network: false, battery: false, pressure: true, process: false }
  },
  script: { memoryUsed: DeviceScript.constant(0), cpuUsage: DeviceScript.constant(0) }
}
const Allocator = ResourceAllocator.layer({ strategy: "aggressive", queueCapacity: queued + 10 }).pipe(
  Layer.provide(ResourceMonitor.layerTest(device, { sampleInterval: 3_600_000 }))
)
// Decoded once, as a caller looping over the same profile would: decoded profiles pass through unchecked.
const profile = Effect.runSync(OperationProfile.decode({ name: "cycle", estimatedMemory: 1024 ** 2 }))

const timed = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const start = performance.now()
    yield* effect
    return performance.now() - start
  })

const uncontended = Effect.gen(function*() {
  const allocator = yield* ResourceAllocator.ResourceAllocator
  const semaphore = yield* Semaphore.make(1)
  const allocatorCycle = Effect.scoped(allocator.allocate(profile))
  const semaphoreCycle = semaphore.withPermits(1)(Effect.void)
  const loop = (cycle: Effect.Effect<unknown, unknown>) => Effect.gen(function*() {
    for (let i = 0; i < cycles; i++) yield* cycle
  })
  yield* loop(allocatorCycle) // warm up both
  yield* loop(semaphoreCycle)
  const allocatorMs = yield* timed(loop(allocatorCycle))
  const semaphoreMs = yield* timed(loop(semaphoreCycle))
  return { allocatorUs: (allocatorMs * 1000) / cycles, semaphoreUs: (semaphoreMs * 1000) / cycles }
})

const dispatchEffect = Effect.gen(function*() {
  const allocator = yield* ResourceAllocator.ResourceAllocator
  const run = (round: number) =>
    Effect.forEach(
      Array.from({ length: queued }, (_, i) => i),
      (i) => allocator.run({ name: `op-${round}-${i}`, estimatedMemory: 1024 ** 2 }, () => Effect.void),
      { concurrency: "unbounded", discard: true }
    )
  yield* run(0) // warm up
  return ((yield* timed(run(1))) * 1000) / queued
})

const dispatchPQueue = async () => {
  const once = async () => {
    const queue = new PQueue({ concurrency })
    const start = performance.now()
    await Promise.all(Array.from({ length: queued }, () => queue.add(async () => {})))
    return ((performance.now() - start) * 1000) / queued
  }
  await once() // warm up
  return once()
}

const main = async () => {
  const result = await Effect.runPromise(
    Effect.gen(function*() {
      const a = yield* uncontended
      const b = yield* dispatchEffect
      return { ...a, dispatchUs: b }
    }).pipe(Effect.provide(Allocator))
  )
  const pqueueUs = await dispatchPQueue()
  const uncontendedRatio = result.allocatorUs / result.semaphoreUs
  const queuedRatio = result.dispatchUs / pqueueUs
  console.log(`(a) allocate→release: ${result.allocatorUs.toFixed(2)} µs/cycle vs Semaphore.withPermits ${result.semaphoreUs.toFixed(2)} µs: ${uncontendedRatio.toFixed(2)}× (target ≤ 3×)`)
  console.log(`(b) ${queued} queued at concurrency ${concurrency}: ${result.dispatchUs.toFixed(2)} µs/op vs p-queue ${pqueueUs.toFixed(2)} µs/op: ${queuedRatio.toFixed(2)}× (target ≤ 1×)`)
  console.log(JSON.stringify({
    bench: "allocator",
    uncontendedRatioVsSemaphore: Number(uncontendedRatio.toFixed(3)),
    queuedRatioVsPQueue: Number(queuedRatio.toFixed(3))
  }))
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
