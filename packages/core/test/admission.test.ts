import { assert, describe, it } from "@effect/vitest"
import { effectiveRank, order, plan, type PlanInput, shadowTime, type Waiter } from "../src/internal/admission.ts"
import { victims } from "../src/internal/eviction.ts"
import { WaitQueue } from "../src/internal/waitQueue.ts"
import { decide, fit, needOf } from "../src/internal/grant.ts"
import * as OperationProfile from "../src/OperationProfile.ts"
import { Schema } from "effect"
import { testbox } from "./allocatorFixtures.ts"

const need = (memory: number, cores = 1, minMemory = memory) => ({ memory: { min: minMemory, rec: memory }, cores: { min: cores, rec: cores } })
const waiter = (id: number, rank: number, memory: number, extra: Partial<Waiter> = {}): Waiter => ({
  id,
  rank,
  queuedAt: 0,
  need: need(memory),
  estimatedDuration: 0,
  ...extra
})
const base = {
  holders: [],
  free: { memory: 10, cores: 4 },
  now: 0,
  maxBackfill: 2,
  previousHead: undefined,
  backfillsUsed: 0,
  criticalOnly: false
}
/** Plans over waiters given in any order, read in admission order as the allocator does. */
const planOf = (input: Partial<PlanInput<Waiter>> & { readonly waiting: ReadonlyArray<Waiter> }) =>
  plan({ ...base, ...input, ordered: order(input.waiting, input.now ?? 0, 10) })

describe("admission order", () => {
  it("higher priority first, then arrival", () => {
    const sorted = order([waiter(1, 1, 1, { queuedAt: 0 }), waiter(2, 4, 1, { queuedAt: 5 }), waiter(3, 1, 1, { queuedAt: -1 })], 5, 1000)
    assert.deepStrictEqual(sorted.map((w) => w.id), [2, 3, 1])
  })

  it("aging adds a level per interval, up to high but never critical", () => {
    assert.strictEqual(effectiveRank(waiter(1, 0, 1), 25, 10), 2)
    assert.strictEqual(effectiveRank(waiter(1, 0, 1), 1000, 10), 3)
    assert.strictEqual(effectiveRank(waiter(1, 4, 1), 0, 10), 4)
  })
})

