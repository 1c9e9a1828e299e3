/**
 * The metrics Provident records. Names follow Prometheus conventions
 * (`_total` counters, unit suffixes) so the OTLP and `/metrics` exports read
 * naturally.
 */
import { Metric } from "effect"

/**
 * One metric per attribute value, made once: `Metric.withAttributes` on every
 * update recomputes the metric's key, which costs more than the update.
 */
const byAttribute = <M extends Metric.Metric<number, unknown>>(metric: M, name: string, values: ReadonlyArray<string>) => {
  const table = new Map(values.map((value) => [value, Metric.withAttributes(metric, { [name]: value })]))
  return (value: string) => table.get(value) ?? Metric.withAttributes(metric, { [name]: value })
}

export const monitorSamples = Metric.counter("provident_monitor_samples_total", {
  description: "Good readings taken by the resource monitor",
  incremental: true
})
export const probeFailures = byAttribute(
  Metric.counter("provident_monitor_probe_failures_total", {
    description: "Probe readings that failed, timed out or were invalid (attribute: reason)",
    incremental: true
  }),
  "reason",
  ["Failed", "Timeout", "InvalidReading", "NoReading"]
)
export const thresholdEvents = Metric.counter("provident_monitor_threshold_events_total", {
  description: "Threshold crossings and clearings (attributes: resource, kind)",
  incremental: true
})
export const memoryUsedBytes = Metric.gauge("provident_memory_used_bytes", { description: "Memory in use" })
export const memoryAvailableBytes = Metric.gauge("provident_memory_available_bytes", {
  description: "Memory still available to admitted work"
})
export const memoryUsagePercent = Metric.gauge("provident_memory_usage_percent", {
  description: "Memory usage of the limit (or total)"
})
export const cpuUsagePercent = Metric.gauge("provident_cpu_usage_percent", {
  description: "CPU usage of the effective cores"
})
export const batteryLevelPercent = Metric.gauge("provident_battery_level_percent", { description: "Battery level" })
export const pressureLevel = Metric.gauge("provident_pressure_level", {
  description: "Pressure state: 0 nominal, 1 fair, 2 serious, 3 critical"
})
export const systemLoad = Metric.gauge("provident_system_load", { description: "System load, 0..1" })

export const allocatorGrantedMemory = Metric.gauge("provident_allocator_granted_memory_bytes", {
  description: "Memory granted to admitted work"
})
export const allocatorGrantedCores = Metric.gauge("provident_allocator_granted_cores", { description: "Cores granted to admitted work" })
export const allocatorQueueLength = Metric.gauge("provident_allocator_queue_length", { description: "Operations waiting for admission" })
export const allocatorRunning = Metric.gauge("provident_allocator_running", { description: "Operations holding resources" })
export const allocatorAdmissions = byAttribute(
  Metric.counter("provident_allocator_admissions_total", { description: "Operations admitted (attribute: priority)", incremental: true }),
  "priority",
  ["critical", "high", "medium", "low", "background"]
)
export const allocatorDenials = byAttribute(
  Metric.counter("provident_allocator_denials_total", { description: "Requests denied (attribute: reason)", incremental: true }),
  "reason",
  ["oversized-memory", "oversized-cores", "insufficient-memory", "insufficient-cores", "critical-pressure", "custom"]
)
export const allocatorPauses = Metric.counter("provident_allocator_pauses_total", { description: "Operations paused", incremental: true })
export const allocatorEvictions = Metric.counter("provident_allocator_evictions_total", {
  description: "Operations paused by eviction under memory pressure",
  incremental: true
})
export const allocatorCancellations = Metric.counter("provident_allocator_cancellations_total", {
  description: "Operations cancelled",
  incremental: true
})

const executions = Metric.counter("provident_executor_executions_total", {
  description: "Executions by the strategy that answered and outcome",
  incremental: true
})
const attempts = Metric.counter("provident_executor_attempts_total", {
  description: "Attempts by strategy and outcome",
  incremental: true
})
export const executorFallbacksTotal = Metric.counter("provident_executor_fallbacks_total", {
  description: "Times the chain moved on from a strategy (attribute: strategy left)",
  incremental: true
})
const strategyTime = Metric.histogram("provident_executor_strategy_duration_ms", {
  description: "Duration of attempts by strategy",
  boundaries: Metric.exponentialBoundaries({ start: 10, factor: 2, count: 16 })
})

export const executorExecutions = (strategy: string, outcome: string) =>
  Metric.update(Metric.withAttributes(executions, { strategy, outcome }), 1)
export const executorAttempts = (strategy: string, outcome: string) =>
  Metric.update(Metric.withAttributes(attempts, { strategy, outcome }), 1)
export const executorFallbacks = (strategy: string) => Metric.update(Metric.withAttributes(executorFallbacksTotal, { strategy }), 1)
export const executorStrategyTime = (strategy: string, ms: number) =>
  Metric.update(Metric.withAttributes(strategyTime, { strategy }), ms)
