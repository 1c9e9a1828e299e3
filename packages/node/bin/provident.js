#!/usr/bin/env node
// The `provident` command. Plain JavaScript that any Node parses, so that on a
// Node too old for Effect 4's platform packages it says so in one line (before
// importing anything that would crash) instead of a stack trace.
const [major, minor] = process.versions.node.split(".").map(Number)
if (major < 22 || (major === 22 && minor < 19)) {
  console.error(`provident needs Node ≥ 22.19; this is v${process.versions.node}`)
  process.exit(1)
}
await import("../dist/bin.js")
