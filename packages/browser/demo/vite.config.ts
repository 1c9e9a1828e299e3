/**
 * The demo page's Vite config (`npx vite packages/browser/demo`). The page is
 * cross-origin isolated (COOP/COEP), so the probe can measure the whole
 * page's memory with `measureUserAgentSpecificMemory()`; the example
 * circuits are served from `packages/examples` (inside the workspace root,
 * which Vite allows).
 */
import { defineConfig } from "vite"
import { dependencies, sourceConditions, withoutDependencySourcemaps } from "../vite.shared.ts"

const isolation = { "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp" }

export default defineConfig({
  ...sourceConditions,
  plugins: [withoutDependencySourcemaps()],
  optimizeDeps: dependencies,
  // The prover's worker is a module worker that imports snarkjs dynamically.
  worker: { format: "es" },
  build: { target: "es2023" },
  server: { headers: isolation },
  preview: { headers: isolation }
})
