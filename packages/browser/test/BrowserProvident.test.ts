/**
 * Everything together in real Chromium: the executor proves the smallest
 * example circuit through the allocator, with the browser probe, the Web
 * Worker prover and the IndexedDB stores; a second proof cancelled midway
 * leaves no worker and no grant behind; results come back from the cache;
 * spans reach an OpenTelemetry exporter without any input value, and
 * metrics (monitor gauges, allocator and executor counters) a metric reader.
 */
import { assert, layer } from "@effect/vitest"
import { AdaptiveExecutor, ProofComputation, Prover, ResourceAllocator } from "@provident/core"
import {
  AggregationTemporality,
  type DataPoint,
  DataPointType,
  InMemoryMetricExporter,
  PeriodicExportingMetricReader,
  type ResourceMetrics
} from "@opentelemetry/sdk-metrics"
import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base"
import { Effect, Fiber, Layer, Schedule, Stream } from "effect"
import { commands } from "vitest/browser"
import * as Resource from "@effect/opentelemetry/Resource"
import * as BrowserProvident from "../src/BrowserProvident.ts"
import * as BrowserTelemetry from "../src/BrowserTelemetry.ts"
import * as BrowserSnarkjsProver from "../src/BrowserSnarkjsProver.ts"
import { loadCircuit, squares } from "./fixtures.ts"

const exporter = new InMemorySpanExporter()
const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE)
// Pushes only when flushed: the test decides when a collection happens.
const metricReader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 600_000 })
const databaseName = `provident-test-${crypto.randomUUID()}`

const TestLayer = Layer.mergeAll(
  BrowserProvident.layer({ storage: { databaseName }, monitor: { sampleInterval: 250 } }),
  BrowserSnarkjsProver.layer(),
  BrowserProvident.layerTelemetry({ spanProcessors: [new SimpleSpanProcessor(exporter)], metricReaders: [metricReader] })
)

/** The data points of the metric `name` in one collection, with the metric's point type. */
const metric = (collected: ResourceMetrics, name: string) => {
  const found = collected.scopeMetrics.flatMap((s) => s.metrics).filter((m) => m.descriptor.name === name)
  return {
    types: found.map((m) => m.dataPointType),
    points: found.flatMap((m) => m.dataPoints as ReadonlyArray<DataPoint<unknown>>)
  }
}

/**
 * As `critical`: the test run keeps both cores busy, headless Chromium then
 * often reports critical CPU pressure, and under it the allocator starts
 * only critical work (by design).
 */
const execute = (id: string, circuit: Prover.CircuitArtifacts, x: number, cacheKey?: string) =>
  Effect.flatMap(AdaptiveExecutor.AdaptiveExecutor, (executor) =>
    executor.execute(id, ProofComputation.computation(circuit, "groth16", { x }), ProofComputation.defaultProfile(circuit), "critical", {
      circuit: { circuitId: circuit.id, circuitFamily: circuit.family, prover: "groth16" },
      fatal: ProofComputation.isFatal,
      ...(cacheKey === undefined ? {} : { cacheKey })
    }))

