/**
 * The dedicated Web Worker (a module worker, bundled by Vite) that
 * `BrowserSnarkjsProver` starts for every job: it answers one request and
 * is then terminated by the page, which frees everything it allocated (the
 * wasm memories, snarkjs's sub-workers) at once, cancelled or not.
 *
 * Threads: ffjavascript, snarkjs's field library, sizes its pool of
 * sub-workers from `navigator.hardwareConcurrency` when it builds a curve,
 * and has no other knob (besides `singleThread`). This worker belongs to
 * one grant, so before snarkjs is even imported it shadows
 * `hardwareConcurrency` on its own `navigator` with the granted thread
 * count (an own property hides the prototype's getter, for this worker
 * only). With one thread the curve is built with `singleThread: true`
 * (ffjavascript's inline engine, no sub-workers). Either way the curve is
 * left where snarkjs looks for its cached one (`globalThis.curve_bn128`),
 * so proving uses it instead of building another; the threads reported are
 * the engine's own count. (Verification runs in the page: `pageVerifier.ts`.)
 */
import { milestone } from "@provident/core/SnarkjsMessages"
import * as failure from "./proverFailure.ts"
import { decodeRequest, type Reply, type Request } from "./proverProtocol.ts"

interface WorkerScope {
  readonly navigator: object
  postMessage(message: unknown, transfer?: ReadonlyArray<Transferable>): void
  onmessage: ((event: MessageEvent) => void) | null
}

const scope = globalThis as unknown as WorkerScope

// circom's witness calculator prints failing signal values with console.log
// and console.error: nothing this worker prints may reveal private inputs.
for (const method of ["log", "info", "warn", "error", "debug", "trace"] as const) console[method] = () => {}

const send = (reply: Reply, transfer: ReadonlyArray<Transferable> = []) => scope.postMessage(reply, transfer)

/** Exactly the bytes of `data`, in a buffer of their own that can be transferred. */
const own = (data: Uint8Array): Uint8Array =>
  data.byteOffset === 0 && data.byteLength === data.buffer.byteLength ? data : data.slice()

const load = async (threads: number) => {
  Object.defineProperty(scope.navigator, "hardwareConcurrency", { value: threads, configurable: true })
  return await import("snarkjs")
}

/** Loads snarkjs, builds the curve with `threads` and announces it. */
const start = async (threads: number) => {
  const snarkjs = await load(threads)
  const curve = await snarkjs.curves.getCurveFromName("bn128", { singleThread: threads === 1 })
  globalThis.curve_bn128 = curve
  send({ _tag: "Started", threads: curve.tm.concurrency })
  return snarkjs
}

const usage = (started: number) => ({
  durationMs: performance.now() - started,
  threads: globalThis.curve_bn128?.tm.concurrency ?? 1
})

const run = async (request: Request): Promise<void> => {
  const started = performance.now()
  switch (request._tag) {
    case "Witness": {
      // Witness generation runs circom's wasm on this thread: no curve, no pool.
      const snarkjs = await load(1)
      send({ _tag: "Started", threads: 1 })
      const out: { type: "mem"; data?: Uint8Array } = { type: "mem" }
      try {
        await snarkjs.wtns.calculate(request.input, { type: "mem", data: request.wasm }, out)
      } catch (error) {
        return send({ _tag: "Failed", ...failure.witness(error) })
      }
      if (out.data === undefined) return send({ _tag: "Failed", reason: "Failed", message: "snarkjs computed no witness" })
      const witness = own(out.data)
      return send({ _tag: "WitnessDone", witness, usage: { ...usage(started), threads: 1 } }, [witness.buffer])
    }
    case "Prove": {
      const snarkjs = await start(request.threads)
      let reached = 0
      const debug = (line: string) => {
        const percent = milestone(request.protocol, line)
        if (percent !== undefined && percent > reached) send({ _tag: "Progress", percent: (reached = percent) })
      }
      try {
        const { proof, publicSignals } = await snarkjs[request.protocol].prove(
          { type: "mem", data: request.zkey },
          { type: "mem", data: request.witness },
          { debug, info: debug, warn: () => {}, error: () => {} }
        )
        return send({ _tag: "ProofDone", proof, publicSignals, usage: usage(started) })
      } catch (error) {
        return send({ _tag: "Failed", ...failure.proving(error) })
      }
    }
  }
}

let busy = false
send({ _tag: "Ready" })
scope.onmessage = (event) => {
  if (busy) return send({ _tag: "Failed", reason: "Failed", message: "a prover worker answers one request only" })
  busy = true
  const request = decodeRequest(event.data)
  if (request._tag === "None") return send({ _tag: "Failed", reason: "Failed", message: "the prover worker got a malformed request" })
  // Loading snarkjs or building the curve can fail too (out of memory, most likely).
  run(request.value).catch((error: unknown) =>
    send({ _tag: "Failed", ...(failure.outOfMemory(error) ?? { reason: "Failed", message: `the prover worker failed (${error instanceof Error ? error.name : "error"})` }) })
  )
}
