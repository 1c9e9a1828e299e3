/**
 * OpenTelemetry for Provident in a browser, through `@effect/opentelemetry`'s
 * `WebSdk` (a `WebTracerProvider`): every `Effect.fn` span (execute →
 * attempt → allocate → witness/proving/verify in the worker's prover, the
 * probe, the stores) goes to the span processors given, and to the
 * browser's console when asked, and over OTLP/HTTP to `otlpEndpoint` (the
 * collector must allow the page's origin: CORS). With none of these it is
 * an empty layer, so tracing costs nothing unless someone listens.
 *
 * Spans carry circuit ids, sizes, strategies and decisions, never input
 * values: private witness inputs never leave the prover's worker.
 *
 * @since 0.1.0
 */
import * as Resource from "@effect/opentelemetry/Resource"
import * as WebSdk from "@effect/opentelemetry/WebSdk"
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http"
import { BatchSpanProcessor, ConsoleSpanExporter, SimpleSpanProcessor, type SpanProcessor } from "@opentelemetry/sdk-trace-base"
import type { Layer } from "effect"

export interface Options {
  /** `service.name` of the resource; default `provident-browser`. */
  readonly serviceName?: string
  /** Print finished spans to the browser's console; default false. */
  readonly console?: boolean
  /** OTLP/HTTP base endpoint, e.g. `http://127.0.0.1:4318` (traces go to `/v1/traces`). */
  readonly otlpEndpoint?: string
  /** Further span processors, e.g. an in-memory one in tests. */
  readonly spanProcessors?: ReadonlyArray<SpanProcessor>
}

/** The telemetry layer; empty when nothing would receive the spans. */
export const layer = (options: Options = {}): Layer.Layer<Resource.Resource> => {
  const processors: Array<SpanProcessor> = [...(options.spanProcessors ?? [])]
  if (options.console === true) processors.push(new SimpleSpanProcessor(new ConsoleSpanExporter()))
  if (options.otlpEndpoint !== undefined && options.otlpEndpoint !== "") {
    processors.push(new BatchSpanProcessor(new OTLPTraceExporter({ url: `${options.otlpEndpoint.replace(/\/+$/, "")}/v1/traces` })))
  }
  if (processors.length === 0) return Resource.layerEmpty
  return WebSdk.layer(() => ({
    resource: { serviceName: options.serviceName ?? "provident-browser" },
    spanProcessor: processors
  }))
}
