/** Human-readable numbers for the CLI. */

const UNITS = ["B", "KiB", "MiB", "GiB", "TiB"] as const

/** `1536` → `1.5 KiB`; one decimal from KiB up. */
export const bytes = (n: number): string => {
  let value = n
  let unit = 0
  while (Math.abs(value) >= 1024 && unit < UNITS.length - 1) {
    value /= 1024
    unit++
  }
  return unit === 0 ? `${Math.round(value)} B` : `${value.toFixed(1)} ${UNITS[unit]}`
}

export const percent = (n: number): string => `${n.toFixed(1)}%`

/** Cores may be fractional under a CPU quota: `2.5`, but `2` not `2.0`. */
export const cores = (n: number): string => (Number.isInteger(n) ? String(n) : n.toFixed(2).replace(/0$/, ""))

/** `HH:MM:SS` in UTC, so output does not depend on the machine's zone. */
export const clock = (timestamp: number): string => new Date(timestamp).toISOString().slice(11, 19)

export const pad = (s: string, width: number): string => (s.length >= width ? s : s + " ".repeat(width - s.length))
export const padLeft = (s: string, width: number): string => (s.length >= width ? s : " ".repeat(width - s.length) + s)
