/**
 * OpenTelemetry for Provident in a browser, through `@effect/opentelemetry`'s
 * `WebSdk` (a `WebTracerProvider` and a metric producer over Effect's
 * metrics): every `Effect.fn` span (execute → attempt → allocate →
 * witness/proving/verify in the worker's prover, the probe, the stores) and
 * every metric (monitor readings as gauges, allocator and executor counters
 * and gauges, the executor's strategy-duration histogram) go to the span
 * processors and metric readers given, to the browser's console when asked
 * (metrics every `metricIntervalMs`), and over OTLP/HTTP to `otlpEndpoint`
 * (`/v1/traces`, `/v1/metrics`; the collector must allow the page's origin:
 * CORS). With none of these it is an empty layer, so telemetry costs
 * nothing unless someone listens. Closing the layer flushes what is pending.
 *
 * Spans carry circuit ids, sizes, strategies and decisions, never input
 * values: private witness inputs never leave the prover's worker.
 *
 * @since 0.1.0
 */
import * as Resource from "@effect/opentelemetry/Resource"
import * as WebSdk from "@effect/opentelemetry/WebSdk"
import { OTLPMetricExporter } from "@opentelemetry/exporter-metrics-otlp-http"
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http"
import {
  ConsoleMetricExporter,
  type MetricReader,
  PeriodicExportingMetricReader,
  type PushMetricExporter
} from "@opentelemetry/sdk-metrics"
import { BatchSpanProcessor, ConsoleSpanExporter, SimpleSpanProcessor, type SpanProcessor } from "@opentelemetry/sdk-trace-base"
import type { Layer } from "effect"

export interface Options {
  /** `service.name` of the resource; default `provident-browser`. */
  readonly serviceName?: string
  /** Print finished spans, and metrics every `metricIntervalMs`, to the browser's console; default false. */
  readonly console?: boolean
  /** OTLP/HTTP base endpoint, e.g. `http://127.0.0.1:4318` (traces go to `/v1/traces`, metrics to `/v1/metrics`). */
  readonly otlpEndpoint?: string
  /** Further span processors, e.g. an in-memory one in tests. */
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
  const endpoint = options.otlpEndpoint === undefined || options.otlpEndpoint === ""
    ? undefined
    : options.otlpEndpoint.replace(/\/+$/, "")
  const interval = options.metricIntervalMs ?? 10_000
  const periodic = (exporter: PushMetricExporter) =>
    new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: interval, exportTimeoutMillis: Math.min(interval, 30_000) })
  const processors: Array<SpanProcessor> = [...(options.spanProcessors ?? [])]
  const readers: Array<MetricReader> = [...(options.metricReaders ?? [])]
  if (options.console === true) {
    processors.push(new SimpleSpanProcessor(new ConsoleSpanExporter()))
    readers.push(periodic(new ConsoleMetricExporter()))
  }
  if (endpoint !== undefined) {
    processors.push(new BatchSpanProcessor(new OTLPTraceExporter({ url: `${endpoint}/v1/traces` })))
    readers.push(periodic(new OTLPMetricExporter({ url: `${endpoint}/v1/metrics` })))
  }
  if (processors.length === 0 && readers.length === 0) return Resource.layerEmpty
  return WebSdk.layer(() => ({
    resource: { serviceName: options.serviceName ?? "provident-browser" },
    spanProcessor: processors,
    metricReader: readers
  }))
}
