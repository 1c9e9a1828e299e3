/**
 * The `RemoteProver` over HTTP: one or more `provident serve` endpoints.
 *
 * For each proof it asks every endpoint's `/v1/capacity` (briefly) and tries
 * them by predicted completion: the endpoint's predicted wait and proving
 * time for the circuit, plus the time to upload the input. On an endpoint it
 * retries a busy answer (503) after its `Retry-After`, and connection errors
 * with backoff; it never retries a 4xx. When an endpoint fails it moves to
 * the next; a 422 (the input refused) too, since any endpoint could be the
 * wrong one, but when every endpoint that answered refused the input, that
 * is the answer (`Rejected`, `status: 422`). `timeoutMs` bounds each whole
 * exchange (the request, the headers and the body), and bodies are read
 * only up to `maxResponseBytes`: a server that drips or floods a body is
 * cut off, not waited for.
 *
 * A remote prover is never trusted blindly. Every proof it gets back is
 * verified locally with the circuit's verification key, and its public
 * signals must be exactly those of the request: the client computes the
 * witness of the input itself (with the `Prover` it verifies with; cheap
 * next to proving), whose values after the constant 1 are the outputs and
 * the public inputs. Either check failing is `RemoteProofInvalid`, and the
 * next endpoint is tried: a valid proof of another input is as worthless as
 * a forged one. Where the client cannot compute the witness (its prover is
 * unavailable, …) the proof is returned with `statement.checked: false` and
 * the reason, never as a proof of this input.
 *
 * Plain HTTP is refused for anything but loopback unless `allowInsecureHttp`
 * is set: the inputs are private. Endpoints are addressed through this seam
 * only, so a later `effect/cluster` backend can take their place.
 *
 * @since 0.1.0
 */
import { Clock, Effect, Layer, Option, Redacted, Result, Schema, Stream } from "effect"
import { HttpClient, HttpClientRequest, type HttpClientResponse } from "effect/http"
import { decoder } from "./internal/decode.ts"
import { bytes } from "./internal/format.ts"
import { chainFailure, type Failure, judge, type LocalWitness } from "./internal/remoteAnswer.ts"
import { Positive, PositiveInt } from "./internal/units.ts"
import * as Wtns from "./internal/wtns.ts"
import { InvalidInput } from "./ProvidentError.ts"
import { type CircuitArtifacts, type Proof, Prover } from "./Prover.ts"
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
  /** Deadline of one proof request, from sending it to the last byte of the answer; sent to the server too. Default 120 s. */
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
  /** The largest response body read; a larger one fails the endpoint (`Unavailable`). Default 4 MiB (a proof answer is a few KB). */
  readonly maxResponseBytes?: number
}

const DEFAULT_MAX_RESPONSE_BYTES = 4 * 1024 ** 2

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
  uploadBytesPerSecond: Schema.optionalKey(Positive),
  maxResponseBytes: Schema.optionalKey(PositiveInt)
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

/** An HTTP answer read to its end: what `onEndpoint` decides on. */
interface Answer {
  readonly status: number
  readonly headers: HttpClientResponse.HttpClientResponse["headers"]
  readonly body: string
}

const parseJson = (text: string): Effect.Effect<unknown, unknown> => Effect.try({ try: () => JSON.parse(text) as unknown, catch: (e) => e })

