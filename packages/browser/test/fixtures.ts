/**
 * Shared by the browser tests: the example circuits as served by vitest's
 * Vite server (`/@fs/<absolute path>`), and the expected public output.
 */
import type { CircuitArtifacts } from "@provident/core/Prover"
import { Effect } from "effect"
import { inject } from "vitest"
import type {} from "vitest/browser"
import * as BrowserArtifacts from "../src/BrowserArtifacts.ts"

declare module "vitest" {
  export interface ProvidedContext {
    readonly circuitsDirectory: string
  }
}

/** The URL of a file of the committed example builds. */
export const circuitUrl = (path: string): string => `/@fs${inject("circuitsDirectory")}/${path}`

/** The artifacts of a committed example build, e.g. `square-1000`. */
export const loadCircuit = (id: string): Effect.Effect<CircuitArtifacts, unknown> => BrowserArtifacts.load(circuitUrl(`${id}/manifest.json`))

export const PRIME = 21888242871839275222246405745257275088548364400416034343698204186575808495617n

/** `x^(2^n) mod p`: the public output of `Squares(n)`. */
export const squares = (x: bigint, n: number): string => {
  let y = x % PRIME
  for (let i = 0; i < n; i++) y = (y * y) % PRIME
  return y.toString()
}

declare module "vitest/browser" {
  interface BrowserCommands {
    /** The URLs of the dedicated workers Chromium reports for the page (see vitest.config.ts). */
    readonly liveWorkers: () => Promise<ReadonlyArray<string>>
    /**
     * Starts a real `provident serve` (proving the committed `square-1000`)
     * on 127.0.0.1 that pages on `origin` may call; see proverServer.commands.ts.
     */
    readonly startProverServer: (origin: string) => Promise<{ readonly url: string; readonly token: string }>
    /** Stops the server `startProverServer` answered with `url`. */
    readonly stopProverServer: (url: string) => Promise<void>
    /** Starts a loopback OTLP/HTTP collector that pages on `origin` may post to; its base URL. See otlpCollector.commands.ts. */
    readonly startOtlpCollector: (origin: string) => Promise<string>
    /** What the collector at `url` received: per request its path, size and which `needles` its raw body holds. */
    readonly otlpReceived: (
      url: string,
      needles: ReadonlyArray<string>
    ) => Promise<ReadonlyArray<{ readonly path: string; readonly bytes: number; readonly contains: ReadonlyArray<string> }>>
    /** Stops the collector at `url`. */
    readonly stopOtlpCollector: (url: string) => Promise<void>
  }
}
