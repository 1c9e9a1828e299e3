import { defineConfig } from "vitest/config"

// Vitest 5 reads projects from here (`vitest.workspace.ts` is ignored).
// Each package declares its own project with `defineProject`.
export default defineConfig({
  test: {
    projects: [
      "packages/core",
      "packages/node",
      "packages/examples",
      "packages/browser/vitest.config.ts",
      "packages/browser/vitest.demo.config.ts"
    ],
    reporters: ["default", "./scripts/summary-reporter.ts"]
  }
})