export const make = Effect.fnUntraced(function*(options: Options) {
  yield* validate(options)
  const client = yield* HttpClient.HttpClient
  const prover = yield* Prover
  const timeoutMs = options.timeoutMs ?? 120_000
  const retries = options.retries ?? 3
  const maxDelay = options.maxRetryDelayMs ?? 30_000
  const maxBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES
  const endpoints = options.endpoints.map((e) => ({ ...e, base: e.url.replace(/\/+$/, "") }))
  type Target = (typeof endpoints)[number]

  const authorize = (target: Target) => (request: HttpClientRequest.HttpClientRequest) =>
    target.token === undefined ? request : HttpClientRequest.bearerToken(request, Redacted.value(target.token))

  const tooLarge = (target: Target, status: number) =>
    new RemoteProverError({ reason: "Unavailable", status, message: `${target.base} answered with a body over ${bytes(maxBytes)}` })

  /**
   * The body as text, counted as it arrives: past `maxBytes` the read stops
   * with `tooLarge`, so neither a huge declared length nor an endless body
   * can exhaust memory.
   */
  const readBody = (target: Target, response: HttpClientResponse.HttpClientResponse) =>
    Effect.suspend(() => {
      const declared = Number(response.headers["content-length"] ?? Number.NaN)
      if (Number.isFinite(declared) && declared > maxBytes) return Effect.fail(tooLarge(target, response.status))
      let received = 0
      return response.stream.pipe(
        Stream.mapEffect((chunk) =>
          (received += chunk.length) > maxBytes ? Effect.fail(tooLarge(target, response.status)) : Effect.succeed(chunk)
        ),
        Stream.decodeText(),
        Stream.mkString
      )
    })

  /** Sends `request` and reads its answer to the end (bounded): callers put one deadline over all of it. */
  const exchange = (target: Target, request: HttpClientRequest.HttpClientRequest) =>
    client.execute(authorize(target)(request)).pipe(
      Effect.flatMap((response) =>
        Effect.map(readBody(target, response), (body): Answer => ({ status: response.status, headers: response.headers, body }))
      )
    )

  /** When this endpoint would finish the proof, by its own capacity report; unknown endpoints sort last. */
  const predictedCompletion = (target: Target, circuit: CircuitArtifacts, inputBytes: number) =>
    exchange(target, HttpClientRequest.get(`${target.base}/v1/capacity`)).pipe(
      Effect.flatMap((r): Effect.Effect<unknown, unknown> => (r.status === 200 ? parseJson(r.body) : Effect.fail(r.status))),
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
  const retryAfterMs = (answer: Answer, attempt: number, now: number) => {
    const header = answer.headers["retry-after"] ?? ""
    const seconds = header.trim() === "" ? Number.NaN : Number(header)
    const date = Number.isFinite(seconds) ? Number.NaN : Date.parse(header)
    const ms = Number.isFinite(seconds) && seconds >= 0
      ? seconds * 1000
      : Number.isFinite(date)
      ? Math.max(0, date - now)
      : 500 * 2 ** attempt
    return Math.min(maxDelay, ms)
  }

  /** A 4xx: the endpoint's reason, with its status for `chainFailure`. */
  const refused = (target: Target, answer: Answer) =>
    parseJson(answer.body).pipe(
      Effect.flatMap(Schema.decodeUnknownEffect(ProverApi.ErrorResponse)),
      Effect.map((e) => e.message),
      Effect.orElseSucceed(() => "no reason given"),
      Effect.flatMap((reason) =>
        new RemoteProverError({ reason: "Rejected", status: answer.status, message: `${target.base} refused the request (${answer.status}): ${reason}` })
      )
    )

  /** One endpoint: post, retrying 503s and connection errors; the answer read within the deadline. */
  const onEndpoint = (target: Target, body: string): Effect.Effect<ProverApi.ProofResponse, RemoteProverError> =>
    Effect.gen(function*() {
      const post = HttpClientRequest.post(`${target.base}/v1/proofs`).pipe(HttpClientRequest.bodyText(body, "application/json"))
      for (let attempt = 0; ; attempt++) {
        const sent = yield* exchange(target, post).pipe(Effect.timeoutOption(timeoutMs), Effect.result)
        if (sent._tag === "Failure") {
          // An oversized body is the endpoint's answer, not a connection error to retry.
          if (sent.failure._tag === "RemoteProverError") return yield* sent.failure
          if (attempt < retries) {
            yield* Effect.sleep(Math.min(maxDelay, 250 * 2 ** attempt))
            continue
          }
          return yield* new RemoteProverError({ reason: "Unavailable", message: `${target.base} could not be reached` })
        }
        if (Option.isNone(sent.success)) {
          return yield* new RemoteProverError({ reason: "Timeout", message: `${target.base} gave no complete answer within ${timeoutMs} ms` })
        }
        const answer = sent.success.value
        if (answer.status === 503 && attempt < retries) {
          yield* Effect.sleep(retryAfterMs(answer, attempt, yield* Clock.currentTimeMillis))
          continue
        }
        if (answer.status === 503) return yield* new RemoteProverError({ reason: "Busy", status: 503, message: `${target.base} stayed busy` })
        if (answer.status >= 400 && answer.status < 500) return yield* refused(target, answer)
        if (answer.status !== 200) {
          return yield* new RemoteProverError({ reason: "Unavailable", status: answer.status, message: `${target.base} failed (${answer.status})` })
        }
        return yield* parseJson(answer.body).pipe(
          Effect.flatMap(Schema.decodeUnknownEffect(ProverApi.ProofResponse)),
          Effect.mapError(() => new RemoteProverError({ reason: "Unavailable", status: 200, message: `${target.base} answered with a malformed proof response` }))
        )
      }
    })

  /**
   * The client's own witness of the request, to check public signals against.
   * One thread and no grant: witness generation is small next to proving.
   */
  const localWitness = (request: Request): Effect.Effect<LocalWitness> =>
    prover.computeWitness(request.circuit, request.input, { cores: 1 }).pipe(
      Effect.map(({ witness }): LocalWitness =>
        Result.match(Wtns.parse(witness), {
          onSuccess: (parsed) => ({ _tag: "Computed", witness: parsed }),
          onFailure: (why) => ({ _tag: "Unknown", reason: `the client's witness could not be read (${why})` })
        })
      ),
      // ProverError messages name circuits and phases, never input values.
      Effect.catchTag("ProverError", (error) =>
        Effect.succeed<LocalWitness>(
          error.reason === "InvalidWitnessInput"
            ? { _tag: "Violates" }
            : { _tag: "Unknown", reason: `the client could not compute the witness to check the public signals: ${error.message}` }
        ))
    )

  /** `proof` as a proof of `request`: it verifies, and its public signals are the request's (`RemoteProofInvalid` names neither). */
  const accept = (target: Target, request: Request, proof: Proof, local: Effect.Effect<LocalWitness>) =>
    Effect.gen(function*() {
      const invalid = (why: string) => new RemoteProofInvalid({ endpoint: target.base, circuit: request.circuit.id, message: `the proof from ${target.base} ${why}` })
      const valid = yield* prover.verify(request.circuit, proof).pipe(Effect.orElseSucceed(() => false))
      if (!valid) return yield* invalid(`does not verify against ${request.circuit.id}'s verification key`)
      const statement = judge(yield* local, proof.publicSignals)
      if (statement === undefined) return yield* invalid(`is of another statement: its public signals are not those of this request's input`)
      return statement
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
    // Computed once, on the first proof that verifies: never when no endpoint answers.
    const local = yield* Effect.cached(localWitness(request))
    const failures: Array<Failure> = []
    for (const target of order) {
      const started = yield* Clock.currentTimeMillis
      const answer = yield* Effect.result(onEndpoint(target, body))
      if (answer._tag === "Failure") {
        failures.push(answer.failure)
        continue
      }
      const proof = { protocol: request.protocol, proof: answer.success.proof, publicSignals: answer.success.publicSignals }
      const accepted = yield* Effect.result(accept(target, request, proof, local))
      if (accepted._tag === "Failure") {
        failures.push(accepted.failure)
        continue
      }
      yield* Effect.annotateCurrentSpan({
        "provident.endpoint": target.base,
        "provident.remote_ms": (yield* Clock.currentTimeMillis) - started,
        "provident.statement_checked": accepted.success.checked
      })
      return { proof, endpoint: target.base, statement: accepted.success }
    }
    return yield* Effect.fail(chainFailure(failures, new RemoteProverError({ reason: "Unavailable", message: "no endpoint was tried" })))
  })

  return RemoteProver.of({ prove })
})

/** The HTTP remote prover as a layer; needs an `HttpClient` (Fetch, Node, undici) and a `Prover` to verify with and to compute the witness that checks the public signals. */
export const layer = (options: Options): Layer.Layer<RemoteProver, InvalidInput, HttpClient.HttpClient | Prover> =>
  Layer.effect(RemoteProver, make(options))
