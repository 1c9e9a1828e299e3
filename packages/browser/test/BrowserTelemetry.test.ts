/**
 * `BrowserTelemetry` over OTLP/HTTP for real: a page in Chromium exports a
 * proof's traces and metrics across origins (CORS) to a loopback collector
 * (the `startOtlpCollector` command, in Node), flushed when the layer
 * closes, and no private input is in anything that leaves the page.
 */
import { assert, describe, it } from "@effect/vitest"
import { AdaptiveExecutor, ProofComputation } from "@provident/core"
import { Effect, Exit, Layer, Schedule, Scope } from "effect"
import { afterAll, beforeAll } from "vitest"
import { commands } from "vitest/browser"
import * as BrowserProvident from "../src/BrowserProvident.ts"
import * as BrowserSnarkjsProver from "../src/BrowserSnarkjsProver.ts"
import * as BrowserTelemetry from "../src/BrowserTelemetry.ts"
import { loadCircuit, squares } from "./fixtures.ts"

/** A private input whose digits must never reach the collector. */
const SECRET = 918273645

let collector: string | undefined
beforeAll(async () => {
  collector = await commands.startOtlpCollector(location.origin)
})
afterAll(async () => {
  if (collector !== undefined) await commands.stopOtlpCollector(collector)
})

const stack = Layer.mergeAll(
  BrowserProvident.layer({ storage: { indexedDB: null }, monitor: { sampleInterval: 250 } }),
  BrowserSnarkjsProver.layer()
)

describe("BrowserTelemetry over OTLP/HTTP", () => {
  it.live("a proof's traces and metrics reach a real collector across origins, flushed on close, without the input", () =>
    Effect.gen(function*() {
      const url = collector!
      const telemetry = yield* Scope.make()
      const context = yield* Layer.buildWithScope(BrowserTelemetry.layer({ otlpEndpoint: `${url}/`, metricIntervalMs: 500 }), telemetry)
      const circuit = yield* loadCircuit("square-1000")
      const result = yield* Effect.flatMap(AdaptiveExecutor.AdaptiveExecutor, (executor) =>
        // critical: a busy test machine makes headless Chromium report critical CPU pressure.
        executor.execute("exported-proof", ProofComputation.computation(circuit, "groth16", { x: SECRET }), ProofComputation.defaultProfile(circuit), "critical", {
          circuit: { circuitId: circuit.id, circuitFamily: circuit.family, prover: "groth16" }
        })).pipe(Effect.provide(Layer.fresh(stack)), Effect.provideContext(context))
      assert.isTrue(result.success, JSON.stringify(result.attempts))
      assert.deepStrictEqual(result.result?.proof.publicSignals, [squares(BigInt(SECRET), 1000)])
      yield* Scope.close(telemetry, Exit.void)

      const needles = ["AdaptiveExecutor.execute", "ResourceAllocator.run", "provident_executor_executions_total", String(SECRET)]
      // The exporters post with fetch: the last requests may land a moment after the flush resolves.
      const received = yield* Effect.promise(() => commands.otlpReceived(url, needles)).pipe(
        Effect.repeat({
          until: (r) => r.some((x) => x.path === "/v1/traces") && r.some((x) => x.path === "/v1/metrics"),
          schedule: Schedule.spaced("100 millis")
        }),
        Effect.timeout("10 seconds")
      )
      const traces = received.filter((r) => r.path === "/v1/traces")
      const metrics = received.filter((r) => r.path === "/v1/metrics")
      assert.isAbove(traces.length, 0, "traces were posted")
      assert.isAbove(metrics.length, 0, "metrics were posted")
      for (const r of received) assert.isAbove(r.bytes, 0, r.path)
      const found = new Set(received.flatMap((r) => r.contains))
      assert.isTrue(found.has("AdaptiveExecutor.execute"), "the execute span was exported")
      assert.isTrue(found.has("ResourceAllocator.run"), "the admission span was exported")
      assert.isTrue(found.has("provident_executor_executions_total"), "the executor's counter was exported")
      assert.isFalse(found.has(String(SECRET)), "the private input never leaves the page")
    }).pipe(Effect.scoped), 60_000)
})
