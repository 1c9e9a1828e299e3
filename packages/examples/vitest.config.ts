import { defineProject } from "vitest/config"

export default defineProject({
  // This repository's packages from their sources (the `@provident/source` export condition).
  // Not Vite's defaultServerConditions: their "module" would send externalised dependencies
  // (@opentelemetry/api) to builds Node cannot load.
  ssr: { resolve: { conditions: ["@provident/source", "node", "development|production"] } },
  test: {
    name: "examples",
    include: ["test/**/*.test.ts"],
    // Real hardware, real processes, real proofs: generous on a loaded 2-core machine.
    testTimeout: 60_000,
    hookTimeout: 60_000
  }
})