describe("plan", () => {
  it("admits in order while work fits, granting up to the recommendation", () => {
    const result = planOf({ waiting: [waiter(1, 2, 4), { ...waiter(2, 2, 8), need: need(8, 1, 3) }, waiter(3, 2, 1)] })
    assert.deepStrictEqual(result.admit.map((a) => [a.waiter.id, a.grant.memory]), [[1, 4], [2, 6]])
    assert.strictEqual(result.head, 3)
  })

  it("does not let unknown-length larger work overtake a blocked head, but allows smaller work, boundedly", () => {
    const waiting = [waiter(1, 3, 8), waiter(2, 2, 9), waiter(3, 2, 1), waiter(4, 2, 1), waiter(5, 2, 1)]
    const result = planOf({ free: { memory: 5, cores: 4 }, waiting })
    // head 1 (8) blocked with an unknown shadow: 2 (9) is larger, 3 and 4 may go, 5 exceeds maxBackfill.
    assert.deepStrictEqual(result.admit.map((a) => a.waiter.id), [3, 4])
    assert.strictEqual(result.head, 1)
    assert.strictEqual(result.backfillsUsed, 2)
    const next = planOf({ free: { memory: 3, cores: 2 }, waiting: [waiter(1, 3, 8), waiter(5, 2, 1)], previousHead: 1, backfillsUsed: 2 })
    assert.deepStrictEqual(next.admit, [], "the bound holds across plans for the same head")
  })

  it("EASY backfill: work ending before the head's start, or fitting beside it, may go", () => {
    const holders = [{ memory: 6, cores: 1, expectedEnd: 100 }]
    const waiting = [
      waiter(1, 3, 8),
      waiter(2, 2, 2, { estimatedDuration: 50 }),
      waiter(3, 2, 2, { estimatedDuration: 500 })
    ]
    // free 4; the head (8) starts at 100 when the holder's 6 come back (free 10, 2 left over).
    const result = planOf({ free: { memory: 4, cores: 4 }, holders, waiting, maxBackfill: 10 })
    assert.deepStrictEqual(result.admit.map((a) => a.waiter.id), [2, 3])
    const tight = planOf({ free: { memory: 4, cores: 4 }, holders, waiting: [waiter(1, 3, 9), ...waiting.slice(1)], maxBackfill: 10 })
    assert.deepStrictEqual(tight.admit.map((a) => a.waiter.id), [2], "with only 1 left over beside the head, the long one must wait")
  })

  it("shares cores: work gets fewer (never below its minimum) when that lets the next waiter start beside it", () => {
    const flexible = (id: number, memory: number) => waiter(id, 2, memory, { queuedAt: id, need: { memory: { min: memory, rec: memory }, cores: { min: 1, rec: 4 } } })
    // Alone: every core it asks for.
    assert.deepStrictEqual(planOf({ waiting: [flexible(1, 4)] }).admit.map((a) => a.grant), [{ memory: 4, cores: 4 }])
    // Two that fit in memory: the first leaves the second a core... and the second takes what is left.
    const two = planOf({ waiting: [flexible(1, 4), flexible(2, 4)] })
    assert.deepStrictEqual(two.admit.map((a) => [a.waiter.id, a.grant.cores]), [[1, 3], [2, 1]])
    // When the next one could not start anyway (memory), nothing is held back from the first.
    const big = planOf({ waiting: [flexible(1, 4), flexible(2, 7)] })
    assert.deepStrictEqual(big.admit.map((a) => [a.waiter.id, a.grant.cores]), [[1, 4]])
    // A fixed range is never cut below its minimum.
    const fixed = planOf({ waiting: [waiter(1, 2, 4, { queuedAt: 1, need: need(4, 4) }), flexible(2, 4)] })
    assert.deepStrictEqual(fixed.admit.map((a) => [a.waiter.id, a.grant.cores]), [[1, 4]])
  })

  it("under critical pressure only critical work starts", () => {
    const result = planOf({ criticalOnly: true, waiting: [waiter(1, 3, 1), waiter(2, 4, 1)] })
    assert.deepStrictEqual(result.admit.map((a) => a.waiter.id), [2])
  })

  it("a negative free (the budget shrank below the grants) admits nothing", () => {
    assert.deepStrictEqual(planOf({ free: { memory: -2, cores: 1 }, waiting: [waiter(1, 4, 0.5)] }).admit, [])
  })

  it("shadow time is when enough holders with estimates have ended", () => {
    const holders = [{ memory: 2, cores: 0, expectedEnd: 30 }, { memory: 5, cores: 0, expectedEnd: 20 }, { memory: 9, cores: 0, expectedEnd: undefined }]
    assert.deepStrictEqual(shadowTime({ memory: 6, cores: 0 }, { memory: 0, cores: 0 }, holders, 10), { at: 30, freeAt: { memory: 7, cores: 0 } })
    assert.isUndefined(shadowTime({ memory: 8, cores: 0 }, { memory: 0, cores: 0 }, holders, 10))
  })
})

