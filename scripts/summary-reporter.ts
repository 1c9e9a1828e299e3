/**
 * Prints one plain closing line, `N passed, N failed`, after vitest's own
 * summary, so CI logs end with a figure a script can read. Skipped and todo
 * tests are reported on the line before it and never count as passed.
 */
import type { Reporter, TestModule } from "vitest/node"

export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>) {
    let passed = 0
    let failed = 0
    let skipped = 0
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state
        if (state === "passed") passed++
        else if (state === "failed") failed++
        else skipped++
      }
      // A module that fails to load (syntax error, failing import) has no tests
      // but is a failure all the same.
      if (module.state() === "failed" && module.children.size === 0) failed++
    }
    failed += unhandledErrors.length
    if (skipped > 0) process.stdout.write(`${skipped} skipped\n`)
    process.stdout.write(`${passed} passed, ${failed} failed\n`)
  }
}
