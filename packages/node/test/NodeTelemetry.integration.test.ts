/**
 * The span tree of one adaptive proof, through the OpenTelemetry SDK into an
 * in-memory exporter: names, parents, key attributes, and no private input
 * anywhere in it.
 */
import { assert, describe, it } from "@effect/vitest"
import { AdaptiveExecutor, ProofComputation } from "@provident/core"
import { Prover } from "@provident/core/Prover"
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base"
import * as NodeSdk from "@effect/opentelemetry/NodeSdk"
import { Effect, Layer } from "effect"
import * as NodeTelemetry from "../src/NodeTelemetry.ts"
import { circuit, scriptedProver, stack } from "./serverFixtures.ts"

const SECRET = "31337000"

describe("NodeTelemetry", { timeout: 30_000 }, () => {
  it.live("one adaptive proof reads as a story: execute → attempt → allocate → witness, proving", () => {
    const exporter = new InMemorySpanExporter()
    return Effect.gen(function*() {
      const prover = yield* scriptedProver
      const executor = yield* AdaptiveExecutor.AdaptiveExecutor
      const result = yield* executor.execute("traced-proof", ProofComputation.computation(circuit, "groth16", { x: SECRET }),
        ProofComputation.defaultProfile(circuit), "high", { circuit: { circuitId: circuit.id, circuitFamily: "square" } }).pipe(
          Effect.provideService(Prover, prover.service)
        )
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

  it.effect("without an endpoint or processors it installs nothing", () =>
    Effect.gen(function*() {
      const before = process.env.OTEL_EXPORTER_OTLP_ENDPOINT
      delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT
      try {
        assert.strictEqual(NodeTelemetry.layer({ console: false }), NodeSdk.layerEmpty)
        assert.notStrictEqual(NodeTelemetry.layer({ console: true }), NodeSdk.layerEmpty)
        assert.notStrictEqual(NodeTelemetry.layer({ otlpEndpoint: "http://127.0.0.1:4318" }), NodeSdk.layerEmpty)
        yield* Layer.build(NodeTelemetry.layer({ console: false }))
      } finally {
        if (before !== undefined) process.env.OTEL_EXPORTER_OTLP_ENDPOINT = before
      }
    }).pipe(Effect.scoped))
})
