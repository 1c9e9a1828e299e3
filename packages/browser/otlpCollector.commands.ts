/**
 * Vitest browser commands that give the browser tests a real OTLP/HTTP
 * endpoint to export to. Commands run in Node, in vitest's own process:
 * `startOtlpCollector(origin)` listens on 127.0.0.1:0, answers CORS
 * preflights from the page's `origin` and records every POST (path and raw
 * body), answering 200 as a collector does; `otlpReceived(url, needles)`
 * tells, per request, its path, its size and which of `needles` its raw
 * bytes contain (so the test holds whether the exporter sent JSON or
 * protobuf); `stopOtlpCollector(url)` closes it.
 */
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import type { BrowserCommand } from "vitest/node"

export interface ReceivedExport {
  readonly path: string
  readonly bytes: number
  /** The needles found in the body. */
  readonly contains: ReadonlyArray<string>
}

const collectors = new Map<string, { readonly server: http.Server; readonly received: Array<{ readonly path: string; readonly body: Buffer }> }>()

const start = (origin: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const received: Array<{ readonly path: string; readonly body: Buffer }> = []
    const server = http.createServer((req, res) => {
      const cors = {
        "access-control-allow-origin": origin,
        "access-control-allow-methods": "POST, OPTIONS",
        "access-control-allow-headers": req.headers["access-control-request-headers"] ?? "content-type",
        "access-control-max-age": "600"
      }
      if (req.method === "OPTIONS") return void res.writeHead(204, cors).end()
      const chunks: Array<Buffer> = []
      req.on("data", (chunk: Buffer) => chunks.push(chunk))
      req.on("end", () => {
        if (req.method === "POST") received.push({ path: req.url ?? "", body: Buffer.concat(chunks) })
        res.writeHead(req.method === "POST" ? 200 : 405, { ...cors, "content-type": "application/json" }).end("{}")
      })
    })
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
      collectors.set(url, { server, received })
      resolve(url)
    })
  })

const stop = (url: string): Promise<void> =>
  new Promise((resolve) => {
    const collector = collectors.get(url)
    collectors.delete(url)
    if (collector === undefined) return resolve()
    collector.server.closeAllConnections()
    collector.server.close(() => resolve())
  })

export const otlpCollectorCommands = () => {
  const startOtlpCollector: BrowserCommand<[origin: string]> = (_context, origin) =>
    typeof origin === "string" && /^https?:\/\/[^/]+$/.test(origin)
      ? start(origin)
      : Promise.reject(new TypeError(`startOtlpCollector: expected the page's origin, got ${JSON.stringify(origin)}`))
  const otlpReceived: BrowserCommand<[url: string, needles: ReadonlyArray<string>]> = (_context, url, needles) =>
    Promise.resolve(
      (collectors.get(url)?.received ?? []).map((r): ReceivedExport => ({
        path: r.path,
        bytes: r.body.length,
        contains: needles.filter((needle) => r.body.includes(needle))
      }))
    )
  const stopOtlpCollector: BrowserCommand<[url: string]> = (_context, url) => stop(url)
  return { startOtlpCollector, otlpReceived, stopOtlpCollector }
}
