/**
 * `provident serve` under load: 200 concurrent proof requests for the small
 * example circuit against one server with a small memory budget. Every
 * request must end in a proof or a 503 with `Retry-After` (nothing lost, no
 * crash), and a client that honours `Retry-After` must eventually get all
 * 200 proofs. Memory is measured in two parts, each at its own peak: the
 * server's prover children together, which the budget covers (grants for
 * the jobs' children; idle warm children and the verifier make room for
 * them), and the server's own process, which it does not. The children must
 * stay within the budget (`withinBudget`, else the bench exits non-zero),
 * so the tree stays within the budget plus the server's own process.
 *
 * Environment: BENCH_REQUESTS (200), BENCH_BUDGET_MB (400).
 */
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as net from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { sampler } from "./proving/treeRss.ts"

const here = path.dirname(fileURLToPath(import.meta.url))
const requests = Number(process.env.BENCH_REQUESTS ?? 200)
const budgetMb = Number(process.env.BENCH_BUDGET_MB ?? 400)
const MB = 1024 * 1024

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port
      s.close(() => resolve(port))
    })
  })

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "provident-server-bench-"))
const tokenFile = path.join(dir, "token")
const token = "bench-token-0123456789"
fs.writeFileSync(tokenFile, token)
const port = await freePort()
const server = spawn(process.execPath, [
  "--conditions=@provident/source", path.join(here, "..", "src", "bin.ts"), "serve",
  "--port", String(port), "--token-file", tokenFile, "--budget-mb", String(budgetMb), "--max-in-flight", "8"
], { stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, XDG_CACHE_HOME: dir } })
const base = `http://127.0.0.1:${port}`
for (let i = 0; i < 150; i++) {
  if (await fetch(`${base}/healthz`).then((r) => r.ok, () => false)) break
  await new Promise((r) => setTimeout(r, 200))
}
const memory = sampler(server.pid!, 50)

type Answer = { readonly status: number; readonly retryAfter: number | undefined }
const post = (i: number): Promise<Answer> =>
  fetch(`${base}/v1/proofs`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ circuit: "square-1000", protocol: "groth16", input: { x: String(i + 2) }, deadlineMs: 120_000 })
  }).then(async (r) => {
    await r.arrayBuffer()
    const header = r.headers.get("retry-after")
    return { status: r.status, retryAfter: header === null ? undefined : Number(header) }
  }, () => ({ status: 0, retryAfter: undefined }))

// First wave: all at once, no retries: each ends in a proof or a 503 with Retry-After.
const started = performance.now()
const first = await Promise.all(Array.from({ length: requests }, (_, i) => post(i)))
const proved = first.filter((a) => a.status === 200).length
const rejected503 = first.filter((a) => a.status === 503).length
const without = first.filter((a) => a.status === 503 && a.retryAfter === undefined).length
const odd = first.filter((a) => a.status !== 200 && a.status !== 503).length

// A client that honours Retry-After: every request, retried until it has its proof.
const latencies: Array<number> = []
let lost = 0
await Promise.all(Array.from({ length: requests }, async (_, i) => {
  const t0 = performance.now()
  for (let attempt = 0; attempt < 400; attempt++) {
    const answer = await post(i)
    if (answer.status === 200) {
      latencies.push(performance.now() - t0)
      return
    }
    if (answer.status !== 503) break
    await new Promise((r) => setTimeout(r, (answer.retryAfter ?? 1) * 1000))
  }
  lost++
}))
const elapsed = performance.now() - started
const peak = memory.stop()
const childrenPeakMb = Math.round(memory.childrenPeak() / MB)
const ownProcessMb = Math.round(memory.ownPeak() / MB)
const withinBudget = memory.childrenPeak() <= budgetMb * MB
server.kill("SIGTERM")
await new Promise((r) => server.on("exit", r))

latencies.sort((a, b) => a - b)
const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.max(0, Math.ceil(p * latencies.length) - 1))] ?? Number.NaN
console.log(`first wave of ${requests}: ${proved} proved, ${rejected503} answered 503 (${without} without Retry-After), ${odd} other`)
console.log(`honouring Retry-After: ${latencies.length} of ${requests} proved, ${lost} lost, in ${(elapsed / 1000).toFixed(1)} s; p50 ${q(0.5).toFixed(0)} ms, p99 ${q(0.99).toFixed(0)} ms`)
console.log(`prover children peak ${childrenPeakMb} MB for a ${budgetMb} MB budget: ${withinBudget ? "within it" : "OVER IT"}`)
console.log(`server's own process peak ${ownProcessMb} MB (not in the budget); whole tree peak ${(peak / MB).toFixed(0)} MB (at most ${budgetMb} + ${ownProcessMb} MB when within budget; processes then, MB: ${memory.composition().join(", ")})`)
console.log(JSON.stringify({
  bench: "server",
  requests,
  proved: latencies.length,
  rejected503,
  lost: lost + odd + without,
  peakRssMb: Math.round(peak / MB),
  childrenPeakMb,
  ownProcessMb,
  withinBudget,
  p50Ms: Math.round(q(0.5)),
  p99Ms: Math.round(q(0.99))
}))
if (!withinBudget) {
  console.error(`the prover children held ${childrenPeakMb} MB, over the ${budgetMb} MB budget`)
  process.exit(1)
}
