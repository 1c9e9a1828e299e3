/**
 * JSON with object keys in sorted order (and bigints as decimal strings), so
 * that equal values give equal text whatever order their keys were written
 * in: what a checkpoint's binding compares.
 */
export const canonicalJson = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) =>
    typeof v === "bigint"
      ? v.toString()
      : typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v)
