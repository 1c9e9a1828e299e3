/**
 * Mutation tests of the random-sequence property (`allocatorProperty.ts`):
 * the same property, run against deliberately broken allocators, must find a
 * counterexample, and fail on the invariant each mutant breaks.
 *
 * The mutants are applied here, in the test, with `vi.mock` over two
 * internal modules (nothing in the allocator knows of them): the engine's
 * `makeEngine` returns its engine with one function swapped, or the
 * scheduler's `release` misbehaves. With no mutant selected both mocks pass
 * everything through (the control below). The mutants:
 *
 * - lost wake-up: ending an `allocate()` hold frees its grant but plans no
 *   admission (`releaseHold` without its dispatch). The old wind-down
 *   (resume, then cancel everything) let this pass all 10,000 steps: the
 *   next reading of the monitor admits the waiter within a second.
 * - stale grant: a released grant stays on the operation, so paused (and
 *   evicted) work still shows what it held; the granted total is right.
 * - leaked cores: releasing an `allocate()` hold does not give its cores
 *   back to the granted total.
 * - silent pause: pausing a queued operation is not announced on the
 *   `operations` stream.
 */
import { assert, describe, it } from "@effect/vitest"
import { vi } from "vitest"
import { Deferred, Effect, Exit } from "effect"
import fc from "fast-check"
import type { Op } from "../src/internal/scheduler.ts"
import { randomSequences } from "./allocatorProperty.ts"

type Mutant = "lost wake-up" | "stale grant" | "leaked cores" | "silent pause"
const mutant = vi.hoisted(() => ({ current: undefined as Mutant | undefined }))

vi.mock(import("../src/internal/engine.ts"), async (importOriginal) => {
  const actual = await importOriginal()
  const { nowOf } = actual
  const makeEngine: typeof actual.makeEngine = (config, customStrategy) =>
    Effect.map(actual.makeEngine(config, customStrategy), (engine) => {
      const { announce, sched } = engine
      switch (mutant.current) {
        case "lost wake-up":
          // `releaseHold` as it is, less the dispatch that lets waiters in.
          return {
            ...engine,
            releaseHold: (op) =>
              Effect.withFiber((fiber) => {
                if (sched.live.get(op.name) !== op || op.state !== "running") return Effect.void
                const now = nowOf(fiber)
                sched.release(op)
                sched.finish(op, "completed", now)
                announce(op, now)
                Deferred.doneUnsafe(op.handles.result, Exit.void)
                return Effect.void
              })
          }
        case "silent pause":
          return { ...engine, announce: (op, at, extra) => op.state === "paused" ? undefined : announce(op, at, extra) }
        default:
          return engine
      }
    })
  return { ...actual, makeEngine }
})

vi.mock(import("../src/internal/scheduler.ts"), async (importOriginal) => {
  const actual = await importOriginal()
  class Scheduler<H> extends actual.Scheduler<H> {
    override release(op: Op<H>): void {
      const grant = op.grant
      super.release(op)
      if (mutant.current === "stale grant") op.grant = grant
      if (mutant.current === "leaked cores" && !op.hasBody && grant !== undefined) {
        const books = this as unknown as { granted: { readonly memory: number; readonly cores: number } }
        books.granted = { memory: books.granted.memory, cores: books.granted.cores + grant.cores }
      }
    }
  }
  return { ...actual, Scheduler }
})

/**
 * Runs the property against `which` (up to the real property's 100 runs,
 * without shrinking) and gives the failure's message, or `undefined` if it
 * held. Each mutant is caught within a run or two.
 */
const against = async (which: Mutant | undefined, numRuns: number) => {
  mutant.current = which
  try {
    const details = await fc.check(randomSequences(100), { numRuns, endOnFailure: true })
    return details.failed ? String(details.errorInstance) : undefined
  } finally {
    mutant.current = undefined
  }
}

const caught = async (which: Mutant, expected: RegExp) => {
  const failure = await against(which, 100)
  assert.isDefined(failure, `the property passed 100 runs against the ${which} mutant`)
  assert.match(failure!, expected, `the ${which} mutant was caught by another invariant`)
}

describe("the random-sequence property catches broken allocators", () => {
  it("control: through the mocks, the unbroken allocator passes", async () => {
    assert.isUndefined(await against(undefined, 5))
  }, 60_000)

  it("lost wake-up: ending an allocate() hold wakes no waiter", async () => {
    await caught("lost wake-up", /lost wake-up: op\d+ .* still waits/)
  }, 120_000)

  it("stale grant: paused work still holds its grant", async () => {
    await caught("stale grant", /is (paused|queued).* yet holds/)
  }, 120_000)

  it("leaked cores: granted is not the sum of the live grants", async () => {
    await caught("leaked cores", /granted .*, but running work holds/)
  }, 120_000)

  it("silent pause: status disagrees with the events", async () => {
    await caught("silent pause", /status paused, events/)
  }, 120_000)
})
