/**
 * The restart that once proved another request's witness: a real server
 * proving progressively (every proof checkpoints its witness) is SIGKILLed
 * with requests in flight and restarted on the same checkpoint directory;
 * every new request must get the proof of its own input, and what the dead
 * server left is unreadable and swept at start-up. Then each way a job can
 * end (proved, invalid input, past its deadline, abandoned by its client)
 * must leave nothing in the checkpoint directory: with a scripted prover in
 * this process, so the deadline falls between witness and proof every time.
 */
import { NodeHttpClient } from "@effect/platform-node"
import { afterAll, assert, describe, it } from "@effect/vitest"
import { Prover } from "@provident/core/Prover"
import { Effect, Fiber, Layer, Redacted, Ref } from "effect"
import { type ChildProcess, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import * as NodeProvident from "../src/NodeProvident.ts"
import * as ProverServer from "../src/ProverServer.ts"
import { nominalProbe } from "./promiseNodeOptions.ts"
import { baseUrl, circuit, scriptedProver, square1000Output, token, VIOLATING } from "./serverFixtures.ts"

const script = fileURLToPath(new URL("./fixtures/progressive-server.ts", import.meta.url))
const restartToken = "restart-test-token-0123"
const children: Array<ChildProcess> = []
afterAll(() => {
  for (const c of children) c.kill("SIGKILL")
})

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Starts the server on `checkpoints`; resolves with its base URL once it listens. */
const startServer = async (checkpoints: string) => {
  const child = spawn(process.execPath, ["--conditions=@provident/source", script, checkpoints, restartToken], { stdio: ["ignore", "pipe", "inherit"] })
  children.push(child)
  const port = await new Promise<number>((resolve, reject) => {
    let out = ""
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString()
      const match = /listening \S+:(\d+)/.exec(out)
      if (match !== null) resolve(Number(match[1]))
    })
    child.on("exit", (code) => reject(new Error(`the server exited with ${code} before listening`)))
  })
  return { child, base: `http://127.0.0.1:${port}` }
}

const prove = (
  base: string,
  x: string,
  options: { readonly deadlineMs?: number; readonly signal?: AbortSignal; readonly circuit?: string; readonly token?: string } = {}
) =>
  fetch(`${base}/v1/proofs`, {
    method: "POST",
    headers: { authorization: `Bearer ${options.token ?? restartToken}`, "content-type": "application/json" },
    body: JSON.stringify({ circuit: options.circuit ?? "square-1000", protocol: "groth16", input: { x }, deadlineMs: options.deadlineMs ?? 60_000 }),
    ...(options.signal === undefined ? {} : { signal: options.signal })
  }).then(async (r) => ({ status: r.status, body: await r.json() as { publicSignals?: ReadonlyArray<string> } }))

/** Every checkpoint file in place under `dir` (not owner records, not files still being written). */
const checkpointFiles = (dir: string) =>
  fs.existsSync(dir)
    ? fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile() && /^[0-9a-f]{40}\.json$/.test(d.name)).map((d) => path.join(d.parentPath, d.name))
    : []
const everything = (dir: string) => (fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true }) : [])

const waitFor = async (what: string, condition: () => boolean, ms = 60_000) => {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(10)) if (condition()) return
  throw new Error(`timed out waiting for ${what}`)
}

