/**
 * `npm run build`: @provident/core, @provident/node and @provident/browser to
 * JavaScript, declarations and source maps under each package's `dist`
 * (`tsc -b` over their `tsconfig.build.json`), then what plain `tsc` leaves
 * undone for an installed package:
 * - relative `.ts` specifiers in the declarations become `.js` (tsc rewrites
 *   them in JavaScript only), so a consumer needs no `allowImportingTsExtensions`;
 * - the browser prover's `new Worker(new URL("./internal/proverWorker.ts", …))`
 *   names the built `.js` (a literal, so that the app's bundler sees the worker);
 * - @provident/node ships the example circuit `square-1000` in `dist/circuits`,
 *   where the CLI finds it outside this repository (`provident prove square-1000`).
 * Same-length replacements: the source maps stay exact.
 */
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"

const root = path.resolve(import.meta.dirname, "..")
const packages = ["core", "node", "browser"].map((name) => path.join(root, "packages", name))
const SHIPPED_CIRCUITS = ["square-1000"]

for (const pkg of packages) {
  fs.rmSync(path.join(pkg, "dist"), { recursive: true, force: true })
  fs.rmSync(path.join(pkg, ".tsc", "build.tsbuildinfo"), { force: true })
}
const tsc = spawnSync(
  path.join(root, "node_modules", ".bin", "tsc"),
  ["-b", ...packages.map((pkg) => path.join(pkg, "tsconfig.build.json"))],
  { stdio: "inherit", cwd: root }
)
if (tsc.status !== 0) process.exit(tsc.status ?? 1)

const files = (dir: string): Array<string> =>
  fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(path.join(dir, e.name)) : [path.join(dir, e.name)]
  )

const relativeTs = /(["'])(\.\.?\/[^"'\n]*?)\.ts\1/g
for (const pkg of packages) {
  for (const file of files(path.join(pkg, "dist")).filter((f) => f.endsWith(".d.ts"))) {
    const text = fs.readFileSync(file, "utf8")
    const rewritten = text.replace(relativeTs, (_, quote: string, stem: string) => `${quote}${stem}.js${quote}`)
    if (rewritten !== text) fs.writeFileSync(file, rewritten)
  }
}

const browserProver = path.join(root, "packages", "browser", "dist", "BrowserSnarkjsProver.js")
const prover = fs.readFileSync(browserProver, "utf8")
if (!prover.includes(`"./internal/proverWorker.ts"`)) throw new Error(`${browserProver}: no "./internal/proverWorker.ts" to rewrite`)
fs.writeFileSync(browserProver, prover.replaceAll(`"./internal/proverWorker.ts"`, `"./internal/proverWorker.js"`))

for (const id of SHIPPED_CIRCUITS) {
  fs.cpSync(path.join(root, "packages", "examples", "circuits", "build", id), path.join(root, "packages", "node", "dist", "circuits", id), { recursive: true })
}
console.log(`built ${packages.map((pkg) => path.relative(root, pkg)).join(", ")} (dist/)`)
