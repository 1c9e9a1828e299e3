/**
 * `provident serve`: a real HTTP prover for other devices to fall back on.
 * It proves through its own Provident stack (monitor, allocator, executor,
 * predictor), so it never overcommits its machine: past `maxInFlight`
 * accepted requests it answers 503 with a `Retry-After` from the predicted
 * wait.
 *
 * Routes: `POST /v1/proofs`, `GET /v1/capacity`, `GET /metrics`
 * (Prometheus text), `GET /healthz`. Every route but `/healthz` needs
 * `Authorization: Bearer <token>` (the scheme in any case, the token
 * compared in constant time). Bodies above `maxBodyBytes` get 413;
 * malformed JSON or a request that fails its schema gets 400 with the
 * failing field (an input value that is not an exact field element, or
 * nests too deep, included: `CircuitInput`); an unknown circuit 404; inputs
 * that violate the circuit 422; a request past its deadline
 * (client-supplied, capped by `maxDeadlineMs`) 504, and its job is
 * cancelled; a proof that failed otherwise 500, its message without the
 * server's file paths (the operator's log has them). Inputs are never
 * logged: spans carry circuit ids and sizes only. It binds to 127.0.0.1
 * unless told otherwise; closing its scope stops accepting and gives
 * in-flight jobs `gracePeriodMs` to finish before cancelling them.
 *
 * With `corsOrigins`, web pages on those origins may call it: `OPTIONS`
 * preflights of the routes are answered (without a token: a browser sends
 * none with them), and every response to an allowed origin, errors
 * included, says the page may read it and its `Retry-After`. Without it no
 * CORS header is sent, and browsers keep other origins' pages out.
 *
 * @since 0.1.0
 */
import { NodeHttpServer } from "@effect/platform-node"
import { AdaptiveExecutor, ProofComputation, type Prover, ProvidentError, ResourceAllocator, ResourcePredictor } from "@provident/core"
import type { CircuitArtifacts, Protocol } from "@provident/core/Prover"
import * as ProverApi from "@provident/core/ProverApi"
import { ByteSize, Clock, Effect, Layer, Option, Redacted } from "effect"
import { HttpIncomingMessage, HttpRouter, HttpServerRequest, HttpServerResponse } from "effect/http"
import { PrometheusMetrics } from "effect/observability"
import { randomBytes } from "node:crypto"
import { createServer } from "node:http"
import { tokenMatches } from "./internal/bearer.ts"
import * as Cors from "./internal/cors.ts"
import * as PublicText from "./internal/publicText.ts"

export interface Options {
  readonly host?: string
  /** 0 picks a free port. */
  readonly port?: number
  readonly token: Redacted.Redacted<string>
  /** The circuits this server proves, by id (and hash). */
  readonly circuits: ReadonlyArray<CircuitArtifacts>
  /** Largest request body; default 1 MiB. */
  readonly maxBodyBytes?: number
  /** Deadline of a request that names none; default 60 s. */
  readonly defaultDeadlineMs?: number
  /** The most a client may ask for; default 120 s. */
  readonly maxDeadlineMs?: number
  /** Requests accepted at once (running or waiting); beyond it, 503. Default 8. */
  readonly maxInFlight?: number
  /** On shutdown, how long in-flight jobs may take to finish before they are cancelled; default 10 s. */
  readonly gracePeriodMs?: number
  /**
   * Origins of the web pages that may call this server from a browser,
   * exactly as a browser sends them (`https://app.example.com`,
   * `http://localhost:5173`: no path, no trailing slash); `"*"` admits any
   * page, and only when given explicitly. Default none: no CORS headers.
   */
  readonly corsOrigins?: ReadonlyArray<string>
}

type Respond = Effect.Effect<HttpServerResponse.HttpServerResponse>

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  HttpServerResponse.jsonUnsafe(body, { status, headers })

const problem = (status: number, error: string, message: string, field?: string) =>
  json(status, { error, message, ...(field === undefined ? {} : { field }) } satisfies ProverApi.ErrorResponse)

const parseJson = (text: string): { readonly value: unknown } | undefined => {
  try {
    return { value: JSON.parse(text) }
  } catch {
    return undefined
  }
}

