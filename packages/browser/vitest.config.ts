/**
 * The browser package's tests in real headless Chromium (Debian's
 * /usr/bin/chromium, never a downloaded browser), through vitest's browser
 * mode and Playwright. The example circuits' committed artifacts are served
 * by Vite from outside this package (`server.fs.allow`), and their directory
 * is handed to the tests with `provide`. The remote-fallback tests get a real
 * `provident serve` from the `startProverServer` command
 * (`proverServer.commands.ts`); the telemetry test a loopback OTLP/HTTP
 * collector (`otlpCollector.commands.ts`).
 */
import { playwright } from "@vitest/browser-playwright"
import { fileURLToPath } from "node:url"
import { defineProject } from "vitest/config"
import type { BrowserCommand } from "vitest/node"
import { otlpCollectorCommands } from "./otlpCollector.commands.ts"
import { proverServerCommands } from "./proverServer.commands.ts"
import { chromium, dependencies, sourceConditions, withoutDependencySourcemaps } from "./vite.shared.ts"

const circuitsDirectory = fileURLToPath(new URL("../examples/circuits/build", import.meta.url))

/**
 * The dedicated workers Chromium reports for the test page, as Playwright
 * sees them: evidence from the browser itself, not the prover's own
 * bookkeeping, that a terminated worker is gone.
 */
const liveWorkers: BrowserCommand<[]> = ({ page }) => Promise.resolve(page.workers().map((worker) => worker.url()))

export default defineProject({
  ...sourceConditions,
  plugins: [withoutDependencySourcemaps()],
  optimizeDeps: { ...dependencies, include: [...(dependencies.include ?? []), "@effect/vitest"] },
  server: { fs: { allow: [fileURLToPath(new URL("..", import.meta.url))] } },
  test: {
    name: "browser",
    root: fileURLToPath(new URL(".", import.meta.url)),
    include: ["test/**/*.test.ts"],
    exclude: ["test/**/*.node.test.ts"],
    provide: { circuitsDirectory },
    testTimeout: 30_000,
    browser: {
      enabled: true,
      provider: playwright({ launchOptions: chromium }),
      instances: [{ browser: "chromium" }],
      headless: true,
      commands: { liveWorkers, ...proverServerCommands(circuitsDirectory), ...otlpCollectorCommands() }
    }
  }
})
