/**
 * The `RemoteProver` in a browser: `HttpRemoteProver` (one or more
 * `provident serve` endpoints) over `fetch`, verifying every proof it gets
 * back in the page with a `BrowserSnarkjsProver` of its own. That prover
 * keeps no warm worker: verification runs on the page's thread, so
 * configuring a fallback costs nothing until it is used.
 * `BrowserProvident.layer({ remote })` and the Promise facade's
 * `serverFallbackEndpoint` are both built on it.
 *
 * The page calls another origin, so the server must allow it
 * (`provident serve --cors-origin <the page's origin>`). No trace headers
 * are sent: they would widen the preflight beyond what the server allows
 * (`authorization, content-type`).
 *
 * @since 0.1.0
 */
import { HttpRemoteProver, type Prover, type ProvidentError, type RemoteProver } from "@provident/core"
import { Effect, Layer } from "effect"
import { FetchHttpClient, HttpClient } from "effect/http"
import * as BrowserSnarkjsProver from "./BrowserSnarkjsProver.ts"

/** The prover that checks remote proofs: no warm worker (verification runs in the page). */
export const verifier = (): Layer.Layer<Prover.Prover> => BrowserSnarkjsProver.layer({ warm: 0 })

/**
 * `fetch` without trace propagation: `traceparent` and `b3` are not
 * CORS-safelisted, so a browser would preflight them and `provident serve`
 * would refuse the request.
 */
export const httpClient: Layer.Layer<HttpClient.HttpClient> = Layer.effect(
  HttpClient.HttpClient,
  Effect.map(HttpClient.HttpClient, (client) =>
    HttpClient.transform(client, (execute) => Effect.provideService(execute, HttpClient.TracerPropagationEnabled, false)))
).pipe(Layer.provide(FetchHttpClient.layer))

/**
 * The HTTP remote prover over `fetch`. Proofs are verified with `verify`
 * (default: a `verifier()` of its own; pass the application's prover layer
 * to share it). Invalid options (an endpoint that is not an absolute URL,
 * plain HTTP to a host other than loopback without `allowInsecureHttp`)
 * fail the layer with `InvalidInput` naming the field.
 */
export const layer = (
  options: HttpRemoteProver.Options,
  verify: Layer.Layer<Prover.Prover> = verifier()
): Layer.Layer<RemoteProver.RemoteProver, ProvidentError.InvalidInput> =>
  HttpRemoteProver.layer(options).pipe(Layer.provide([httpClient, verify]))
