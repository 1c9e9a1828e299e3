/**
 * OpenTelemetry for Provident on Node: every `Effect.fn` span (execute →
 * attempt → allocate → prove → witness/proving, remote requests) and every
 * metric (monitor readings as gauges, allocator and executor counters and
 * gauges, the executor's strategy-duration histogram) exported over
 * OTLP/HTTP when `OTEL_EXPORTER_OTLP_ENDPOINT` is set, printed to the
 * console when asked, or handed to span processors and metric readers of
 * your own (tests use in-memory exporters). With none of these it is a
 * no-op layer, so telemetry costs nothing unless someone is listening.
 * Closing the layer flushes what is pending (spans and a last metric
 * export).
 *
 * Spans carry circuit ids, sizes, strategies and decisions, never input
 * values: private witness inputs never leave the prover.
 *
 * @since 0.1.0
 */
import * as NodeSdk from "@effect/opentelemetry/NodeSdk"
import { OTLPMetricExporter } from "@opentelemetry/exporter-metrics-otlp-http"
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http"
import { ConsoleMetricExporter, type MetricReader, PeriodicExportingMetricReader, type PushMetricExporter } from "@opentelemetry/sdk-metrics"
import { BatchSpanProcessor, ConsoleSpanExporter, SimpleSpanProcessor, type SpanProcessor } from "@opentelemetry/sdk-trace-base"
import type * as Resource from "@effect/opentelemetry/Resource"
import type { Layer } from "effect"

export interface Options {
  /** `service.name` of the resource; default `provident`. */
  readonly serviceName?: string
  /** OTLP/HTTP base endpoint (e.g. `http://127.0.0.1:4318`); default `$OTEL_EXPORTER_OTLP_ENDPOINT`. */
  readonly otlpEndpoint?: string
  /**
   * Print finished spans, and metrics every `metricIntervalMs`, to the
   * console; default `$PROVIDENT_TRACE_CONSOLE === "1"`.
   */
  readonly console?: boolean
  /** Further span processors, e.g. a `SimpleSpanProcessor` over an `InMemorySpanExporter`. */
  readonly spanProcessors?: ReadonlyArray<SpanProcessor>
  /**
   * Further metric readers, e.g. a `PeriodicExportingMetricReader` over an
   * `InMemoryMetricExporter`. Each reader is bound to the layer and shut
   * down with it.
   */
  readonly metricReaders?: ReadonlyArray<MetricReader>
  /** How often metrics are pushed over OTLP and printed to the console; default 10 s. */
  readonly metricIntervalMs?: number
}

/** The telemetry layer; empty when nothing would receive the data. */
export const layer = (options: Options = {}): Layer.Layer<Resource.Resource> => {
  const configured = options.otlpEndpoint ?? process.env.OTEL_EXPORTER_OTLP_ENDPOINT
  const endpoint = configured === undefined || configured === "" ? undefined : configured.replace(/\/+$/, "")
  const toConsole = options.console ?? process.env.PROVIDENT_TRACE_CONSOLE === "1"
  const interval = options.metricIntervalMs ?? 10_000
  const periodic = (exporter: PushMetricExporter) =>
    new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: interval, exportTimeoutMillis: Math.min(interval, 30_000) })
  const processors: Array<SpanProcessor> = [...(options.spanProcessors ?? [])]
  const readers: Array<MetricReader> = [...(options.metricReaders ?? [])]
  if (toConsole) {
    processors.push(new SimpleSpanProcessor(new ConsoleSpanExporter()))
    readers.push(periodic(new ConsoleMetricExporter()))
  }
  if (endpoint !== undefined) {
    processors.push(new BatchSpanProcessor(new OTLPTraceExporter({ url: `${endpoint}/v1/traces` })))
    readers.push(periodic(new OTLPMetricExporter({ url: `${endpoint}/v1/metrics` })))
  }
  if (processors.length === 0 && readers.length === 0) return NodeSdk.layerEmpty
  return NodeSdk.layer(() => ({
    resource: { serviceName: options.serviceName ?? "provident" },
    spanProcessor: processors,
    metricReader: readers
  }))
}
