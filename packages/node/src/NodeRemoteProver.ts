/**
 * The `RemoteProver` on Node: `HttpRemoteProver` (one or more `provident
 * serve` endpoints) over undici, verifying every proof it gets back with a
 * `NodeSnarkjsProver` of its own. That prover keeps no warm children: it
 * only verifies, in one single-threaded child started on the first remote
 * proof, so configuring a fallback costs no memory until it is used.
 * `NodeProvident.layer({ remote })` and the Promise facade's
 * `serverFallbackEndpoint` are both built on it.
 *
 * @since 0.1.0
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { HttpRemoteProver, type Prover, type ProvidentError, type RemoteProver } from "@provident/core"
import { Layer } from "effect"
import * as NodeSnarkjsProver from "./NodeSnarkjsProver.ts"

/** The prover that checks remote proofs: no warm proving children, its verifier child started on first use. */
export const verifier = (): Layer.Layer<Prover.Prover> => NodeSnarkjsProver.layer({ warm: 0 })

/**
 * The HTTP remote prover over undici. Proofs are verified with `verify`
 * (default: a `verifier()` of its own; pass the application's prover layer
 * to share its verifier child). Invalid options (an endpoint that is not an
 * absolute URL, plain HTTP to a host other than loopback without
 * `allowInsecureHttp`) fail the layer with `InvalidInput` naming the field.
 */
export const layer = (
  options: HttpRemoteProver.Options,
  verify: Layer.Layer<Prover.Prover> = verifier()
): Layer.Layer<RemoteProver.RemoteProver, ProvidentError.InvalidInput> =>
  HttpRemoteProver.layer(options).pipe(Layer.provide([NodeHttpClient.layerUndici, verify]))