/** The paths whose preflights are answered. */
const ROUTES = ["/healthz", "/v1/proofs", "/v1/capacity", "/metrics"]

/** Checks `corsOrigins`: an entry a browser can never send would silently match nothing. */
export const validate = (options: Options): Effect.Effect<void, ProvidentError.InvalidInput> =>
  Effect.suspend(() => {
    for (const [i, origin] of (options.corsOrigins ?? []).entries()) {
      const issue = Cors.originIssue(origin)
      if (issue !== undefined) {
        const field = `corsOrigins[${i}]`
        return Effect.fail(new ProvidentError.InvalidInput({
          subject: "ProverServer",
          field,
          issues: [{ path: field, message: issue }],
          message: `Invalid ProverServer option ${field} (${JSON.stringify(origin)}): ${issue}`
        }))
      }
    }
    return Effect.void
  })

/**
 * Around every route (global, so it sees `OPTIONS` before routing): answers
 * preflights, and adds the CORS headers to whatever the route answered.
 */
const cors = (origins: ReadonlyArray<string>) => {
  const policy = Cors.policy(origins)
  return HttpRouter.middleware((app) =>
    Effect.gen(function*() {
      const request = yield* HttpServerRequest.HttpServerRequest
      const origin = request.headers["origin"]
      const allowed = policy.allows(origin)
      if (request.method === "OPTIONS" && ROUTES.includes(request.url.split("?")[0]!)) {
        if (origin === undefined) return HttpServerResponse.empty({ status: 204, headers: { allow: `${Cors.allowedMethods}, OPTIONS` } })
        if (!allowed) {
          return HttpServerResponse.setHeaders(problem(403, "forbidden-origin", `pages on ${origin} may not call this server`), { vary: "Origin" })
        }
        return HttpServerResponse.empty({ status: 204, headers: Cors.preflightHeaders(origin) })
      }
      return HttpServerResponse.setHeaders(yield* app, Cors.responseHeaders(origin, allowed))
    }), { global: true })
}

/** The routes, over the Provident services and a `Prover` in context. */
export const routes = (
  options: Options
): Layer.Layer<
  never,
  ProvidentError.InvalidInput,
  | HttpRouter.HttpRouter
  | AdaptiveExecutor.AdaptiveExecutor
  | ResourceAllocator.ResourceAllocator
  | ResourcePredictor.ResourcePredictor
  | Prover.Prover
