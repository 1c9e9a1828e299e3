/**
 * Vitest browser commands that give the browser tests a real `provident
 * serve` to fall back on. Commands run in Node, in vitest's own process:
 * `startProverServer(origin)` starts `ProverServer` (from `@provident/node`,
 * a dev dependency) on 127.0.0.1:0, proving the committed `square-1000` with
 * snarkjs under the Node stack, with a fresh token and CORS open to the test
 * page's `origin`, and answers `{ url, token }`; `stopProverServer(url)`
 * closes it and removes its temporary stores (the tests call it in
 * `afterAll`).
 *
 * `@provident/node` is imported on first use, so loading the config (the
 * demo's too) stays cheap.
 */
import * as fs from "node:fs"
import { registerHooks } from "node:module"
import * as os from "node:os"
import * as path from "node:path"
import type { BrowserCommand } from "vitest/node"

export interface StartedServer {
  /** Base URL, `http://127.0.0.1:<port>`. */
  readonly url: string
  /** The bearer token it wants. */
  readonly token: string
}

const NOMINAL_PSI = "some avg10=0.00 avg60=0.00 avg300=0.00 total=0\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"

/**
 * This machine as it is, but pressure read as nominal: the allocator holds
 * back work under pressure (by design), and the browser and the other test
 * files keep the cores busy; they must not decide whether the server proves.
 */
const nominalPressure = (file: string): string | undefined => {
  if (/(^\/proc\/pressure\/|\.pressure$)/.test(file)) return NOMINAL_PSI
  try {
    return fs.readFileSync(file, "utf8")
  } catch {
    return undefined
  }
}

/**
 * `@provident/node` is imported here by Node itself (vitest's own process,
 * not Vite): from this repository's sources, as Vite resolves it for the
 * tests (the `@provident/source` export condition). Its name is hidden from
 * the bundler of this config (which would resolve it to the built package).
 */
const NODE_PACKAGE: string = "@provident/node"
registerHooks({
  resolve: (specifier, context, next) =>
    next(specifier, specifier.startsWith("@provident/") ? { ...context, conditions: ["@provident/source", ...context.conditions] } : context)
})

const running = new Map<string, { readonly dispose: () => Promise<void> }>()

const start = async (circuitsDirectory: string, origin: string): Promise<StartedServer> => {
  const [{ Artifacts, NodeProvident, NodeSnarkjsProver, ProverServer }, { Effect, Layer, ManagedRuntime, Redacted, References }, { HttpServer }] =
    await Promise.all([import(NODE_PACKAGE) as Promise<typeof import("@provident/node")>, import("effect"), import("effect/http")])
  const circuit = await Effect.runPromise(
    Effect.flatMap(Artifacts.Artifacts, (a) => a.load(path.join(circuitsDirectory, "square-1000"))).pipe(Effect.provide(Artifacts.layer()))
  )
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "provident-browser-server-"))
  const token = `browser-test-${crypto.randomUUID()}`
  const stack = NodeProvident.layer({
    monitor: { sampleInterval: 200 },
    probe: { storagePath: dir, readFile: nominalPressure },
    modelStore: { file: path.join(dir, "models.json") },
    checkpoints: { directory: path.join(dir, "checkpoints") }
  })
  const server = ProverServer.layer({ port: 0, token: Redacted.make(token), circuits: [circuit], corsOrigins: [origin] }).pipe(
    Layer.provide(stack.pipe(Layer.provideMerge(NodeSnarkjsProver.layer({ warm: 0 })))),
    // Its request log would fill the test output; its warnings and errors still show.
    Layer.provide(Layer.succeed(References.MinimumLogLevel, "Warn"))
  )
  const runtime = ManagedRuntime.make(server)
  const dispose = () => runtime.dispose().finally(() => fs.rmSync(dir, { recursive: true, force: true }))
  try {
    const url = await runtime.runPromise(Effect.map(HttpServer.HttpServer, (s) => HttpServer.formatAddress(s.address)))
    running.set(url, { dispose })
    return { url, token }
  } catch (error) {
    await dispose()
    throw error
  }
}

const stop = async (url: string): Promise<void> => {
  const server = running.get(url)
  running.delete(url)
  await server?.dispose()
}

/** The commands, over the directory of the committed example builds. */
export const proverServerCommands = (circuitsDirectory: string) => {
  const startProverServer: BrowserCommand<[origin: string]> = (_context, origin) => {
    if (typeof origin !== "string" || !/^https?:\/\/[^/]+$/.test(origin)) {
      return Promise.reject(new TypeError(`startProverServer: expected the page's origin, got ${JSON.stringify(origin)}`))
    }
    return start(circuitsDirectory, origin)
  }
  const stopProverServer: BrowserCommand<[url: string]> = (_context, url) => stop(url)
  return { startProverServer, stopProverServer }
}
