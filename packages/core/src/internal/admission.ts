/**
 * Admission order, as a pure planning step: given who waits, who holds what
 * and what is free, which waiting operations start now and with what grant.
 *
 * Policy.
 * 1. Order. Waiting work is ordered by effective priority, then by arrival.
 *    Effective priority is the priority's rank plus one level per
 *    `agingInterval` waited, raised at most to `high`: nothing starves behind
 *    a stream of newer work, while `critical` stays reserved for critical work.
 * 2. Strict head. Operations are admitted in that order while they fit. The
 *    first that does not fit is the head; it is not skipped for good.
 * 3. Bounded backfill. Behind a blocked head, a later operation may start
 *    only if it cannot delay the head (EASY backfilling): the head's start
 *    time (its "shadow") is when enough running work will have ended, by
 *    each holder's start plus its estimated duration, to fit the head's
 *    minimum. A later operation may start if it is expected to end before the
 *    shadow, or if it fits in what will be left over at the shadow once the
 *    head is served. When the shadow is unknown (running work without an
 *    estimate, or the head waits on memory used outside the allocator), only
 *    operations no larger than the head may start. In every case at most
 *    `maxBackfill` operations start ahead of one head, so a large head is
 *    admitted within a bounded time even if estimates are wrong and small work
 *    keeps arriving (Go's weighted semaphore forbids overtaking outright;
 *    Effect's Semaphore allows it always; this sits between).
 * 4. Critical pressure. Only `critical` operations start.
 * 5. Shared cores. An operation admitted in order gets the most cores its
 *    range allows, unless the next waiting operation could start beside it
 *    on the memory it leaves but not on the cores: then it gets fewer cores
 *    (never below its minimum), so that the next one starts too. Alone, work
 *    gets every core it asks for; in a queue, two proofs on one core each
 *    keep a 2-core machine busier than one proof on both (snarkjs's
 *    single-threaded stretches leave a core idle). A grant's cores are fixed
 *    for its run: threads cannot be added to a running prover.
 *
 * One plan looks at most `BACKFILL_SCAN` waiters behind the head, so its cost
 * does not grow with the length of the queue.
 */
import type { Resources } from "../AllocationDecision.ts"
import { fit, type Need } from "./grant.ts"

/** Rank of `high`: the most aging can lift an operation. */
export const AGING_CAP = 3
/** Rank of `critical`. */
export const CRITICAL = 4

export interface Waiter {
  readonly id: number
  /** `Priority.rank` of its priority. */
  readonly rank: number
  readonly queuedAt: number
  readonly need: Need
  /** Expected run time in ms; 0 when unknown. */
  readonly estimatedDuration: number
}

export interface Holder {
  readonly memory: number
  readonly cores: number
  /** When the holder is expected to release, or `undefined` when unknown. */
  readonly expectedEnd: number | undefined
}

export const effectiveRank = (w: { readonly rank: number; readonly queuedAt: number }, now: number, agingInterval: number): number =>
  w.rank >= AGING_CAP ? w.rank : Math.min(AGING_CAP, w.rank + Math.floor(Math.max(0, now - w.queuedAt) / agingInterval))

/** Waiting work in admission order (the allocator reads its `WaitQueue` in this order without sorting). */
export const order = <W extends Waiter>(waiting: ReadonlyArray<W>, now: number, agingInterval: number): ReadonlyArray<W> =>
  [...waiting].sort((a, b) =>
    effectiveRank(b, now, agingInterval) - effectiveRank(a, now, agingInterval) || a.queuedAt - b.queuedAt ||
    a.id - b.id
  )

const fits = (need: Resources, free: Resources) => need.memory <= free.memory && need.cores <= free.cores
const add = (a: Resources, b: Resources): Resources => ({ memory: a.memory + b.memory, cores: a.cores + b.cores })
const sub = (a: Resources, b: Resources): Resources => ({ memory: a.memory - b.memory, cores: a.cores - b.cores })
const minimum = (need: Need): Resources => ({ memory: need.memory.min, cores: need.cores.min })

/**
 * The earliest time `need` fits, counting on holders to release at their
 * expected ends; `undefined` if the holders with estimates cannot free enough.
 */
export const shadowTime = (
  need: Resources,
  free: Resources,
  holders: ReadonlyArray<Holder>,
  now: number
): { readonly at: number; readonly freeAt: Resources } | undefined => {
  if (fits(need, free)) return { at: now, freeAt: free }
  const ending = holders.filter((h) => h.expectedEnd !== undefined).sort((a, b) => a.expectedEnd! - b.expectedEnd!)
  let acc = free
  for (const h of ending) {
    acc = add(acc, h)
    if (fits(need, acc)) return { at: Math.max(now, h.expectedEnd!), freeAt: acc }
  }
  return undefined
}

