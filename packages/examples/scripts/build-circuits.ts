/**
 * Regenerates the committed artifacts of the default example circuits
 * (`circuits/build/<id>/`: wasm, zkeys, verification keys, manifest) through
 * `Artifacts`, from the cache when it has them, else by compiling and
 * running the (single-party, INSECURE) setups. From a fresh cache it makes
 * a 2^14 powers of tau first: ~7 min on two cores.
 *
 *   node packages/examples/scripts/build-circuits.ts
 */
import { NodeRuntime } from "@effect/platform-node"
import { Artifacts } from "@provident/node"
import { Console, Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import * as Circuits from "../src/circuits.ts"

const started = performance.now()
const seconds = (from: number) => ((performance.now() - from) / 1000).toFixed(1)

/** One line per step on a pipe; a bar redrawn in place on a terminal. */
const bar = () => {
  let last = ""
  return (p: Artifacts.BuildProgress) => {
    const width = 30
    const filled = Math.round((p.percent / 100) * width)
    const line = `${p.circuit} ${p.step.padEnd(8)} [${"#".repeat(filled)}${" ".repeat(width - filled)}] ${
      p.percent.toFixed(0).padStart(3)
    }% ${p.status}${p.detail === undefined ? "" : ` (${p.detail})`}`
    if (process.stderr.isTTY) process.stderr.write(`\r${line}\x1b[K${p.status === "running" ? "" : "\n"}`)
    else if (p.status !== "running" || `${p.step}${p.detail}` !== last) process.stderr.write(`${line}\n`)
    last = `${p.step}${p.detail}`
  }
}

const program = Effect.gen(function*() {
  const artifacts = yield* Artifacts.Artifacts
  yield* Console.log(`cache: ${artifacts.cacheDirectory}; setups are single-party: INSECURE, for testing only`)
  const ids: Array<string> = Circuits.defaults.map((spec) => spec.id)
  for (const spec of Circuits.defaults) {
    const from = performance.now()
    const built = yield* artifacts.build(spec, { onProgress: bar() })
    const out = yield* artifacts.exportTo(built, path.join(Circuits.prebuiltDirectory, built.id))
    const sizes = fs.readdirSync(path.dirname(out.wasm)).map((f) => [f, fs.statSync(path.join(path.dirname(out.wasm), f)).size] as const)
    const total = sizes.reduce((sum, [, size]) => sum + size, 0)
    yield* Console.log(`${built.id}: ${built.constraints} constraints, ${Object.keys(built.keys).join(" + ")} (INSECURE setup), ${
      (total / 2 ** 20).toFixed(2)
    } MiB in ${seconds(from)} s: ${sizes.map(([f, size]) => `${f} ${(size / 2 ** 10).toFixed(0)} KiB`).join(", ")}`)
  }
  // Sizes no longer in the defaults are stale.
  for (const entry of fs.readdirSync(Circuits.prebuiltDirectory)) {
    if (!ids.includes(entry)) fs.rmSync(path.join(Circuits.prebuiltDirectory, entry), { recursive: true, force: true })
  }
  yield* Console.log(`done in ${seconds(started)} s`)
})

// Without `prebuilt`: regenerate from the cache, never from the copies being replaced.
program.pipe(Effect.provide(Artifacts.layer()), NodeRuntime.runMain)
