import { defineProject } from "vitest/config"

export default defineProject({
  test: {
    name: "node",
    include: ["test/**/*.test.ts"],
    // Real hardware, real processes, real proofs: generous on a loaded 2-core machine.
    testTimeout: 60_000,
    hookTimeout: 60_000
  }
})
