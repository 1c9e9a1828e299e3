#!/usr/bin/env node
/**
 * The `provident` executable. With `OTEL_EXPORTER_OTLP_ENDPOINT` set (or
 * `PROVIDENT_TRACE_CONSOLE=1`) its traces and metrics go out through
 * `NodeTelemetry`, loaded only then. Logs go to stderr: stdout carries only
 * what a command answers (`prove`'s JSON), so it can be redirected to a file.
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as NodeServices from "@effect/platform-node/NodeServices"
import { Effect, Layer, Logger } from "effect"
import * as Cli from "./Cli.ts"

const telemetry = (process.env.OTEL_EXPORTER_OTLP_ENDPOINT ?? "") !== "" || process.env.PROVIDENT_TRACE_CONSOLE === "1"
  ? Layer.unwrap(Effect.promise(() => import("./NodeTelemetry.ts")).pipe(Effect.map((t) => t.layer())))
  : Layer.empty

Cli.run(process.argv.slice(2)).pipe(
  Effect.provideService(Logger.LogToStderr, true),
  Effect.provide(NodeServices.layer),
  Effect.provide(telemetry),
  NodeRuntime.runMain
)
