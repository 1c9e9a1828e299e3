/**
 * One adaptive proof through the OpenTelemetry SDK: its span tree in an
 * in-memory exporter (names, parents, key attributes, no private input
 * anywhere in it); its metrics (monitor gauges, allocator and executor
 * counters) in an in-memory metric reader; and both signals over real
 * OTLP/HTTP to a loopback collector, flushed when the layer closes.
 */
import { assert, describe, it } from "@effect/vitest"
import { AdaptiveExecutor, ProofComputation } from "@provident/core"
import { Prover } from "@provident/core/Prover"
import {
  AggregationTemporality,
  type DataPoint,
  DataPointType,
  InMemoryMetricExporter,
  PeriodicExportingMetricReader,
  type ResourceMetrics
} from "@opentelemetry/sdk-metrics"
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base"
import * as NodeSdk from "@effect/opentelemetry/NodeSdk"
import { Effect, Exit, Layer, Scope } from "effect"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import * as NodeSnarkjsProver from "../src/NodeSnarkjsProver.ts"
import * as NodeTelemetry from "../src/NodeTelemetry.ts"
import { circuit, scriptedProver, square1000, stack } from "./serverFixtures.ts"

const SECRET = "31337000"

/** One adaptive proof of `circuit` at `high` priority, with the private input `SECRET`. */
const proveOnce = (id: string) =>
  Effect.gen(function*() {
    const prover = yield* scriptedProver
    const executor = yield* AdaptiveExecutor.AdaptiveExecutor
    return yield* executor.execute(id, ProofComputation.computation(circuit, "groth16", { x: SECRET }),
      ProofComputation.defaultProfile(circuit), "high", { circuit: { circuitId: circuit.id, circuitFamily: "square" } }).pipe(
        Effect.provideService(Prover, prover.service)
      )
  })

/** The data points of the metric `name` in one collection, with the metric's point type. */
const metric = (collected: ResourceMetrics, name: string) => {
  const found = collected.scopeMetrics.flatMap((s) => s.metrics).filter((m) => m.descriptor.name === name)
  return {
    types: found.map((m) => m.dataPointType),
    points: found.flatMap((m) => m.dataPoints as ReadonlyArray<DataPoint<unknown>>)
  }
}

interface Collector {
  readonly url: string
  /** Path and raw body of every POST, in arrival order. */
  readonly received: Array<{ readonly path: string; readonly body: Buffer }>
  readonly server: http.Server
}

/** A loopback OTLP/HTTP "collector" on 127.0.0.1:0: records every POST and answers 200; closed with the scope. */
const collector = Effect.acquireRelease(
  Effect.callback<Collector>((resume) => {
    const received: Collector["received"] = []
    const server = http.createServer((req, res) => {
      const chunks: Array<Buffer> = []
      req.on("data", (chunk: Buffer) => chunks.push(chunk))
      req.on("end", () => {
        received.push({ path: req.url ?? "", body: Buffer.concat(chunks) })
        res.writeHead(200, { "content-type": "application/json" }).end("{}")
      })
    })
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo
      resume(Effect.succeed({ url: `http://127.0.0.1:${port}`, received, server }))
    })
  }),
  ({ server }) =>
    Effect.callback<void>((resume) => {
      server.closeAllConnections()
      server.close(() => resume(Effect.void))
    })
)