describe("grants and decisions", () => {
  const profile = Schema.decodeUnknownSync(OperationProfile.OperationProfile)
  it("needs come from requirements, or the estimate and one core", () => {
    assert.deepStrictEqual(needOf(profile({ name: "p", estimatedMemory: 7 }), testbox.device), need(7))
    const pct = profile({ name: "p", estimatedMemory: 7, requiredResources: [{ type: "cpu", minimumRequired: 25, recommended: 50, units: "percent" }] })
    assert.deepStrictEqual(needOf(pct, testbox.device).cores, { min: 1, rec: 2 })
  })

  it("cores are granted whole unless the range is below one core", () => {
    assert.deepStrictEqual(fit({ memory: { min: 1, rec: 1 }, cores: { min: 1, rec: 4 } }, { memory: 5, cores: 2.5 }), { memory: 1, cores: 2 })
    assert.deepStrictEqual(fit({ memory: { min: 1, rec: 1 }, cores: { min: 0.25, rec: 0.5 } }, { memory: 5, cores: 0.4 }), { memory: 1, cores: 0.4 })
    assert.isUndefined(fit({ memory: { min: 1, rec: 1 }, cores: { min: 2, rec: 2 } }, { memory: 5, cores: 1.9 }))
  })

  it("every denial reason comes with something to do", () => {
    const input = {
      name: "p",
      strategy: "balanced",
      budget: { memory: 10, cores: 4 },
      ceiling: { memory: 10, cores: 4 },
      free: { memory: 3, cores: 1 },
      blockedByPressure: false,
      estimatedWaitMs: 4500
    }
    const cases = [
      [decide({ ...input, need: need(20) }), "oversized-memory", "use a smaller circuit (at most 10 B)"],
      [decide({ ...input, need: need(1, 8) }), "oversized-cores", "lower parallelism to 4 cores"],
      [decide({ ...input, need: need(5) }), "insufficient-memory", "wait ~5s"],
      [decide({ ...input, need: need(1, 2) }), "insufficient-cores", "lower parallelism to 1 cores"],
      [decide({ ...input, need: need(1), blockedByPressure: true }), "critical-pressure", "wait ~5s"]
    ] as const
    for (const [decision, code, first] of cases) {
      assert.isFalse(decision.approved)
      assert.strictEqual(decision.reasons[0]?.code, code)
      assert.strictEqual(decision.recommendations[0], first)
      assert.isAbove(decision.fallbackOptions.length, 0)
    }
    assert.strictEqual(decide({ ...input, need: need(5), estimatedWaitMs: undefined }).recommendations[0], "wait for running work to finish")
  })
})

describe("eviction order", () => {
  it("lowest priority first, newest first within it, until under the threshold", () => {
    const candidates = [
      { id: 1, rank: 3, startedAt: 0, memory: 2 },
      { id: 2, rank: 1, startedAt: 0, memory: 2 },
      { id: 3, rank: 1, startedAt: 5, memory: 2 },
      { id: 4, rank: 0, startedAt: 1, memory: 1 }
    ]
    assert.deepStrictEqual(victims(candidates, 9, 10, 80), [4, 3])
    assert.deepStrictEqual(victims(candidates, 7, 10, 80), [])
    assert.deepStrictEqual(victims(candidates, 20, 10, 80), [4, 3, 2, 1], "all of them if need be, and no more")
  })
})

describe("WaitQueue", () => {
  it("reads in the same order as sorting, with removals and re-adds", () => {
    const queue = new WaitQueue<Waiter>()
    const all: Array<Waiter> = []
    let seed = 7
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
    for (let i = 0; i < 300; i++) {
      const w = waiter(i, Math.floor(random() * 5), 1, { queuedAt: i * 3 })
      all.push(w)
      queue.add(w)
    }
    const removed = new Set(all.filter(() => random() < 0.3))
    for (const w of removed) queue.remove(w)
    // Re-entering the queue (a resume) counts as arriving now: the allocator sets queuedAt to the clock.
    const readded = [...removed].slice(0, 20).map((w, k) => ({ ...w, queuedAt: 1000 + k }))
    for (const w of readded) queue.add(w)
    const waiting = [...all.filter((w) => !removed.has(w)), ...readded]
    for (const now of [0, 450, 5000]) {
      assert.deepStrictEqual([...queue.inOrder(now, 100)].map((w) => w.id), order(waiting, now, 100).map((w) => w.id))
    }
    assert.strictEqual(queue.size, waiting.length)
  })
})
