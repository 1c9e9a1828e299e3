import { defaultServerConditions } from "vite"
import { defineProject } from "vitest/config"

export default defineProject({
  // This repository's packages from their sources (the `@provident/source` export condition).
  ssr: { resolve: { conditions: ["@provident/source", ...defaultServerConditions] } },
  resolve: { conditions: ["@provident/source", ...defaultServerConditions] },
  test: {
    name: "core",
    include: ["test/**/*.test.ts"]
  }
})
