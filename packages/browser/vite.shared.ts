/**
 * Vite settings shared by the browser tests and the demo page, both served
 * by Vite's dev server, where every prover worker loads its modules afresh
 * (a worker per job): what makes that slow is the dependencies' size.
 */
import { defaultClientConditions, defaultServerConditions, type DepOptimizationOptions, type Plugin, type UserConfig } from "vite"

/**
 * This repository's packages from their sources (the `@provident/source`
 * export condition of their package.json); an app gets their `dist`.
 */
export const sourceConditions: Pick<UserConfig, "resolve" | "ssr"> = {
  resolve: { conditions: ["@provident/source", ...defaultClientConditions] },
  ssr: { resolve: { conditions: ["@provident/source", ...defaultServerConditions] } }
}

/**
 * Debian's Chromium (never a browser downloaded by Playwright) with the
 * flags it needs headless in a container.
 */
export const chromium = {
  executablePath: "/usr/bin/chromium",
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic"
  ]
}

/**
 * Dependencies pre-bundled when the server starts. Found later (the prover
 * worker imports snarkjs only when its first job comes), they would make
 * Vite re-optimise and reload the page mid-proof. Minified: a worker parses
 * effect's Schema chunk in ~0.2 s instead of ~0.6 s.
 */
export const dependencies: DepOptimizationOptions = {
  include: [
    "snarkjs",
    "effect",
    "effect/Schema",
    "@effect/opentelemetry/Resource",
    "@effect/opentelemetry/WebSdk",
    "@opentelemetry/exporter-metrics-otlp-http",
    "@opentelemetry/exporter-trace-otlp-http",
    "@opentelemetry/sdk-metrics",
    "@opentelemetry/sdk-trace-base",
    "@opentelemetry/sdk-trace-web"
  ],
  rolldownOptions: { output: { minify: true } }
}

/**
 * Serves pre-bundled dependencies without their source maps. Vite's dev
 * server inlines each map into the module it serves (base64, in a comment):
 * effect's Schema chunk grows from ~0.5 MB to ~6 MB, and every prover
 * worker parses all of it again. Our own sources keep their maps.
 */
export const withoutDependencySourcemaps = (): Plugin => ({
  name: "provident:without-dependency-sourcemaps",
  apply: "serve",
  enforce: "pre",
  transform(code, id) {
    if (!/\/node_modules\/\.vite\/(?:.+\/)?deps\//.test(id)) return undefined
    // An empty map (no `version`) tells Vite there is nothing to map, so it inlines nothing.
    return { code: code.replace(/\n\/\/# sourceMappingURL=\S+\s*$/, "\n"), map: { mappings: "" } }
  }
})