> =>
  Layer.unwrap(Effect.gen(function*() {
    yield* validate(options)
    const executor = yield* AdaptiveExecutor.AdaptiveExecutor
    const allocator = yield* ResourceAllocator.ResourceAllocator
    const predictor = yield* ResourcePredictor.ResourcePredictor
    const prover = yield* Effect.context<Prover.Prover>()
    const circuits = new Map(options.circuits.map((c) => [c.id, c]))
    // Paths a failure may name, replaced by their file names in what a client sees.
    const artifactFiles = options.circuits.flatMap((c) => [c.wasm, ...Object.values(c.keys).flatMap((k) => (k === undefined ? [] : [k.zkey, k.vkey]))])
    const maxInFlight = options.maxInFlight ?? 8
    const maxBody = options.maxBodyBytes ?? 1024 * 1024
    let inFlight = 0
    let sequence = 0
    const instance = randomBytes(6).toString("hex")

    const protocolsOf = (c: CircuitArtifacts): ReadonlyArray<Protocol> =>
      (["groth16", "plonk"] as const).filter((p) => c.keys[p] !== undefined)
    // Cost models per protocol: PLONK and Groth16 cost very differently. Without one, any model of the circuit.
    const keyOf = (c: CircuitArtifacts, protocol?: Protocol) =>
      protocol === undefined ? { circuitId: c.id, circuitFamily: c.family } : { circuitId: c.id, circuitFamily: c.family, prover: `snarkjs-${protocol}` }

    // How long until a new request would run: the requests ahead of it, in
    // waves as wide as the budget allows, each taking the predicted time.
    const predictedWait = (c: CircuitArtifacts) =>
      Effect.gen(function*() {
        const profile = ProofComputation.defaultProfile(c)
        const estimate = yield* predictor.estimate(profile, keyOf(c)).pipe(Effect.orDie)
        const budget = yield* allocator.budget.pipe(Effect.orDie)
        const width = Math.max(1, Math.min(Math.floor(budget.cores), Math.floor(budget.memory / Math.max(1, estimate.p95PeakMemory))))
        return { proving: estimate.estimatedTimeToComplete, wait: Math.ceil(inFlight / width) * estimate.estimatedTimeToComplete }
      })

    const authorized = (request: HttpServerRequest.HttpServerRequest) =>
      tokenMatches(request.headers["authorization"], Redacted.value(options.token))

    const prove = (request: HttpServerRequest.HttpServerRequest): Respond =>
      Effect.gen(function*() {
        if (!authorized(request)) return problem(401, "unauthorized", "a valid bearer token is required")
        const declared = Number(request.headers["content-length"] ?? "0")
        if (declared > maxBody) return problem(413, "too-large", `the body exceeds ${maxBody} bytes`)
        const body = yield* request.text.pipe(
          Effect.provideService(HttpIncomingMessage.MaxBodySize, ByteSize.bytes(BigInt(maxBody))),
          Effect.result
        )
        if (body._tag === "Failure") {
          const tooLarge = String(body.failure.reason).includes("BodyTooLarge") ||
            (body.failure.reason as { reason?: string }).reason === "BodyTooLarge"
          return tooLarge
            ? problem(413, "too-large", `the body exceeds ${maxBody} bytes`)
            : problem(400, "unreadable", "the body could not be read")
        }
        yield* Effect.annotateCurrentSpan({ "provident.request_bytes": body.success.length })
        const parsed = parseJson(body.success)
        if (parsed === undefined) return problem(400, "invalid-request", "the body is not valid JSON")
        const decoded = yield* Effect.result(ProverApi.decodeProofRequest(parsed.value))
        if (decoded._tag === "Failure") {
          const first = decoded.failure.issues[0]
          return problem(400, "invalid-request", first === undefined ? decoded.failure.message : `${first.path === "" ? "body" : first.path}: ${first.message}`, decoded.failure.field)
        }
        const req = decoded.success
        const circuit = circuits.get(req.circuit)
        // The id is echoed, bounded: a 50 KB id must not come back as a 50 KB error.
        if (circuit === undefined) return problem(404, "unknown-circuit", `this server has no circuit ${PublicText.excerpt(req.circuit)}`, "circuit")
        if (req.hash !== undefined && req.hash !== circuit.hash) {
          return problem(404, "unknown-circuit", `this server's ${circuit.id} has another hash`, "hash")
        }
        if (circuit.keys[req.protocol] === undefined) {
          return problem(400, "invalid-request", `${circuit.id} has no ${req.protocol} keys`, "protocol")
        }
        yield* Effect.annotateCurrentSpan({ "provident.circuit": circuit.id, "provident.protocol": req.protocol })
        if (inFlight >= maxInFlight) {
          const { wait } = yield* predictedWait(circuit)
          const seconds = Math.max(1, Math.ceil(wait / 1000))
          return json(503, { error: "busy", message: `${inFlight} requests are in flight; retry in ~${seconds}s` }, {
            "retry-after": String(seconds)
          })
        }
        inFlight++
        const started = yield* Clock.currentTimeMillis
        const deadline = Math.min(req.deadlineMs ?? options.defaultDeadlineMs ?? 60_000, options.maxDeadlineMs ?? 120_000)
        // Unique per request and per server run (two servers on one cache, or one restarted, never share an id).
        const id = `${circuit.id}#${instance}-${++sequence}`
        const outcome = yield* executor.execute(
          id,
          ProofComputation.computation(circuit, req.protocol, req.input),
          ProofComputation.defaultProfile(circuit, req.protocol),
          "medium",
          { circuit: keyOf(circuit, req.protocol), fatal: ProofComputation.isFatal, allowRemote: false }
        ).pipe(
          Effect.provide(prover),
          Effect.orDie,
          Effect.timeoutOption(deadline),
          Effect.ensuring(Effect.sync(() => inFlight--))
        )
        const totalMs = (yield* Clock.currentTimeMillis) - started
        if (Option.isNone(outcome)) {
          return problem(504, "deadline", `no proof within the ${deadline} ms deadline; the job was cancelled`)
        }
        const result = outcome.value
        if (result.success && result.result !== undefined) {
          const running = result.attempts.find((a) => a.outcome === "succeeded")?.elapsed ?? totalMs
          return json(200, {
            circuit: circuit.id,
            protocol: req.protocol,
            proof: result.result.proof.proof,
            publicSignals: result.result.proof.publicSignals,
            strategy: result.strategy ?? "unknown",
            timings: { totalMs, queuedMs: Math.max(0, totalMs - running) }
          } satisfies ProverApi.ProofResponse)
        }
        const error = result.error as { readonly _tag?: string; readonly reason?: string; readonly message?: string } | undefined
        if (error?._tag === "ProverError" && error.reason === "InvalidWitnessInput") {
          return problem(422, "invalid-input", `the input does not satisfy ${circuit.id}`, "input")
        }
        // The operator's log gets the whole message (prover messages never carry
        // input values); the client gets it without the server's file paths.
        const detail = error?.message ?? "the proof failed"
        yield* Effect.logError(`ProverServer: a proof of ${circuit.id} failed: ${detail}`).pipe(
          Effect.annotateLogs({ circuit: circuit.id, reason: error?.reason ?? error?._tag ?? "unknown" })
        )
        return problem(500, "proving-failed", PublicText.withoutPaths(detail, artifactFiles))
      }).pipe(Effect.withSpan("ProverServer.prove"))

    const capacity = (request: HttpServerRequest.HttpServerRequest): Respond =>
      Effect.gen(function*() {
        if (!authorized(request)) return problem(401, "unauthorized", "a valid bearer token is required")
        const budget = yield* allocator.budget.pipe(Effect.orDie)
        const list = yield* Effect.forEach(options.circuits, (c) =>
          predictedWait(c).pipe(Effect.map(({ proving, wait }) => ({
            id: c.id,
            hash: c.hash,
            constraints: c.constraints,
            protocols: protocolsOf(c),
            estimatedProvingMs: proving,
            predictedWaitMs: wait,
            insecureSetup: c.insecureSetup
          }))))
        return json(200, {
          freeMemory: Math.max(0, budget.memory - budget.granted.memory),
          totalMemory: budget.memory,
          freeCores: Math.max(0, budget.cores - budget.granted.cores),
          totalCores: budget.cores,
          inFlight,
          maxInFlight,
          circuits: list
        } satisfies ProverApi.CapacityResponse)
      }).pipe(Effect.withSpan("ProverServer.capacity"))

    const metrics = (request: HttpServerRequest.HttpServerRequest): Respond =>
      authorized(request)
        ? PrometheusMetrics.format().pipe(Effect.map((text) => HttpServerResponse.text(text, { contentType: "text/plain; version=0.0.4" })))
        : Effect.succeed(problem(401, "unauthorized", "a valid bearer token is required"))

    return Layer.mergeAll(
      HttpRouter.add("GET", "/healthz", HttpServerResponse.text("ok")),
      HttpRouter.add("POST", "/v1/proofs", prove),
      HttpRouter.add("GET", "/v1/capacity", capacity),
      HttpRouter.add("GET", "/metrics", metrics),
      options.corsOrigins === undefined || options.corsOrigins.length === 0 ? Layer.empty : cors(options.corsOrigins)
    )
  }))

/**
 * The server on `host:port` (default 127.0.0.1:8787) over the Provident
 * services and a prover in context. Invalid `corsOrigins` fail the layer
 * with `InvalidInput` naming the entry.
 */
export const layer = (options: Options) =>
  HttpRouter.serve(routes(options), { disableListenLog: true }).pipe(
    Layer.provideMerge(NodeHttpServer.layer(createServer, {
      host: options.host ?? "127.0.0.1",
      port: options.port ?? 8787,
      gracefulShutdownTimeout: options.gracePeriodMs ?? 10_000
    }))
  )