describe("provident serve across a crash", () => {
  const checkpoints = fs.mkdtempSync(path.join(os.tmpdir(), "provident-restart-"))
  it("a server killed mid-proof leaves only ciphertext; its successor sweeps it and proves each request's own input", async () => {
    const first = await startServer(checkpoints)
    const inFlight = ["2", "3"].map((x) => prove(first.base, x).catch(() => undefined))
    await waitFor("a witness checkpoint", () => checkpointFiles(checkpoints).length > 0)
    first.child.kill("SIGKILL")
    await Promise.all(inFlight)
    await new Promise((r) => (first.child.exitCode !== null || first.child.signalCode !== null ? r(undefined) : first.child.once("exit", r)))

    const left = checkpointFiles(checkpoints)
    assert.isAbove(left.length, 0, "the killed server could not clean up")
    for (const file of left) {
      const text = fs.readFileSync(file, "utf8")
      assert.notInclude(text, "$provident.bytes", "no plaintext witness on disk")
      assert.match(text, /"iv":/)
    }

    const second = await startServer(checkpoints)
    assert.deepStrictEqual(everything(checkpoints), [], "the dead server's checkpoints were swept at start-up")

    // Numbered from 1 again, as the dead server's jobs were: each must get its own proof.
    const answers = await Promise.all(["7", "8", "9"].map((x) => prove(second.base, x)))
    answers.forEach((answer, i) => {
      assert.strictEqual(answer.status, 200)
      assert.strictEqual(answer.body.publicSignals?.[0], square1000Output(BigInt(7 + i)), `request ${i} got the proof of its own input`)
    })
    assert.deepStrictEqual(everything(checkpoints), [], "and left nothing behind")
  }, 180_000)
})

describe("provident serve: nothing a job saved outlives it", () => {
  const checkpoints = fs.mkdtempSync(path.join(os.tmpdir(), "provident-ends-"))
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "provident-ends-stores-"))
  // Each phase of the scripted prover takes `delay`: the witness is checkpointed at 1 s, the proof would be ready at 2 s.
  const server = Layer.unwrap(Effect.gen(function*() {
    const prover = yield* scriptedProver
    yield* Ref.set(prover.delay, 1000)
    return ProverServer.layer({ port: 0, token: Redacted.make(token), circuits: [circuit] }).pipe(
      Layer.provide(Layer.succeed(Prover, prover.service)),
      Layer.provide(NodeProvident.layer({
        monitor: { sampleInterval: 200 },
        probe: nominalProbe(dir),
        executor: { enabledStrategies: ["PROGRESSIVE_COMPUTATION"], retries: 0 },
        modelStore: { file: path.join(dir, "models.json") },
        checkpoints: { directory: checkpoints }
      }))
    )
  }))
  const post = (x: string, options: { readonly deadlineMs?: number; readonly signal?: AbortSignal } = {}) =>
    Effect.flatMap(baseUrl, (base) => Effect.promise(() => prove(base, x, { ...options, circuit: circuit.id, token }).catch(() => undefined)))
  /** Runs `request` while watching the checkpoint directory: the answer, and whether a checkpoint was ever on disk meanwhile. */
  const watching = <A, R>(request: Effect.Effect<A, never, R>) =>
    Effect.gen(function*() {
      let saw = false
      const timer = setInterval(() => void (saw ||= checkpointFiles(checkpoints).length > 0), 5)
      const answer = yield* Effect.ensuring(request, Effect.sync(() => clearInterval(timer)))
      return { answer, saw }
    })
  const settled = Effect.promise(() => waitFor("the job's checkpoints to go", () => everything(checkpoints).length === 0, 10_000))

  it.live("proved, invalid input, past the deadline (504), abandoned by the client: the directory is empty after each", () =>
    Effect.gen(function*() {
      const proved = yield* watching(post("6"))
      assert.strictEqual(proved.answer?.status, 200)
      assert.isTrue(proved.saw, "the witness was checkpointed")
      yield* settled

      const invalid = yield* post(VIOLATING)
      assert.strictEqual(invalid?.status, 422)
      yield* settled

      const late = yield* watching(post("7", { deadlineMs: 1500 }))
      assert.strictEqual(late.answer?.status, 504)
      assert.isTrue(late.saw, "the deadline passed with the witness checkpointed")
      yield* settled

      const abort = new AbortController()
      const abandoned = yield* Effect.forkChild(post("8", { signal: abort.signal }), { startImmediately: true })
      yield* Effect.promise(() => waitFor("a witness checkpoint", () => checkpointFiles(checkpoints).length > 0))
      abort.abort()
      yield* Fiber.join(abandoned)
      yield* settled
      assert.deepStrictEqual(everything(checkpoints), [])
    }).pipe(Effect.provide(server), Effect.provide(NodeHttpClient.layerUndici)), 60_000)
})