layer(TestLayer, { excludeTestServices: true })("BrowserProvident", (it) => {
  it.effect("the executor proves square-1000 in a Web Worker under a grant; the proof is verified", () =>
    Effect.gen(function*() {
      const circuit = yield* loadCircuit("square-1000")
      const result = yield* execute("proof-1", circuit, 3)
      assert.isTrue(result.success, JSON.stringify(result.attempts))
      assert.strictEqual(result.strategy, "FULL_COMPUTATION")
      assert.deepStrictEqual(result.result?.proof.publicSignals, [squares(3n, 1000)])
      assert.isTrue(yield* Prover.Prover.use((p) => p.verify(circuit, result.result!.proof)))
      assert.isAtLeast(result.resourcesUsed.cores, 1)
    }), 60_000)

  it.effect("a second proof cancelled midway: its worker is gone and its grant is back", () =>
    Effect.gen(function*() {
      const executor = yield* AdaptiveExecutor.AdaptiveExecutor
      const allocator = yield* ResourceAllocator.ResourceAllocator
      const prover = yield* BrowserSnarkjsProver.BrowserSnarkjsProver
      const circuit = yield* loadCircuit("square-4000")
      const fiber = yield* Effect.forkChild(execute("proof-2", circuit, 5))
      yield* executor.progressChanges("proof-2").pipe(Stream.takeUntil((p) => p.phase === "proving" && p.percent >= 30), Stream.runDrain)
      const busy = (yield* prover.workers).filter((w) => w.busy)
      assert.deepStrictEqual(busy.map((w) => w.job?.phase), ["proving"])
      assert.isAbove((yield* allocator.budget).granted.memory, 0, "the proof holds a grant")

      yield* Fiber.interrupt(fiber)

      assert.isFalse((yield* prover.workers).some((w) => w.busy), "no worker is busy")
      const granted = (yield* allocator.budget).granted
      assert.deepStrictEqual([granted.memory, granted.cores], [0, 0], "the grant is back")
      const urls = yield* Effect.promise(() => commands.liveWorkers()).pipe(
        // Chromium reports terminations asynchronously: wait until the proof's worker and its sub-workers are gone.
        Effect.repeat({ schedule: Schedule.spaced("50 millis"), until: (urls) => urls.length <= 1 }),
        Effect.timeout("3 seconds")
      )
      assert.isFalse(urls.some((url) => url.startsWith("blob:")), "snarkjs's sub-workers are gone")
      assert.isAtMost(urls.length, 1, "Chromium reports only the warm worker, idle")
    }), 60_000)

  it.effect("a result made before comes from the result cache in IndexedDB", () =>
    Effect.gen(function*() {
      const circuit = yield* loadCircuit("square-1000")
      const first = yield* execute("proof-3", circuit, 7, "square-1000:x=7")
      const second = yield* execute("proof-4", circuit, 7, "square-1000:x=7")
      assert.strictEqual(first.strategy, "FULL_COMPUTATION")
      assert.strictEqual(second.strategy, "CACHED_COMPUTATION")
      assert.deepStrictEqual(second.result?.proof, first.result?.proof)
    }), 60_000)

  it.effect("spans reach the exporter, with circuit names and no input values", () =>
    Effect.gen(function*() {
      const circuit = yield* loadCircuit("square-1000")
      yield* Prover.Prover.use((p) => p.computeWitness(circuit, { x: 4242424242 }, { cores: 1 }))
      const spans = exporter.getFinishedSpans()
      const witness = spans.find((s) => s.name === "BrowserSnarkjsProver.computeWitness")
      assert.strictEqual(witness?.attributes["provident.circuit"], "square-1000")
      assert.isTrue(spans.some((s) => s.name === "BrowserSnarkjsProver.prove"))
      const everything = JSON.stringify(spans.map((s) => [s.name, s.attributes, s.events]))
      assert.notInclude(everything, "4242424242")
    }), 60_000)

  it.effect("metrics reach the metric reader: monitor gauges, allocator admissions, executions by strategy and outcome", () =>
    Effect.gen(function*() {
      const circuit = yield* loadCircuit("square-1000")
      const result = yield* execute("proof-5", circuit, 11)
      assert.isTrue(result.success, JSON.stringify(result.attempts))
      yield* Effect.promise(() => metricReader.forceFlush())
      const collected = metricExporter.getMetrics().at(-1)
      assert.isDefined(collected, "a collection was exported")
      assert.strictEqual(collected!.resource.attributes["service.name"], "provident-browser")

      // The browser probe's readings, as gauges.
      const usage = metric(collected!, "provident_memory_usage_percent")
      assert.deepStrictEqual(usage.types, [DataPointType.GAUGE])
      const percent = usage.points[0]!.value as number
      assert.isTrue(percent >= 0 && percent <= 100, `memory usage ${percent}%`)
      const load = metric(collected!, "provident_system_load")
      assert.deepStrictEqual(load.types, [DataPointType.GAUGE])
      const loadValue = load.points[0]!.value as number
      assert.isTrue(loadValue >= 0 && loadValue <= 1, `system load ${loadValue}`)
      assert.isAtLeast(metric(collected!, "provident_monitor_samples_total").points[0]!.value as number, 1)

      // The allocator admitted the proofs at critical priority and holds nothing now.
      const admissions = metric(collected!, "provident_allocator_admissions_total")
      assert.deepStrictEqual(admissions.types, [DataPointType.SUM])
      assert.isAtLeast(admissions.points.find((p) => p.attributes.priority === "critical")?.value as number, 1)
      assert.strictEqual(metric(collected!, "provident_allocator_running").points[0]?.value, 0)

      // The executor: executions and attempts by strategy and outcome.
      const executions = metric(collected!, "provident_executor_executions_total")
      assert.deepStrictEqual(executions.types, [DataPointType.SUM])
      const full = executions.points.find((p) => p.attributes.strategy === "FULL_COMPUTATION" && p.attributes.outcome === "succeeded")
      assert.isAtLeast(full?.value as number, 1)
      const attempts = metric(collected!, "provident_executor_attempts_total").points
      assert.isTrue(attempts.some((p) => p.attributes.strategy === "FULL_COMPUTATION" && p.attributes.outcome === "succeeded"))
    }), 60_000)

  it.effect("telemetry is an empty layer unless something would receive the spans or metrics", () =>
    Effect.sync(() => {
      assert.strictEqual(BrowserTelemetry.layer(), Resource.layerEmpty)
      assert.notStrictEqual(BrowserTelemetry.layer({ console: true }), Resource.layerEmpty)
      assert.notStrictEqual(BrowserTelemetry.layer({ otlpEndpoint: "http://127.0.0.1:4318" }), Resource.layerEmpty)
      const reader = new PeriodicExportingMetricReader({ exporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE) })
      assert.notStrictEqual(BrowserTelemetry.layer({ metricReaders: [reader] }), Resource.layerEmpty)
    }))
})
