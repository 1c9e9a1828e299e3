/**
 * Traces without a collector: one adaptive computation with its spans
 * printed to the console (execute → attempt → allocate → phases). To send
 * them to a local OTLP endpoint instead (Jaeger, the OpenTelemetry
 * collector), run:
 *
 *     OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 npm run example:05
 *
 * Run it: `npm run example:05`.
 */
import { NodeRuntime } from "@effect/platform-node"
import { AdaptiveExecutor } from "@provident/core"
import { NodeProvident } from "@provident/node"
import { Effect, Layer } from "effect"

const MiB = 1024 ** 2
const program = Effect.gen(function*() {
  const executor = yield* AdaptiveExecutor.AdaptiveExecutor
  const result = yield* executor.execute("traced", (ctx) =>
    Effect.gen(function*() {
      const witness = yield* ctx.phase("witness", () => Effect.sleep("50 millis").pipe(Effect.as(21)))
      return yield* ctx.phase("proving", () => Effect.sleep("100 millis").pipe(Effect.as(witness * 2)))
    }), {
    circuitSize: 1000,
    expectedWitnessDuration: 50,
    expectedProvingDuration: 100,
    circuitMemoryRequirements: 16 * MiB,
    witnessMemoryRequirements: 16 * MiB,
    provingMemoryRequirements: 32 * MiB,
    canSplitComputation: true,
    supportsFallbackMode: false,
    supportsPartialResults: false,
    supportsCachedResults: false
  }, "high")
  yield* Effect.log(`result ${result.result} by ${result.strategy}`)
})

const console = process.env.OTEL_EXPORTER_OTLP_ENDPOINT === undefined
program.pipe(
  Effect.provide(NodeProvident.layer().pipe(Layer.provideMerge(NodeProvident.layerTelemetry({ console, serviceName: "provident-example" })))),
  NodeRuntime.runMain
)
