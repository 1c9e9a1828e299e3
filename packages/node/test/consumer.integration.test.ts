/**
 * The packages as an app gets them: `npm run build`, `npm pack` of
 * @provident/core, node and browser, and a fresh app outside this
 * repository that installs the tarballs (and their dependencies from the
 * registry). Its TypeScript program (`fixtures/consumer/app.ts`) type-checks
 * against the published declarations and runs on Node 22, proving the
 * shipped square-1000 and exiting by itself; `npx provident` prints JSON on
 * stdout; Vite bundles a page that imports @provident/browser.
 */
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { type SpawnSyncReturns, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"

const repo = path.resolve(import.meta.dirname, "..", "..", "..")
const fixture = path.join(import.meta.dirname, "fixtures", "consumer")
const work = fs.mkdtempSync(path.join(os.tmpdir(), "provident-consumer-"))
const app = path.join(work, "app")

/**
 * This Node (22) first on PATH, for npm, npx and the `provident` shebang; no
 * `npm_*` variables of the `npm test` that runs this (they would steer the
 * app's npm), no NODE_OPTIONS; a cache directory of the app's own.
 */
const env: NodeJS.ProcessEnv = {
  ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key) && key !== "NODE_OPTIONS" && key !== "INIT_CWD")),
  PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ""}`,
  XDG_CACHE_HOME: path.join(work, "cache")
}

const run = (command: string, args: ReadonlyArray<string>, cwd: string, timeout = 120_000): SpawnSyncReturns<string> => {
  const result = spawnSync(command, args, { cwd, env, encoding: "utf8", timeout, maxBuffer: 64 * 1024 * 1024 })
  assert.strictEqual(result.status, 0, `${command} ${args.join(" ")} (in ${cwd}) failed:\n${result.stdout}\n${result.stderr}`)
  return result
}

interface Packed {
  readonly name: string
  readonly filename: string
  readonly files: ReadonlyArray<{ readonly path: string }>
}
let packed: ReadonlyArray<Packed> = []
const filesOf = (name: string) => (packed.find((p) => p.name === name)?.files ?? []).map((f) => f.path)

beforeAll(() => {
  // Always from the sources as they are now: a stale dist would test old code.
  run(process.execPath, [path.join(repo, "scripts", "build.ts")], repo)
  const pack = run(
    "npm",
    ["pack", "--json", "--pack-destination", work, ...["core", "node", "browser"].flatMap((p) => ["--workspace", `packages/${p}`])],
    repo
  )
  packed = JSON.parse(pack.stdout)
  fs.mkdirSync(app)
  fs.cpSync(fixture, app, { recursive: true })
  fs.writeFileSync(path.join(app, "input.json"), JSON.stringify({ x: "7" }))
  fs.writeFileSync(
    path.join(app, "package.json"),
    JSON.stringify({
      name: "provident-consumer",
      private: true,
      type: "module",
      dependencies: Object.fromEntries(packed.map((p) => [p.name, `file:../${p.filename}`])),
      devDependencies: { "@types/node": "^22" }
    }, null, 2)
  )
  run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline"], app, 300_000)
}, 420_000)

afterAll(() => fs.rmSync(work, { recursive: true, force: true }))

describe("the packed packages", () => {
  it("hold JavaScript, declarations and source maps, the bin and the shipped circuit; no sources, tests or benches", () => {
    assert.deepStrictEqual(packed.map((p) => p.name).sort(), ["@provident/browser", "@provident/core", "@provident/node"])
    const wanted: Record<string, ReadonlyArray<string>> = {
      "@provident/core": ["dist/index.js", "dist/index.d.ts", "dist/index.js.map", "dist/testing.js", "dist/promise/Runtime.js", "README.md"],
      "@provident/node": [
        "bin/provident.js",
        "dist/index.js",
        "dist/index.d.ts",
        "dist/promise.js",
        "dist/promise.d.ts",
        "dist/bin.js",
        "dist/internal/proverWorker.js",
        "dist/circuits/square-1000/manifest.json",
        "dist/circuits/square-1000/circuit.wasm",
        "dist/circuits/square-1000/groth16.zkey",
        "dist/circuits/square-1000/groth16.vkey.json",
        "README.md"
      ],
      "@provident/browser": ["dist/index.js", "dist/index.d.ts", "dist/promise.js", "dist/internal/proverWorker.js", "README.md"]
    }
    for (const [name, paths] of Object.entries(wanted)) {
      const files = filesOf(name)
      for (const file of paths) assert.include(files, file, `${name} ships ${file}`)
      const unwanted = files.filter((f) => /^(src|test|bench|scripts)\/|\.test\.|\.bench\.|tsbuildinfo|(?<!\.d)\.ts$/.test(f))
      assert.deepStrictEqual(unwanted, [], `${name} ships only what a user needs`)
    }
  })
})

describe("an app that installed them", () => {
  it("type-checks its program against the published declarations, and runs it: a real proof, then the Promise API", () => {
    run(path.join(repo, "node_modules", ".bin", "tsc"), ["-p", "tsconfig.json"], app)
    const started = Date.now()
    const program = run(process.execPath, ["app.ts"], app, 120_000)
    const out = JSON.parse(program.stdout.trim().split("\n").at(-1)!)
    assert.deepInclude(out, { success: true, approved: true })
    assert.match(out.publicSignal, /^\d+$/)
    assert.isBelow(Date.now() - started, 120_000, "it exited by itself")
  })

  it("runs `npx provident doctor --json`: JSON lines on stdout", () => {
    const doctor = run("npx", ["--no-install", "provident", "doctor", "--json", "--seconds", "0"], app)
    const lines = doctor.stdout.trim().split("\n").map((line) => JSON.parse(line))
    assert.isAbove(lines.length, 0)
    assert.strictEqual(lines[0].device.platform, process.platform)
  })

  it("runs `npx provident prove square-1000` on the circuit it ships: the proof as JSON on stdout", () => {
    const prove = run("npx", ["--no-install", "provident", "prove", "square-1000", "--input", "input.json"], app)
    const out = JSON.parse(prove.stdout)
    assert.isTrue(out.verified)
    assert.isDefined(out.proof)
  })

  it("bundles a page importing @provident/browser with Vite, the prover's worker included", () => {
    run(process.execPath, [path.join(repo, "node_modules", "vite", "bin", "vite.js"), "build", "web", "--logLevel", "warn"], app)
    const assets = fs.readdirSync(path.join(app, "web-dist", "assets"))
    assert.isTrue(assets.some((f) => /^proverWorker-.*\.js$/.test(f)), `a worker chunk among ${assets.join(", ")}`)
  })
})
