/**
 * Circuit artifacts by URL, cached by the circuit's content hash in the
 * Cache API: `CircuitArtifacts.hash` names one build (same hash, same
 * files), so a file is fetched once per hash and served from the cache
 * after that, across reloads, whatever URL it was first fetched from.
 * Without the Cache API (an insecure context, some private modes) or when
 * it fails (quota), files are fetched every time; the proof still runs.
 */
import type { CircuitArtifacts } from "@provident/core/Prover"
import { ProverError } from "@provident/core/ProverError"
import { Effect } from "effect"

export interface Options {
  /** The Cache API cache; default `provident-artifacts-v1`. */
  readonly cacheName?: string
  /** Default `globalThis.fetch`. */
  readonly fetch?: typeof globalThis.fetch
  /** Default `globalThis.caches`; `null` disables caching. */
  readonly caches?: CacheStorage | null
}

export type Phase = ProverError["phase"]

/** A file of a build: the role names it in the cache, whatever its URL. */
export interface File {
  readonly url: string
  /** `circuit.wasm`, `groth16.zkey`, `plonk.vkey.json`, … */
  readonly name: string
  /** What it is, for messages: `the circuit's wasm`. */
  readonly what: string
}

/** The cache key of a file: any http(s) URL will do, it is never fetched. */
export const cacheKey = (hash: string, name: string): string =>
  `https://artifacts.provident.invalid/${encodeURIComponent(hash)}/${encodeURIComponent(name)}`

const cachesOf = (options: Options): CacheStorage | undefined => {
  if (options.caches !== undefined) return options.caches ?? undefined
  try {
    return (globalThis as { caches?: CacheStorage }).caches
  } catch {
    return undefined
  }
}

/** A loader of artifacts, sharing one cache. */
export const make = (options: Options = {}) => {
  const cacheName = options.cacheName ?? "provident-artifacts-v1"
  const fetchFile = options.fetch ?? ((input, init) => globalThis.fetch(input, init))
  const openCache = async (): Promise<Cache | undefined> => {
    try {
      return await cachesOf(options)?.open(cacheName)
    } catch {
      return undefined
    }
  }

  /** The bytes of `file` of `circuit`, from the cache or the network. */
  const bytes = (circuit: CircuitArtifacts, phase: Phase, file: File): Effect.Effect<Uint8Array, ProverError> => {
    const unavailable = (why: string) =>
      new ProverError({ reason: "ArtifactUnavailable", circuit: circuit.id, phase, message: `${phase} of ${circuit.id}: ${file.what} ${why}` })
    return Effect.tryPromise({
      try: async (signal) => {
        const cache = await openCache()
        const key = cacheKey(circuit.hash, file.name)
        const hit = await cache?.match(key).catch(() => undefined)
        if (hit !== undefined) return { data: new Uint8Array(await hit.arrayBuffer()), status: 200 }
        const response = await fetchFile(file.url, { signal })
        if (!response.ok) return { data: undefined, status: response.status }
        const data = new Uint8Array(await response.arrayBuffer())
        // The Response copies the bytes, so they can be transferred to the worker afterwards.
        await cache?.put(key, new Response(data, { headers: { "content-type": "application/octet-stream" } })).catch(() => undefined)
        return { data, status: response.status }
      },
      catch: (error) => unavailable(`could not be fetched from ${file.url} (${error instanceof Error ? error.name : "error"})`)
    }).pipe(
      Effect.flatMap(({ data, status }) =>
        data === undefined ? Effect.fail(unavailable(`could not be fetched from ${file.url} (HTTP ${status})`)) : Effect.succeed(data)
      )
    )
  }

  /** A JSON file (a verification key). */
  const json = (circuit: CircuitArtifacts, phase: Phase, file: File): Effect.Effect<unknown, ProverError> =>
    Effect.flatMap(bytes(circuit, phase, file), (data) =>
      Effect.try({
        try: (): unknown => JSON.parse(new TextDecoder().decode(data)),
        catch: () =>
          new ProverError({ reason: "ArtifactUnavailable", circuit: circuit.id, phase, message: `${phase} of ${circuit.id}: ${file.what} is not JSON` })
      }))

  return { bytes, json }
}