export interface PlanInput<W extends Waiter> {
  /** Waiting work in admission order (see `order`); read lazily, only as far as needed. */
  readonly ordered: Iterable<W>
  /** What running work holds; a function is called only if a blocked head needs its shadow. */
  readonly holders: ReadonlyArray<Holder> | (() => ReadonlyArray<Holder>)
  /** Budget minus what is granted; negative after the budget shrank. */
  readonly free: Resources
  readonly now: number
  readonly maxBackfill: number
  /** The head of the previous plan and how many overtook it, to keep the bound across plans. */
  readonly previousHead: number | undefined
  readonly backfillsUsed: number
  /** Critical pressure: only critical work may start. */
  readonly criticalOnly: boolean
}

export interface Admission<W> {
  readonly waiter: W
  readonly grant: Resources
}

export interface Plan<W> {
  readonly admit: ReadonlyArray<Admission<W>>
  readonly head: number | undefined
  readonly backfillsUsed: number
}

/** How many waiters behind a blocked head one plan looks at for backfill, to bound its cost. */
export const BACKFILL_SCAN = 256

export const plan = <W extends Waiter>(input: PlanInput<W>): Plan<W> => {
  const admit: Array<Admission<W>> = []
  let free = input.free
  const start = (w: W, grant: Resources) => {
    admit.push({ waiter: w, grant })
    free = sub(free, grant)
  }

  const eligible = peekable(input.ordered[Symbol.iterator]())
  const allowed = (w: W) => !input.criticalOnly || w.rank === CRITICAL
  let head: W | undefined
  for (let next = eligible.next(); !next.done; next = eligible.next()) {
    const w = next.value
    if (!allowed(w)) continue
    const grant = fit(w.need, free)
    if (grant === undefined) {
      head = w
      break
    }
    const after = eligible.peek()
    start(w, after === undefined || !allowed(after) ? grant : shareCores(w.need, grant, after.need, free))
  }
  if (head === undefined) return { admit, head: undefined, backfillsUsed: 0 }

  let used = head.id === input.previousHead ? input.backfillsUsed : 0
  const headMin = minimum(head.need)
  // The head's shadow counts the holders and what started ahead of the head;
  // it is computed once, and only if some waiter behind the head is looked at.
  let shadow: ReturnType<typeof shadowTime>
  let leftover: Resources = { memory: 0, cores: 0 }
  let shadowKnown = false
  const startedAhead = admit.length
  let scanned = 0
  const nothingFree = () => free.memory <= 0 || free.cores <= 0
  for (
    let next = eligible.next();
    !next.done && used < input.maxBackfill && scanned < BACKFILL_SCAN && !nothingFree();
    next = eligible.next()
  ) {
    const w = next.value
    scanned++
    if (input.criticalOnly && w.rank !== CRITICAL) continue
    const grant = fit(w.need, free)
    if (grant === undefined) continue
    if (!shadowKnown) {
      shadowKnown = true
      shadow = shadowTime(headMin, free, holdersAhead(input, admit.slice(0, startedAhead)), input.now)
      if (shadow !== undefined) leftover = sub(shadow.freeAt, headMin)
    }
    const endsInTime = shadow !== undefined && w.estimatedDuration > 0 && input.now + w.estimatedDuration <= shadow.at
    const inLeftover = shadow !== undefined && fits(grant, leftover)
    const noLarger = shadow === undefined && fits(minimum(w.need), headMin)
    if (!endsInTime && !inLeftover && !noLarger) continue
    start(w, grant)
    if (!endsInTime && inLeftover) leftover = sub(leftover, grant)
    used++
  }
  return { admit, head: head.id, backfillsUsed: used }
}

/**
 * `grant` for an operation needing `need`, with fewer cores if that lets the
 * next waiter (needing `next`) start beside it: only when the next one's
 * memory fits in what this grant leaves and its cores would not.
 */
export const shareCores = (need: Need, grant: Resources, next: Need, free: Resources): Resources => {
  if (next.memory.min > free.memory - grant.memory) return grant
  const room = free.cores - next.cores.min
  if (room >= grant.cores) return grant
  const cores = need.cores.min >= 1 ? Math.floor(room) : room
  return cores >= need.cores.min && cores > 0 ? { memory: grant.memory, cores } : grant
}

/** An iterator that can look at its next value without taking it. */
const peekable = <A>(source: Iterator<A>) => {
  let buffered: IteratorResult<A> | undefined
  return {
    next: (): IteratorResult<A> => {
      if (buffered !== undefined) {
        const result = buffered
        buffered = undefined
        return result
      }
      return source.next()
    },
    peek: (): A | undefined => {
      buffered ??= source.next()
      return buffered.done ? undefined : buffered.value
    }
  }
}

/** The holders, plus what this plan started, each expected to end after its estimate. */
const holdersAhead = <W extends Waiter>(input: PlanInput<W>, started: ReadonlyArray<Admission<W>>): ReadonlyArray<Holder> => {
  const holders = typeof input.holders === "function" ? input.holders() : input.holders
  if (started.length === 0) return holders
  return [
    ...holders,
    ...started.map(({ grant, waiter: w }) => ({ ...grant, expectedEnd: w.estimatedDuration > 0 ? input.now + w.estimatedDuration : undefined }))
  ]
}
