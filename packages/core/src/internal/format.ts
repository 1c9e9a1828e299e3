/** Byte counts in words for messages: `1.5 GiB`. */
const UNITS = ["B", "KiB", "MiB", "GiB", "TiB"] as const

export const bytes = (n: number): string => {
  let value = n
  let unit = 0
  while (Math.abs(value) >= 1024 && unit < UNITS.length - 1) {
    value /= 1024
    unit++
  }
  return unit === 0 ? `${Math.round(value)} B` : `${value.toFixed(1)} ${UNITS[unit]}`
}
