/** The `provident` executable, run as a user would run it. */
import { assert, describe, it } from "@effect/vitest"
import { DeviceInfo, ResourceSnapshot } from "@provident/core"
import { Effect } from "effect"
import { spawn, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { damagedCopy } from "./damagedCircuits.ts"

const bin = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "src", "bin.ts")
// A cache directory of its own, so the CLI's learned models never touch the user's.
const env = { ...process.env, XDG_CACHE_HOME: fs.mkdtempSync(path.join(os.tmpdir(), "provident-cli-")) }
const provident = (...args: ReadonlyArray<string>) =>
  spawnSync(process.execPath, ["--conditions=@provident/source", bin, ...args], { encoding: "utf8", timeout: 120_000, env })
const examples = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "examples", "circuits", "build")

describe("provident doctor", () => {
  it.effect("--json prints the device, then readings that decode", () =>
    Effect.gen(function*() {
      const run = provident("doctor", "--seconds", "1", "--interval", "250", "--json")
      assert.strictEqual(run.status, 0, run.stderr)
      const lines = run.stdout.trim().split("\n").map((l) => JSON.parse(l))
      const device = yield* DeviceInfo.decode(lines[0].device)
      assert.strictEqual(device.platform, process.platform)
      assert.strictEqual(lines.length, 1 + 1 + 4, "the device, the first reading, 4 live readings")
      for (const line of lines.slice(1)) {
        const snapshot = yield* ResourceSnapshot.decode(line.snapshot)
        assert.isFalse(snapshot.stale)
        assert.isTrue(line.load >= 0 && line.load <= 1)
      }
    }))

  it("prints a readable report", () => {
    const run = provident("doctor", "--seconds", "0")
    assert.strictEqual(run.status, 0, run.stderr)
    for (const heading of ["Device", "Container limits", "Readings at", "memory", "pressure"]) {
      assert.include(run.stdout, heading)
    }
  })

  it("rejects an invalid flag, naming it", () => {
    const run = provident("doctor", "--interval", "5")
    assert.notStrictEqual(run.status, 0)
    assert.match(run.stdout + run.stderr, /interval/)
  })
})

