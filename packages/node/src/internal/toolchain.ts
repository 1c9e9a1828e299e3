/**
 * The circom2 and snarkjs command lines as Effects. Each setup step is its
 * own process, run on this Node (`process.execPath`), so an interrupted
 * build kills it at once (SIGKILL to its process group) and the parent never
 * loads snarkjs's thread pool. Only local paths are passed: snarkjs fetches
 * any file argument that looks like a URL, and nothing is ever downloaded.
 */
import { ProverError } from "@provident/core/ProverError"
import { Effect, Stream } from "effect"
import { ChildProcess, ChildProcessSpawner } from "effect/process"
import * as fs from "node:fs"
import { createRequire } from "node:module"
import * as path from "node:path"

const require = createRequire(import.meta.url)

/** The directory of an installed package (its entry point may sit deeper, e.g. `build/main.cjs`). */
const packageDir = (name: string): string => {
  let dir = path.dirname(require.resolve(name))
  while (!fs.existsSync(path.join(dir, "package.json")) && path.dirname(dir) !== dir) dir = path.dirname(dir)
  return dir
}

const packageVersion = (dir: string): string => String(JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")).version)

const circom2Dir = packageDir("circom2")
const snarkjsDir = packageDir("snarkjs")

/** Versions that change compiled output or keys, part of every artifact hash. */
export const versions = { circom2: packageVersion(circom2Dir), snarkjs: packageVersion(snarkjsDir) } as const

const scripts = { circom2: path.join(circom2Dir, "cli.js"), snarkjs: path.join(snarkjsDir, "build", "cli.cjs") } as const

const ANSI = /\x1b\[[0-9;]*m/g

export interface RunOptions {
  /** The circuit being built, for error messages. */
  readonly circuit: string
  /** What the step does, e.g. `compiling square-1000`. */
  readonly what: string
  readonly cwd?: string
  /** Each line of output, colour codes removed. */
  readonly onLine?: (line: string) => void
}

/**
 * Runs `tool` with `args` to completion. A non-zero exit fails with
 * `ProverError` (phase `setup`) quoting the last lines of output: compiler
 * and setup messages are about the circuit, never about private inputs.
 */
export const run = Effect.fnUntraced(function*(tool: "circom2" | "snarkjs", args: ReadonlyArray<string>, options: RunOptions) {
  const spawner = yield* ChildProcessSpawner.ChildProcessSpawner
  const tail: Array<string> = []
  const failed = (reason: "Failed" | "WorkerCrashed", message: string) =>
    new ProverError({ reason, circuit: options.circuit, phase: "setup", message: `${options.what} failed: ${message}` })
  const exitCode = yield* Effect.scoped(Effect.gen(function*() {
    const handle = yield* spawner.spawn(ChildProcess.make(process.execPath, [scripts[tool], ...args], {
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      env: { NO_COLOR: "1", FORCE_COLOR: "0" },
      extendEnv: true,
      killSignal: "SIGKILL"
    }))
    yield* handle.all.pipe(
      Stream.decodeText(),
      Stream.splitLines,
      Stream.runForEach((raw) =>
        Effect.sync(() => {
          const line = raw.replace(ANSI, "").trim()
          if (line === "") return
          tail.push(line)
          if (tail.length > 8) tail.shift()
          options.onLine?.(line)
        })
      )
    )
    return yield* handle.exitCode
  })).pipe(Effect.mapError((error) => failed("WorkerCrashed", `could not run ${tool}: ${error.message}`)))
  if (exitCode !== 0) return yield* failed("Failed", `${tool} exited with code ${exitCode}: ${tail.slice(-4).join(" | ")}`)
})

/**
 * Compiles `main` (an absolute path) into `outDir` (which must exist).
 * circom2 is circom in WASI and can only open paths below its working
 * directory, so it runs from the filesystem root with `-l` pointing at the
 * circuit's own directory for its includes.
 */
export const compile = (main: string, includeDir: string, outDir: string, options: RunOptions) => {
  const root = path.parse(main).root
  return run("circom2", [main, "--r1cs", "--wasm", "-l", includeDir, "-o", outDir], { ...options, cwd: root })
}
