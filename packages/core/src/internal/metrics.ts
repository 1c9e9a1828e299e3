/**
 * The metrics Provident records. Names follow Prometheus conventions
 * (`_total` counters, unit suffixes) so the OTLP and `/metrics` exports read
 * naturally.
 */
import { Metric } from "effect"

export const monitorSamples = Metric.counter("provident_monitor_samples_total", {
  description: "Good readings taken by the resource monitor",
  incremental: true
})
export const probeFailures = Metric.counter("provident_monitor_probe_failures_total", {
  description: "Probe readings that failed, timed out or were invalid (attribute: reason)",
  incremental: true
})
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
