/**
 * The child process `NodeSnarkjsProver` forks for each proving job (run by
 * Node's type stripping: erasable syntax only; it imports types but no
 * Effect or `@provident/core` code, see `proverRequest.ts`). It loads
 * snarkjs and starts its thread pool while idle, says `Ready`, and answers
 * jobs. A job that ends well leaves the process to serve the next job with
 * its key (a new process costs ~1 s of CPU); one that fails or is
 * interrupted ends it (SIGKILL from the parent frees every byte at once). Each job's peak
 * memory is its own: the kernel's high-water mark (`VmHWM`) is reset before
 * the job starts (Linux), else the process's `maxRSS` is reported.
 *
 * Threads: ffjavascript sizes snarkjs's pool from `os.cpus().length` when
 * it first builds the curve, and has no other knob. This process belongs to
 * one grant, so `os.cpus` is replaced here, before snarkjs loads, by one of
 * `PROVIDENT_PROVER_THREADS` entries. With one thread the curve is built
 * with `singleThread: true` (ffjavascript's inline engine, no worker pool).
 * Either way it is built while idle and left where snarkjs looks for its
 * cached curve (`globalThis.curve_bn128`), so a proof neither waits for a
 * pool nor rebuilds the single-threaded engine (~0.4 s) as
 * `prove(…, { singleThread: true })` would; the threads reported are the
 * engine's own count.
 */
import os from "node:os"
import { readFileSync, writeFileSync } from "node:fs"
import { readFile } from "node:fs/promises"
import * as failure from "./proverFailure.ts"
import { milestone } from "@provident/core/SnarkjsMessages"
import { matchKey } from "@provident/core/PublicSignals"
import type { Reply, Request } from "./proverProtocol.ts"
import { parseRequest, THREADS_ENV } from "./proverRequest.ts"

// circom's witness calculator prints failing signal values with console.log
// and console.error: nothing this process prints may reveal private inputs.
for (const method of ["log", "info", "warn", "error", "debug", "trace"] as const) console[method] = () => {}

const threads = Math.max(1, Math.floor(Number(process.env[THREADS_ENV] ?? "1")) || 1)
// Bound ffjavascript's pool (see above): it reads os.cpus().length when the curve is built.
const cpus = os.cpus()
const anyCpu = cpus[0] ?? { model: "", speed: 0, times: { user: 0, nice: 0, sys: 0, idle: 0, irq: 0 } }
os.cpus = () => Array.from({ length: threads }, (_, i) => cpus[i % Math.max(1, cpus.length)] ?? anyCpu)

const send = (reply: Reply) => process.send?.(reply)

// Orphaned (the parent died without killing us): nothing left to answer.
process.on("disconnect", () => process.exit(0))

const snarkjs = await import("snarkjs")
const curve = await snarkjs.curves.getCurveFromName("bn128", { singleThread: threads === 1 })
globalThis.curve_bn128 = curve

/** Resets the kernel's peak-RSS mark of this process to its current RSS (Linux ≥ 4.0); false elsewhere. */
const resetPeak = (): boolean => {
  try {
    writeFileSync("/proc/self/clear_refs", "5")
    return true
  } catch {
    return false
  }
}

/** The peak RSS since `resetPeak`, or over the process's life where that is unavailable. */
const peakRss = (): number => {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"))
    if (match !== null) return Number(match[1]) * 1024
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS * 1024
}

const usage = (started: number, cpu: NodeJS.CpuUsage) => ({
  durationMs: performance.now() - started,
  peakMemoryBytes: peakRss(),
  // process.cpuUsage counts every thread of this process: snarkjs's pool included.
  cpuMs: (() => {
    const used = process.cpuUsage(cpu)
    return (used.user + used.system) / 1000
  })(),
  threads: globalThis.curve_bn128?.tm.concurrency ?? threads
})

const run = async (request: Request): Promise<Reply> => {
  resetPeak()
  const started = performance.now()
  const cpu = process.cpuUsage()
  switch (request._tag) {
    case "Witness": {
      const out: { type: "mem"; data?: Uint8Array } = { type: "mem" }
      try {
        await snarkjs.wtns.calculate(request.input, request.wasm, out)
      } catch (error) {
        return { _tag: "Failed", ...failure.witness(error) }
      }
      if (out.data === undefined) return { _tag: "Failed", reason: "Failed", message: "snarkjs computed no witness" }
      return { _tag: "WitnessDone", witness: out.data, usage: usage(started, cpu) }
    }
    case "Prove": {
      let reached = 0
      const debug = (line: string) => {
        const percent = milestone(request.protocol, line)
        if (percent !== undefined && percent > reached) send({ _tag: "Progress", percent: (reached = percent) })
      }
      const logger = { debug, info: debug, warn: () => {}, error: () => {} }
      try {
        const witness = { type: "mem" as const, data: request.witness }
        // Not `singleThread: true`: that builds a new engine; the cached one already has the granted threads.
        const { proof, publicSignals } = await snarkjs[request.protocol].prove(request.zkey, witness, logger)
        return { _tag: "ProofDone", proof, publicSignals, usage: usage(started, cpu) }
      } catch (error) {
        return { _tag: "Failed", ...failure.proving(error) }
      }
    }
    case "Verify": {
      try {
        const vkey: unknown = JSON.parse(await readFile(request.vkey, "utf8"))
        // snarkjs's Groth16 verify does not check the count itself: a truncated statement could pass.
        if (!matchKey(vkey, request.publicSignals)) return { _tag: "Verified", valid: false }
        const valid = await snarkjs[request.protocol].verify(vkey, request.publicSignals, request.proof)
        return { _tag: "Verified", valid }
      } catch (error) {
        return { _tag: "Failed", ...failure.verifying(error) }
      }
    }
  }
}

process.on("message", (raw: unknown) => {
  const request = parseRequest(raw)
  if (request === undefined) send({ _tag: "Failed", reason: "Failed", message: "the prover process got a malformed request" })
  else void run(request).then(send)
})
send({ _tag: "Ready", threads: curve.tm.concurrency })

declare global {
  // Where ffjavascript caches the curve snarkjs proves with.
  var curve_bn128: { readonly tm: { readonly concurrency: number }; terminate(): Promise<void> } | null | undefined
}
