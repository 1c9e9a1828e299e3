/**
 * The demo page's end-to-end test, which runs in Node: it starts the demo's
 * Vite server itself and drives Debian's Chromium through Playwright, as a
 * user would. A project of its own because the `browser` project runs its
 * tests inside the browser.
 */
import { fileURLToPath } from "node:url"
import { defineProject } from "vitest/config"

export default defineProject({
  // This repository's packages from their sources (the `@provident/source` export condition).
  // Not Vite's defaultServerConditions: their "module" would send externalised dependencies
  // (@opentelemetry/api) to builds Node cannot load.
  ssr: { resolve: { conditions: ["@provident/source", "node", "development|production"] } },
  test: {
    name: "browser-demo",
    root: fileURLToPath(new URL(".", import.meta.url)),
    include: ["test/**/*.node.test.ts"],
    environment: "node",
    testTimeout: 90_000,
    hookTimeout: 60_000
  }
})
