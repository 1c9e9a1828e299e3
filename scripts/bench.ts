/**
 * Runs the benchmarks: `npm run bench` runs every `packages/*\/bench/*.bench.ts`,
 * `npm run bench -- NAME [NAME…]` only those named (`monitor` runs
 * `monitor.bench.ts`). Each runs in its own process and ends with one JSON
 * line of its figures; this script exits non-zero if any benchmark fails.
 */
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"

const root = path.resolve(import.meta.dirname, "..")
const benches = fs.readdirSync(path.join(root, "packages")).flatMap((pkg) => {
  const dir = path.join(root, "packages", pkg, "bench")
  return fs.existsSync(dir)
    ? fs.readdirSync(dir).filter((f) => f.endsWith(".bench.ts")).map((f) => ({ name: f.replace(/\.bench\.ts$/, ""), file: path.join(dir, f) }))
    : []
})

const wanted = process.argv.slice(2)
const unknown = wanted.filter((name) => !benches.some((b) => b.name === name))
if (unknown.length > 0) {
  console.error(`unknown benchmark(s): ${unknown.join(", ")}; available: ${benches.map((b) => b.name).join(", ")}`)
  process.exit(2)
}

let failed = 0
for (const bench of benches.filter((b) => wanted.length === 0 || wanted.includes(b.name))) {
  console.log(`\n# ${bench.name} (${path.relative(root, bench.file)})`)
  const run = spawnSync(process.execPath, ["--expose-gc", "--conditions=@provident/source", bench.file], { stdio: "inherit", cwd: root })
  if (run.status !== 0) {
    failed++
    console.error(`benchmark ${bench.name} failed (exit ${run.status ?? run.signal})`)
  }
}
process.exit(failed === 0 ? 0 : 1)