describe("NodeTelemetry", { timeout: 30_000 }, () => {
  it.live("one adaptive proof reads as a story: execute → attempt → allocate → witness, proving", () => {
    const exporter = new InMemorySpanExporter()
    return Effect.gen(function*() {
      const result = yield* proveOnce("traced-proof")
      assert.isTrue(result.success)
      const spans = exporter.getFinishedSpans()
      const byName = (name: string) => spans.filter((s) => s.name === name)
      const parentOf = (span: ReadableSpan) => spans.find((s) => s.spanContext().spanId === span.parentSpanContext?.spanId)
      const [execute] = byName("AdaptiveExecutor.execute")
      assert.isDefined(execute)
      assert.strictEqual(execute!.attributes["provident.execution"], "traced-proof")
      const attempts = byName("AdaptiveExecutor.attempt")
      assert.isAbove(attempts.length, 0)
      for (const a of attempts) assert.strictEqual(parentOf(a)?.name, "AdaptiveExecutor.execute")
      const succeeded = attempts.find((a) => a.attributes["provident.outcome"] === "succeeded")!
      assert.strictEqual(succeeded.attributes["provident.strategy"], "FULL_COMPUTATION")
      const run = byName("ResourceAllocator.run").find((r) => parentOf(r) === succeeded)
      assert.isDefined(run, "the allocation is a child of the attempt")
      assert.strictEqual(run!.attributes["provident.decision"], "admitted")
      assert.isNumber(run!.attributes["provident.waited_ms"])
      assert.strictEqual(run!.attributes["provident.priority"], "high")
      const phases = byName("AdaptiveExecutor.phase")
      assert.deepStrictEqual(phases.map((p) => p.attributes["provident.phase"]), ["witness", "proving"])
      for (const p of phases) assert.strictEqual(parentOf(p)?.name, "ResourceAllocator.run", "phases run under the grant")
      // Nothing anywhere carries the private input.
      for (const span of spans) {
        assert.notInclude(JSON.stringify(span.attributes), SECRET, span.name)
        assert.notInclude(JSON.stringify(span.events), SECRET, span.name)
      }
    }).pipe(
      Effect.provide(Layer.fresh(stack())),
      Effect.provide(NodeTelemetry.layer({ spanProcessors: [new SimpleSpanProcessor(exporter)] }))
    )
  })

  it.live("with the real prover, witness and proving run in its spans under their phases, then verification", () => {
    const exporter = new InMemorySpanExporter()
    return Effect.gen(function*() {
      const real = yield* square1000
      const executor = yield* AdaptiveExecutor.AdaptiveExecutor
      const result = yield* executor.execute("real-proof", ProofComputation.computation(real, "groth16", { x: SECRET }),
        ProofComputation.defaultProfile(real), "high", { circuit: { circuitId: real.id, circuitFamily: "square" } })
      assert.isTrue(result.success, JSON.stringify(result.attempts))
      const spans = exporter.getFinishedSpans()
      const parentOf = (span: ReadableSpan) => spans.find((s) => s.spanContext().spanId === span.parentSpanContext?.spanId)
      const phase = (name: string) => spans.find((s) => s.name === "AdaptiveExecutor.phase" && s.attributes["provident.phase"] === name)
      const witness = spans.find((s) => s.name === "NodeSnarkjsProver.computeWitness")
      const prove = spans.find((s) => s.name === "NodeSnarkjsProver.prove")
      assert.strictEqual(parentOf(witness!), phase("witness"), "the witness is computed under the witness phase")
      assert.strictEqual(parentOf(prove!), phase("proving"), "the proof is made under the proving phase")
      assert.strictEqual(prove!.attributes["provident.circuit"], "square-1000")
      assert.isAtLeast(prove!.attributes["provident.threads"] as number, 1)
      const verify = spans.find((s) => s.name === "NodeSnarkjsProver.verify")
      assert.isDefined(verify, "every proof is verified")
      const ancestors: Array<string> = []
      for (let at = parentOf(verify!); at !== undefined; at = parentOf(at)) ancestors.push(at.name)
      assert.include(ancestors, "AdaptiveExecutor.attempt", "verification is part of the attempt")
      for (const span of spans) assert.notInclude(JSON.stringify(span.attributes), SECRET, span.name)
    }).pipe(
      Effect.provide(Layer.fresh(stack()).pipe(Layer.provideMerge(NodeSnarkjsProver.layer({ warm: 1 })))),
      Effect.provide(NodeTelemetry.layer({ spanProcessors: [new SimpleSpanProcessor(exporter)] }))
    )
  }, 60_000)

  it.live("metrics reach a metric reader: monitor gauges, allocator admissions by priority, executions by strategy and outcome", () => {
    const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE)
    // Pushes only when flushed: the test decides when a collection happens.
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 })
    return Effect.gen(function*() {
      const result = yield* proveOnce("measured-proof")
      assert.isTrue(result.success)
      yield* Effect.promise(() => reader.forceFlush())
      const collected = exporter.getMetrics().at(-1)
      assert.isDefined(collected, "a collection was exported")
      assert.strictEqual(collected!.resource.attributes["service.name"], "provident")

      // The monitor's readings, as gauges.
      const usage = metric(collected!, "provident_memory_usage_percent")
      assert.deepStrictEqual(usage.types, [DataPointType.GAUGE])
      const percent = usage.points[0]!.value as number
      assert.isTrue(percent > 0 && percent <= 100, `memory usage ${percent}%`)
      const load = metric(collected!, "provident_system_load")
      assert.deepStrictEqual(load.types, [DataPointType.GAUGE])
      const loadValue = load.points[0]!.value as number
      assert.isTrue(loadValue >= 0 && loadValue <= 1, `system load ${loadValue}`)
      assert.isAbove(metric(collected!, "provident_memory_used_bytes").points[0]!.value as number, 0)
      assert.isAtLeast(metric(collected!, "provident_monitor_samples_total").points[0]!.value as number, 1)

      // The allocator: admissions counted by priority; nothing held once the proof is done.
      const admissions = metric(collected!, "provident_allocator_admissions_total")
      assert.deepStrictEqual(admissions.types, [DataPointType.SUM])
      const high = admissions.points.find((p) => p.attributes.priority === "high")
      assert.isAtLeast(high?.value as number, 1, "the proof was admitted at high priority")
      assert.strictEqual(metric(collected!, "provident_allocator_running").points[0]?.value, 0)
      assert.strictEqual(metric(collected!, "provident_allocator_granted_memory_bytes").points[0]?.value, 0)

      // The executor: executions and attempts by strategy and outcome, attempt durations by strategy.
      const executions = metric(collected!, "provident_executor_executions_total")
      assert.deepStrictEqual(executions.types, [DataPointType.SUM])
      const succeeded = executions.points.find((p) =>
        p.attributes.strategy === "FULL_COMPUTATION" && p.attributes.outcome === "succeeded"
      )
      assert.isAtLeast(succeeded?.value as number, 1)
      const attempts = metric(collected!, "provident_executor_attempts_total").points
      assert.isTrue(attempts.some((p) => p.attributes.strategy === "FULL_COMPUTATION" && p.attributes.outcome === "succeeded"))
      const durations = metric(collected!, "provident_executor_strategy_duration_ms")
      assert.deepStrictEqual(durations.types, [DataPointType.HISTOGRAM])
      const full = durations.points.find((p) => p.attributes.strategy === "FULL_COMPUTATION")
      assert.isAtLeast((full?.value as { readonly count: number } | undefined)?.count ?? 0, 1)
    }).pipe(
      Effect.provide(Layer.fresh(stack())),
      Effect.provide(NodeTelemetry.layer({ metricReaders: [reader] }))
    )
  })

  it.live("over OTLP/HTTP: traces and metrics reach the collector, flushed when the layer closes, without the input", () =>
    Effect.gen(function*() {
      const { received, url } = yield* collector
      // The layer in a scope of its own, closed by the test: closing it flushes spans and a last metric export.
      const telemetry = yield* Scope.make()
      const context = yield* Layer.buildWithScope(NodeTelemetry.layer({ otlpEndpoint: `${url}/`, metricIntervalMs: 500 }), telemetry)
      const result = yield* proveOnce("exported-proof").pipe(Effect.provide(Layer.fresh(stack())), Effect.provideContext(context))
      assert.isTrue(result.success)
      yield* Scope.close(telemetry, Exit.void)

      const traces = received.filter((r) => r.path === "/v1/traces")
      const metrics = received.filter((r) => r.path === "/v1/metrics")
      assert.isAbove(traces.length, 0, "traces were posted")
      assert.isAbove(metrics.length, 0, "metrics were posted")
      for (const r of [...traces, ...metrics]) assert.isAbove(r.body.length, 0, r.path)
      const traceBodies = Buffer.concat(traces.map((r) => r.body))
      assert.isAbove(traceBodies.indexOf("AdaptiveExecutor.execute"), -1, "the execute span was exported")
      assert.isAbove(Buffer.concat(metrics.map((r) => r.body)).indexOf("provident_executor_executions_total"), -1)
      // Searched in the raw bytes, so this holds whether the exporter sent JSON or protobuf.
      assert.strictEqual(traceBodies.indexOf(SECRET), -1, "the private input never leaves")
      assert.strictEqual(Buffer.concat(metrics.map((r) => r.body)).indexOf(SECRET), -1)
    }).pipe(Effect.scoped), 15_000)

  it.effect("without an endpoint or processors it installs nothing", () =>
    Effect.gen(function*() {
      const before = process.env.OTEL_EXPORTER_OTLP_ENDPOINT
      delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT
      try {
        assert.strictEqual(NodeTelemetry.layer({ console: false }), NodeSdk.layerEmpty)
        assert.notStrictEqual(NodeTelemetry.layer({ console: true }), NodeSdk.layerEmpty)
        assert.notStrictEqual(NodeTelemetry.layer({ otlpEndpoint: "http://127.0.0.1:4318" }), NodeSdk.layerEmpty)
        assert.notStrictEqual(
          NodeTelemetry.layer({ metricReaders: [new PeriodicExportingMetricReader({ exporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE) })] }),
          NodeSdk.layerEmpty
        )
        yield* Layer.build(NodeTelemetry.layer({ console: false }))
      } finally {
        if (before !== undefined) process.env.OTEL_EXPORTER_OTLP_ENDPOINT = before
      }
    }).pipe(Effect.scoped))
})
