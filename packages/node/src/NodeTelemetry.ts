/**
 * OpenTelemetry for Provident on Node: every `Effect.fn` span (execute →
 * attempt → allocate → prove → witness/proving, remote requests) and every
 * metric (monitor gauges, allocator and executor counters) exported over
 * OTLP/HTTP when `OTEL_EXPORTER_OTLP_ENDPOINT` is set, printed to the
 * console when asked, or handed to processors of your own (tests use an
 * in-memory exporter). With none of these it is a no-op layer, so tracing
 * costs nothing unless someone is listening.
 *
 * Spans carry circuit ids, sizes, strategies and decisions, never input
 * values: private witness inputs never leave the prover.
 *
 * @since 0.1.0
 */
import * as NodeSdk from "@effect/opentelemetry/NodeSdk"
import { OTLPMetricExporter } from "@opentelemetry/exporter-metrics-otlp-http"
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http"
import { PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics"
import { BatchSpanProcessor, ConsoleSpanExporter, SimpleSpanProcessor, type SpanProcessor } from "@opentelemetry/sdk-trace-base"
import type * as Resource from "@effect/opentelemetry/Resource"
import type { Layer } from "effect"

export interface Options {
  /** `service.name` of the resource; default `provident`. */
  readonly serviceName?: string
  /** OTLP/HTTP base endpoint (e.g. `http://127.0.0.1:4318`); default `$OTEL_EXPORTER_OTLP_ENDPOINT`. */
  readonly otlpEndpoint?: string
  /** Print finished spans to the console; default `$PROVIDENT_TRACE_CONSOLE === "1"`. */
  readonly console?: boolean
  /** Further span processors, e.g. a `SimpleSpanProcessor` over an `InMemorySpanExporter`. */
  readonly spanProcessors?: ReadonlyArray<SpanProcessor>
  /** How often metrics are pushed over OTLP; default 10 s. */
  readonly metricIntervalMs?: number
}

/** The telemetry layer; empty when nothing would receive the data. */
export const layer = (options: Options = {}): Layer.Layer<Resource.Resource> => {
  const endpoint = options.otlpEndpoint ?? process.env.OTEL_EXPORTER_OTLP_ENDPOINT
  const toConsole = options.console ?? process.env.PROVIDENT_TRACE_CONSOLE === "1"
  const processors: Array<SpanProcessor> = [...(options.spanProcessors ?? [])]
  if (toConsole) processors.push(new SimpleSpanProcessor(new ConsoleSpanExporter()))
  if (endpoint !== undefined && endpoint !== "") {
    processors.push(new BatchSpanProcessor(new OTLPTraceExporter({ url: `${endpoint.replace(/\/+$/, "")}/v1/traces` })))
  }
  const readers = endpoint === undefined || endpoint === ""
    ? []
    : [new PeriodicExportingMetricReader({
      exporter: new OTLPMetricExporter({ url: `${endpoint.replace(/\/+$/, "")}/v1/metrics` }),
      exportIntervalMillis: options.metricIntervalMs ?? 10_000
    })]
  if (processors.length === 0 && readers.length === 0) return NodeSdk.layerEmpty
  return NodeSdk.layer(() => ({
    resource: { serviceName: options.serviceName ?? "provident" },
    spanProcessor: processors,
    metricReader: readers
  }))
}
