/**
 * The `RemoteProver` over HTTP: one or more `provident serve` endpoints.
 *
 * For each proof it asks every endpoint's `/v1/capacity` (briefly) and tries
 * them by predicted completion: the endpoint's predicted wait and proving
 * time for the circuit, plus the time to upload the input. On an endpoint it
 * retries a busy answer (503) after its `Retry-After`, and connection errors
 * with backoff; it never retries a 4xx. When an endpoint fails it moves to
 * the next. Every proof it gets back is verified locally with the circuit's
 * verification key before it is accepted (`RemoteProofInvalid` otherwise):
 * a remote prover is never trusted blindly.
 *
 * Plain HTTP is refused for anything but loopback unless `allowInsecureHttp`
 * is set: the inputs are private. Endpoints are addressed through this seam
 * only, so a later `effect/cluster` backend can take their place.
 *
 * @since 0.1.0
 */
import { Clock, Effect, Layer, Option, Redacted, Schema } from "effect"
import { HttpClient, HttpClientRequest, type HttpClientResponse } from "effect/http"
import { decoder } from "./internal/decode.ts"
import { Positive } from "./internal/units.ts"
import { InvalidInput } from "./ProvidentError.ts"
import { type CircuitArtifacts, Prover } from "./Prover.ts"
import * as ProverApi from "./ProverApi.ts"
import { RemoteProofInvalid, RemoteProver, RemoteProverError, type Request } from "./RemoteProver.ts"

export interface Endpoint {
  /** Base URL, e.g. `https://prover.example.com` or `http://127.0.0.1:8787`. */
  readonly url: string
  /** Sent as `Authorization: Bearer`; `provident serve` answers 401 without it. */
  readonly token?: Redacted.Redacted<string>
}

export interface Options {
  readonly endpoints: ReadonlyArray<Endpoint>
  /** Deadline of one proof request; sent to the server too. Default 120 s. */
  readonly timeoutMs?: number
  /** How long to wait for an endpoint's capacity; default 2 s. */
  readonly capacityTimeoutMs?: number
  /** Retries per endpoint after a 503 or a connection error; default 3. */
  readonly retries?: number
  /** The longest `Retry-After` honoured; default 30 s. */
  readonly maxRetryDelayMs?: number
  /** Allow plain HTTP to non-loopback hosts (the inputs would travel in clear). Default false. */
  readonly allowInsecureHttp?: boolean
  /** Upload speed assumed when ranking endpoints; default 1 MB/s. */
  readonly uploadBytesPerSecond?: number
}

const loopback = (host: string) => host === "localhost" || host === "[::1]" || /^127\./.test(host)

