/**
 * Which readings cost what on this machine, and which spawn processes: the
 * measurement behind `NodeResourceProbe`'s split between what it reads on
 * every sample (`/proc`, `os`, `fs.statfs`: microseconds, no process) and
 * what it reads once at start or every 30 s (systeminformation's facts).
 * Each call runs three times; the median time and the child processes it
 * started (counted by wrapping `child_process` before systeminformation
 * loads) are printed, then one JSON line.
 *
 * `npm run probe-calls -w packages/node`
 */
import childProcess from "node:child_process"
import fs from "node:fs"
import os from "node:os"

let spawned = 0
for (const name of ["exec", "execFile", "spawn", "execSync", "execFileSync", "spawnSync"] as const) {
  const original = childProcess[name] as (...args: Array<unknown>) => unknown
  ;(childProcess as unknown as Record<string, unknown>)[name] = (...args: Array<unknown>) => {
    spawned++
    return original.apply(childProcess, args)
  }
}
// Loaded after the wrapping, so its calls go through it.
const { default: si } = await import("systeminformation")

const calls: ReadonlyArray<readonly [string, () => unknown]> = [
  ["si.battery", () => si.battery()],
  ["si.system", () => si.system()],
  ["si.networkInterfaces(default)", () => si.networkInterfaces("default")],
  ["si.currentLoad", () => si.currentLoad()],
  ["si.mem", () => si.mem()],
  ["si.fsSize", () => si.fsSize()],
  ["os.cpus", () => os.cpus()],
  ["os.freemem/totalmem", () => [os.freemem(), os.totalmem()]],
  ["process.availableMemory/constrainedMemory", () => [process.availableMemory(), process.constrainedMemory()]],
  ["fs.statfs(home)", () => fs.statfsSync(os.homedir())],
  ["read /proc/stat", () => fs.existsSync("/proc/stat") && fs.readFileSync("/proc/stat", "utf8")],
  ["read /proc/net/dev", () => fs.existsSync("/proc/net/dev") && fs.readFileSync("/proc/net/dev", "utf8")]
]

const results: Array<{ readonly call: string; readonly medianMs: number; readonly processes: number }> = []
for (const [call, run] of calls) {
  const times: Array<number> = []
  const before = spawned
  for (let i = 0; i < 3; i++) {
    const start = performance.now()
    await run()
    times.push(performance.now() - start)
  }
  const medianMs = [...times].sort((a, b) => a - b)[1]!
  const processes = Math.round((spawned - before) / 3)
  results.push({ call, medianMs: Number(medianMs.toFixed(3)), processes })
  console.log(`${call.padEnd(42)} ${medianMs.toFixed(3).padStart(9)} ms  ${processes} process(es) per call`)
}
console.log(JSON.stringify({ probeCalls: results }))
