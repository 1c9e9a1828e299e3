/**
 * CORS for `provident serve`, as pure functions: which origins may call it,
 * and the headers a preflight and an ordinary response carry. Origins are
 * compared exactly, as a browser sends them (`scheme://host[:port]`); `"*"`
 * admits any origin, and only when it is configured.
 */

/** What a browser may send besides the CORS-safelisted headers: the bearer token and the JSON body. */
export const allowedHeaders = "authorization, content-type"
export const allowedMethods = "GET, POST"
/** How long a browser may cache a preflight, in seconds (Chromium caps it at 2 hours). */
export const maxAgeSeconds = 600

// A serialized origin: scheme, host (name, IPv4 or bracketed IPv6) and an optional port; no path, no trailing slash.
const ORIGIN = /^https?:\/\/(?:\[[0-9a-f:.]+\]|[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?)(?::\d{1,5})?$/

/** Why `origin` can never match what a browser sends, or `undefined` if it is a valid origin (or `"*"`). */
export const originIssue = (origin: string): string | undefined => {
  if (origin === "*") return undefined
  if (origin !== origin.toLowerCase()) return "must be lower case, as a browser sends it"
  if (!ORIGIN.test(origin)) return "must be an origin: http(s)://host[:port], with no path or trailing slash (or \"*\" for any)"
  return undefined
}

export interface Policy {
  /** Whether a request from `origin` may read the responses. */
  readonly allows: (origin: string | undefined) => origin is string
}

export const policy = (origins: ReadonlyArray<string>): Policy => {
  const any = origins.includes("*")
  const exact = new Set(origins)
  return { allows: (origin): origin is string => origin !== undefined && origin !== "" && (any || exact.has(origin)) }
}

/** The headers of an answered preflight from an allowed `origin`. */
export const preflightHeaders = (origin: string): Record<string, string> => ({
  "access-control-allow-origin": origin,
  "access-control-allow-methods": allowedMethods,
  "access-control-allow-headers": allowedHeaders,
  "access-control-max-age": String(maxAgeSeconds),
  vary: "Origin"
})

/**
 * The headers every response carries once CORS is configured: `Vary: Origin`
 * always (the answer depends on it), and for an allowed origin the right to
 * read it, `Retry-After` included (a 503's delay).
 */
export const responseHeaders = (origin: string | undefined, allowed: boolean): Record<string, string> =>
  allowed && origin !== undefined
    ? { "access-control-allow-origin": origin, "access-control-expose-headers": "Retry-After", vary: "Origin" }
    : { vary: "Origin" }