/** Scheme and host of an absolute http(s) URL (core has no DOM or Node `URL`). */
const parseUrl = (url: string): { readonly scheme: string; readonly host: string } | undefined => {
  const match = /^([a-z][a-z0-9+.-]*):\/\/(\[[^\]]+\]|[^/:?#]+)(?::\d+)?(?:[/?#].*)?$/i.exec(url)
  return match === null ? undefined : { scheme: match[1]!.toLowerCase(), host: match[2]!.toLowerCase() }
}

/**
 * Checks the options as `layer` does, without building anything: the
 * settings by `Settings` (`retries` a whole number ≥ 0, …), then the
 * endpoints: absolute http(s) URLs, and HTTPS unless the host is loopback or
 * `allowInsecureHttp` is set. Synchronous, so the Promise facade runs it in
 * its constructors. An issue's path names the setting or the endpoint
 * (`endpoints[0].url`).
 */
export const validate = (options: Options): Effect.Effect<void, InvalidInput> =>
  Effect.suspend(() => {
    const { endpoints: _, ...settings } = options
    return Effect.andThen(decodeSettings(settings), validateEndpoints(options))
  })

/** The settings beside the endpoints, each optional, each with its rule. */
export const Settings = Schema.Struct({
  timeoutMs: Schema.optionalKey(Positive),
  capacityTimeoutMs: Schema.optionalKey(Positive),
  retries: Schema.optionalKey(Schema.Int.check(Schema.isGreaterThanOrEqualTo(0))),
  maxRetryDelayMs: Schema.optionalKey(Schema.Finite.check(Schema.isGreaterThanOrEqualTo(0))),
  allowInsecureHttp: Schema.optionalKey(Schema.Boolean),
  uploadBytesPerSecond: Schema.optionalKey(Positive)
})
const decodeSettings = decoder(Settings, "HttpRemoteProver")

const validateEndpoints = (options: Options): Effect.Effect<void, InvalidInput> =>
  Effect.suspend(() => {
    const invalid = (field: string, message: string) =>
      Effect.fail(new InvalidInput({ subject: "HttpRemoteProver", field, issues: [{ path: field, message }], message: `Invalid HttpRemoteProver: ${field}: ${message}` }))
    if (options.endpoints.length === 0) return invalid("endpoints", "at least one endpoint is needed")
    for (const [i, endpoint] of options.endpoints.entries()) {
      const url = parseUrl(endpoint.url)
      if (url === undefined) return invalid(`endpoints[${i}].url`, "is not an absolute URL")
      if (url.scheme !== "https" && url.scheme !== "http") return invalid(`endpoints[${i}].url`, "must be http or https")
      if (url.scheme === "http" && !loopback(url.host) && options.allowInsecureHttp !== true) {
        return invalid(`endpoints[${i}].url`, "must be https for a host other than loopback (or set allowInsecureHttp)")
      }
    }
    return Effect.void
  })

type Failure = RemoteProverError | RemoteProofInvalid

export const make = Effect.fnUntraced(function*(options: Options) {
  yield* validate(options)
  const client = yield* HttpClient.HttpClient
  const prover = yield* Prover
  const timeoutMs = options.timeoutMs ?? 120_000
  const retries = options.retries ?? 3
  const maxDelay = options.maxRetryDelayMs ?? 30_000
  const endpoints = options.endpoints.map((e) => ({ ...e, base: e.url.replace(/\/+$/, "") }))
  type Target = (typeof endpoints)[number]

  const authorize = (target: Target) => (request: HttpClientRequest.HttpClientRequest) =>
    target.token === undefined ? request : HttpClientRequest.bearerToken(request, Redacted.value(target.token))

  const get = (target: Target, path: string) => client.execute(HttpClientRequest.get(`${target.base}${path}`).pipe(authorize(target)))

  /** When this endpoint would finish the proof, by its own capacity report; unknown endpoints sort last. */
  const predictedCompletion = (target: Target, circuit: CircuitArtifacts, inputBytes: number) =>
    get(target, "/v1/capacity").pipe(
      Effect.flatMap((r): Effect.Effect<unknown, unknown> => (r.status === 200 ? r.json : Effect.fail(r.status))),
      Effect.flatMap(Schema.decodeUnknownEffect(ProverApi.CapacityResponse)),
      Effect.map((capacity) => {
        const entry = capacity.circuits.find((c) => c.id === circuit.id && c.hash === circuit.hash)
        const upload = (inputBytes / (options.uploadBytesPerSecond ?? 1_000_000)) * 1000
        return entry === undefined ? Number.POSITIVE_INFINITY : entry.predictedWaitMs + entry.estimatedProvingMs + upload
      }),
      Effect.timeoutOption(options.capacityTimeoutMs ?? 2000),
      Effect.map(Option.getOrElse(() => Number.MAX_SAFE_INTEGER)),
      Effect.orElseSucceed(() => Number.MAX_SAFE_INTEGER)
    )

  /** `Retry-After` as seconds or as an HTTP-date (RFC 9110); without one, backoff. */
  const retryAfterMs = (response: HttpClientResponse.HttpClientResponse, attempt: number, now: number) => {
    const header = response.headers["retry-after"] ?? ""
    const seconds = header.trim() === "" ? Number.NaN : Number(header)
    const date = Number.isFinite(seconds) ? Number.NaN : Date.parse(header)
    const ms = Number.isFinite(seconds) && seconds >= 0
      ? seconds * 1000
      : Number.isFinite(date)
      ? Math.max(0, date - now)
      : 500 * 2 ** attempt
    return Math.min(maxDelay, ms)
  }

  /** One endpoint: post, retrying 503s and connection errors; then verify what came back. */
  const onEndpoint = (target: Target, request: Request, body: string): Effect.Effect<ProverApi.ProofResponse, Failure> =>
    Effect.gen(function*() {
      for (let attempt = 0; ; attempt++) {
        const sent = yield* client.execute(
          HttpClientRequest.post(`${target.base}/v1/proofs`).pipe(
            authorize(target),
            HttpClientRequest.bodyText(body, "application/json")
          )
        ).pipe(Effect.timeoutOption(timeoutMs), Effect.result)
        if (sent._tag === "Failure") {
          if (attempt < retries) {
            yield* Effect.sleep(Math.min(maxDelay, 250 * 2 ** attempt))
            continue
          }
          return yield* new RemoteProverError({ reason: "Unavailable", message: `${target.base} could not be reached` })
        }
        if (Option.isNone(sent.success)) {
          return yield* new RemoteProverError({ reason: "Timeout", message: `${target.base} gave no answer within ${timeoutMs} ms` })
        }
        const response = sent.success.value
        if (response.status === 503 && attempt < retries) {
          yield* Effect.sleep(retryAfterMs(response, attempt, yield* Clock.currentTimeMillis))
          continue
        }
        if (response.status === 503) return yield* new RemoteProverError({ reason: "Busy", message: `${target.base} stayed busy` })
        if (response.status >= 400 && response.status < 500) {
          const reason = yield* response.json.pipe(
            Effect.flatMap(Schema.decodeUnknownEffect(ProverApi.ErrorResponse)),
            Effect.map((e) => e.message),
            Effect.orElseSucceed(() => "no reason given")
          )
          return yield* new RemoteProverError({ reason: "Rejected", message: `${target.base} refused the request (${response.status}): ${reason}` })
        }
        if (response.status !== 200) {
          return yield* new RemoteProverError({ reason: "Unavailable", message: `${target.base} failed (${response.status})` })
        }
        return yield* response.json.pipe(
          Effect.flatMap(Schema.decodeUnknownEffect(ProverApi.ProofResponse)),
          Effect.mapError(() => new RemoteProverError({ reason: "Unavailable", message: `${target.base} answered with a malformed proof response` }))
        )
      }
    })

  const prove = Effect.fn("HttpRemoteProver.prove")(function*(request: Request) {
    const body = JSON.stringify({
      circuit: request.circuit.id,
      hash: request.circuit.hash,
      protocol: request.protocol,
      input: request.input,
      deadlineMs: timeoutMs
    })
    yield* Effect.annotateCurrentSpan({ "provident.circuit": request.circuit.id, "provident.request_bytes": body.length })
    const ranked = yield* Effect.forEach(endpoints, (target) =>
      predictedCompletion(target, request.circuit, body.length).pipe(Effect.map((eta) => ({ target, eta }))), { concurrency: "unbounded" })
    const order = [...ranked].sort((a, b) => a.eta - b.eta).map((r) => r.target)
    let last: Failure = new RemoteProverError({ reason: "Unavailable", message: "no endpoint was tried" })
    for (const target of order) {
      const started = yield* Clock.currentTimeMillis
      const answer = yield* Effect.result(onEndpoint(target, request, body))
      if (answer._tag === "Failure") {
        last = answer.failure
        // A request the input itself makes invalid fails the same everywhere.
        if (last._tag === "RemoteProverError" && last.reason === "Rejected" && last.message.includes("(422)")) break
        continue
      }
      const proof = { protocol: request.protocol, proof: answer.success.proof, publicSignals: answer.success.publicSignals }
      const valid = yield* prover.verify(request.circuit, proof).pipe(Effect.orElseSucceed(() => false))
      if (!valid) {
        last = new RemoteProofInvalid({ endpoint: target.base, circuit: request.circuit.id, message: `the proof from ${target.base} does not verify against ${request.circuit.id}'s verification key` })
        continue
      }
      yield* Effect.annotateCurrentSpan({ "provident.endpoint": target.base, "provident.remote_ms": (yield* Clock.currentTimeMillis) - started })
      return { proof, endpoint: target.base }
    }
    return yield* Effect.fail(last)
  })

  return RemoteProver.of({ prove })
})

/** The HTTP remote prover as a layer; needs an `HttpClient` (Fetch, Node, undici) and a `Prover` to verify with. */
export const layer = (options: Options): Layer.Layer<RemoteProver, InvalidInput, HttpClient.HttpClient | Prover> =>
  Layer.effect(RemoteProver, make(options))