describe("provident prove, serve, bench", () => {
  const input = path.join(env.XDG_CACHE_HOME, "input.json")
  fs.writeFileSync(input, JSON.stringify({ x: "12345" }))

  it("prove prints a verified proof as JSON", () => {
    const run = provident("prove", "square-1000", "--input", input, "--circuits-dir", examples)
    assert.strictEqual(run.status, 0, run.stderr)
    const out = JSON.parse(run.stdout)
    assert.strictEqual(out.circuit, "square-1000")
    assert.strictEqual(out.protocol, "groth16")
    assert.isTrue(out.verified)
    assert.isTrue(out.insecureSetup)
    assert.lengthOf(out.publicSignals, 1)
    assert.match(run.stderr, /witness|proving/, "progress went to stderr")
  })

  it("prove --protocol plonk --priority low, traced to OTEL_EXPORTER_OTLP_ENDPOINT without the input", async () => {
    const received: Array<{ readonly path: string; readonly body: Buffer }> = []
    const collector = http.createServer((req, res) => {
      const chunks: Array<Buffer> = []
      req.on("data", (chunk: Buffer) => chunks.push(chunk))
      req.on("end", () => {
        received.push({ path: req.url ?? "", body: Buffer.concat(chunks) })
        res.writeHead(200, { "content-type": "application/json" }).end("{}")
      })
    })
    await new Promise<void>((resolve) => collector.listen(0, "127.0.0.1", resolve))
    try {
      const endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`
      const child = spawn(process.execPath, ["--conditions=@provident/source", bin, "prove", "square-1000", "--input", input, "--circuits-dir", examples, "--protocol", "plonk", "--priority", "low"], {
        env: { ...env, OTEL_EXPORTER_OTLP_ENDPOINT: endpoint }
      })
      let stdout = ""
      let stderr = ""
      child.stdout.on("data", (d) => (stdout += d))
      child.stderr.on("data", (d) => (stderr += d))
      const code = await new Promise<number | null>((resolve) => child.on("exit", resolve))
      assert.strictEqual(code, 0, stderr)
      const out = JSON.parse(stdout)
      assert.strictEqual(out.protocol, "plonk")
      assert.isTrue(out.verified)
      assert.strictEqual(out.proof.protocol, "plonk")
      assert.match(stderr, /INSECURE/, "the single-party setup is labelled")
      const traces = Buffer.concat(received.filter((r) => r.path === "/v1/traces").map((r) => r.body))
      assert.isAbove(traces.length, 0, "the run's traces were exported before it exited")
      assert.isAbove(traces.indexOf("AdaptiveExecutor.execute"), -1)
      assert.strictEqual(traces.indexOf("12345"), -1, "the input never leaves")
    } finally {
      collector.closeAllConnections()
      await new Promise((resolve) => collector.close(resolve))
    }
  })

  it("prove refuses an unknown circuit and a missing input, naming them", () => {
    const unknown = provident("prove", "nope", "--input", input, "--circuits-dir", examples)
    assert.notStrictEqual(unknown.status, 0)
    assert.match(unknown.stdout + unknown.stderr, /no circuit nope/)
    const missing = provident("prove", "square-1000", "--input", "/nonexistent.json", "--circuits-dir", examples)
    assert.notStrictEqual(missing.status, 0)
    assert.match(missing.stdout + missing.stderr, /cannot read the input file \/nonexistent\.json/)
  })

  it("prove refuses an integer JSON would round, or a value outside the field, naming the signal and not the value", () => {
    const unsafe = path.join(env.XDG_CACHE_HOME, "unsafe.json")
    fs.writeFileSync(unsafe, `{"x": 9007199254740993}`)
    const run = provident("prove", "square-1000", "--input", unsafe, "--circuits-dir", examples)
    assert.notStrictEqual(run.status, 0, "not proved as …992")
    assert.include(run.stdout + run.stderr, "input.x: must be a safe integer; send larger values as decimal strings")
    assert.notInclude(run.stdout + run.stderr, "900719925474099")
    const outside = path.join(env.XDG_CACHE_HOME, "outside.json")
    fs.writeFileSync(outside, JSON.stringify({ x: "21888242871839275222246405745257275088548364400416034343698204186575808495618" }))
    const big = provident("prove", "square-1000", "--input", outside, "--circuits-dir", examples)
    assert.notStrictEqual(big.status, 0)
    assert.include(big.stdout + big.stderr, "input.x: must be below the BN254 scalar field modulus")
  })

  it("prove loads its circuit beside a damaged one, warning about it; the damaged one itself is refused saying why", () => {
    const damaged = damagedCopy({ corrupt: "square-4000", remove: "square-16000" })
    const run = provident("prove", "square-1000", "--input", input, "--circuits-dir", damaged)
    assert.strictEqual(run.status, 0, run.stderr)
    assert.isTrue(JSON.parse(run.stdout).verified, "warnings stay off stdout")
    assert.match(run.stderr, /skipping circuit square-4000 .*groth16\.zkey fails its hash/)
    assert.match(run.stderr, /skipping circuit square-16000 .*circuit\.wasm is missing/)
    const refused = provident("prove", "square-4000", "--input", input, "--circuits-dir", damaged)
    assert.notStrictEqual(refused.status, 0)
    assert.match(refused.stdout + refused.stderr, /circuit square-4000 in .* is damaged: groth16\.zkey fails its hash/)
  })

  it("serve starts beside a damaged circuit, serving the others and warning about it", async () => {
    const tokenFile = path.join(env.XDG_CACHE_HOME, "token-damaged")
    fs.writeFileSync(tokenFile, "a-token-of-twenty-chars")
    const child = spawn(process.execPath, ["--conditions=@provident/source", bin, "serve", "--port", "18797", "--token-file", tokenFile, "--circuits-dir", damagedCopy()], { env })
    let stderr = ""
    let stdout = ""
    child.stderr.on("data", (d) => (stderr += d))
    child.stdout.on("data", (d) => (stdout += d))
    try {
      let up = false
      for (let i = 0; i < 100 && !up; i++) {
        await new Promise((r) => setTimeout(r, 200))
        up = await fetch("http://127.0.0.1:18797/healthz").then((r) => r.ok, () => false)
      }
      assert.isTrue(up, `the server came up: ${stderr}`)
      const capacity = await fetch("http://127.0.0.1:18797/v1/capacity", { headers: { authorization: "bearer a-token-of-twenty-chars" } })
      const body = await capacity.json() as { circuits: Array<{ id: string }> }
      assert.deepStrictEqual(body.circuits.map((c) => c.id), ["square-4000"])
      assert.match(stdout + stderr, /skipping circuit square-1000 .*groth16\.zkey fails its hash/)
      assert.match(stdout + stderr, /skipping circuit square-16000 .*circuit\.wasm is missing/)
    } finally {
      child.kill("SIGTERM")
    }
    await new Promise((resolve) => child.on("exit", resolve))
  })

  it("serve answers on loopback and stops gracefully on SIGTERM", async () => {
    const tokenFile = path.join(env.XDG_CACHE_HOME, "token")
    fs.writeFileSync(tokenFile, "a-token-of-twenty-chars")
    const child = spawn(process.execPath, [
      "--conditions=@provident/source", bin, "serve", "--port", "18799", "--token-file", tokenFile, "--circuits-dir", examples,
      "--cors-origin", "http://localhost:5173,https://app.example.com", "--cors-origin", "https://other.example.com"
    ], { env })
    try {
      let up = false
      for (let i = 0; i < 100 && !up; i++) {
        await new Promise((r) => setTimeout(r, 200))
        up = await fetch("http://127.0.0.1:18799/healthz").then((r) => r.ok, () => false)
      }
      assert.isTrue(up, "the server came up")
      const denied = await fetch("http://127.0.0.1:18799/v1/capacity")
      assert.strictEqual(denied.status, 401)
      const capacity = await fetch("http://127.0.0.1:18799/v1/capacity", { headers: { authorization: "Bearer a-token-of-twenty-chars" } })
      const body = await capacity.json() as { circuits: Array<{ id: string }> }
      assert.includeMembers(body.circuits.map((c) => c.id), ["square-1000", "square-4000", "square-16000"])
      // Every --cors-origin, repeated or comma-separated, may call it from a browser.
      for (const origin of ["http://localhost:5173", "https://app.example.com", "https://other.example.com"]) {
        const preflight = await fetch("http://127.0.0.1:18799/v1/proofs", {
          method: "OPTIONS",
          headers: { origin, "access-control-request-method": "POST" }
        })
        assert.strictEqual(preflight.status, 204, origin)
        assert.strictEqual(preflight.headers.get("access-control-allow-origin"), origin)
      }
      const elsewhere = await fetch("http://127.0.0.1:18799/v1/capacity", { headers: { origin: "https://evil.example" } })
      assert.isNull(elsewhere.headers.get("access-control-allow-origin"))
    } finally {
      child.kill("SIGTERM")
    }
    const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)))
    // It exits by itself (runMain turns the signal into interruption: exit code 130), not killed by the signal.
    assert.include([0, 130, 143], code, "a graceful exit")
  })

  it("serve refuses a --cors-origin a browser never sends, naming it", () => {
    const run = provident("serve", "--token-file", "/nonexistent", "--cors-origin", "http://localhost:5173,https://app.example.com/")
    assert.notStrictEqual(run.status, 0)
    assert.match(run.stdout + run.stderr, /--cors-origin https:\/\/app\.example\.com\/: must be an origin/)
  })

  it("bench proves each circuit and prints the fitted cost models", () => {
    const only = fs.mkdtempSync(path.join(os.tmpdir(), "provident-bench-"))
    fs.symlinkSync(path.join(examples, "square-1000"), path.join(only, "square-1000"))
    const run = provident("bench", "--repeat", "2", "--circuits-dir", only)
    assert.strictEqual(run.status, 0, run.stderr)
    assert.match(run.stdout, /square-1000\s+1001\s+groth16\s+INSECURE\s+2\s+\d+\.\d\d/)
    assert.match(run.stdout, /square snarkjs-groth16 FULL_COMPUTATION \d+ core\(s\), \d+ samples: time ≈/, run.stdout)
    // Stored where the predictor of the next run (and `prove`) finds them.
    const stored = JSON.parse(fs.readFileSync(path.join(env.XDG_CACHE_HOME, "provident", "cost-models.json"), "utf8"))
    assert.include(JSON.stringify(stored), "snarkjs-groth16")
    assert.include(JSON.stringify(stored), "square")
  })
})
