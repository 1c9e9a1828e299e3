/**
 * Test support for the Promise facade on this machine.
 *
 * - `nodeOptions()` (from `promiseNodeOptions.ts`): stores in a temporary
 *   directory, pressure read as nominal.
 * - `TestMonitor`: `ResourceMonitor` with those options, so the spec's
 *   `new ResourceMonitor(...)` runs unchanged against it; `closeMonitors()`
 *   closes what a test left open.
 * - `recordConsole()`: silences `console.log`/`console.error` and returns
 *   what was printed, by label, so a test can assert what the spec's blocks
 *   print.
 * - `until(predicate)`: polls, for things another fiber does.
 * - `thrown(construct)`: the class and message a constructor throws.
 */
import { ResourceMonitor, type ResourceMonitorOptions } from "@provident/node/promise"
import * as fs from "node:fs"
import { vi } from "vitest"
import { nodeOptions, tempDir } from "./promiseNodeOptions.ts"

export { nodeOptions, tempDir } from "./promiseNodeOptions.ts"

const open = new Set<TestMonitor>()

/**
 * The Node `ResourceMonitor` over `nodeOptions()`. Each one is remembered
 * until `closeMonitors()`; closing it removes its temporary directory.
 */
export class TestMonitor extends ResourceMonitor {
  readonly #dir: string
  constructor(options?: ResourceMonitorOptions) {
    const dir = tempDir()
    super(options, nodeOptions(dir))
    this.#dir = dir
    open.add(this)
  }

  override async close(): Promise<void> {
    open.delete(this)
    await super.close()
    fs.rmSync(this.#dir, { recursive: true, force: true })
  }
}

/** Closes every `TestMonitor` a test left open (for `afterEach`), and restores the console. */
export const closeMonitors = async (): Promise<void> => {
  vi.restoreAllMocks()
  await Promise.all([...open].map((monitor) => monitor.close()))
}

export interface RecordedConsole {
  /** The arguments after `label` of every `console.log`/`console.error` call whose first argument is `label`. */
  readonly values: (label: string) => ReadonlyArray<ReadonlyArray<unknown>>
  /** Every call, as its arguments. */
  readonly calls: () => ReadonlyArray<ReadonlyArray<unknown>>
}

/** Silences and records `console.log` and `console.error` until `vi.restoreAllMocks()`. */
export const recordConsole = (): RecordedConsole => {
  const log = vi.spyOn(console, "log").mockImplementation(() => undefined)
  const error = vi.spyOn(console, "error").mockImplementation(() => undefined)
  const calls = () => [...log.mock.calls, ...error.mock.calls] as ReadonlyArray<ReadonlyArray<unknown>>
  return {
    calls,
    values: (label) => calls().filter((args) => args[0] === label).map((args) => args.slice(1))
  }
}

/** Resolves once `predicate()` holds; rejects after `timeoutMs`. */
export const until = async (predicate: () => boolean, timeoutMs = 5000, what = "the condition"): Promise<void> => {
  const deadline = Date.now() + timeoutMs
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** What constructing throws: its class and message. */
export const thrown = (construct: () => unknown): [string, string] => {
  try {
    construct()
  } catch (error) {
    return [(error as Error).constructor.name, (error as Error).message]
  }
  throw new Error("the constructor did not throw")
}

export const MiB = 1024 ** 2
export const GiB = 1024 ** 3
