/**
 * The admission queue: one FIFO per priority, read in admission order by
 * merging their heads. Within a priority, arrival order is also aging order
 * (who waited longest has aged most), so the best waiter overall is the best
 * of the five heads: reading the queue in order costs O(5) per element
 * instead of a sort of everything waiting, and removing from the middle
 * (cancel, pause) is O(1) by marking the entry stale.
 */
import { effectiveRank } from "./admission.ts"

export interface Queued {
  readonly id: number
  readonly rank: number
  readonly queuedAt: number
}

interface Entry<W> {
  readonly item: W
  readonly ticket: number
}

export class WaitQueue<W extends Queued> {
  private readonly buckets: Array<Array<Entry<W>>> = [[], [], [], [], []]
  private readonly starts = [0, 0, 0, 0, 0]
  /** The ticket of each waiting item; an entry with another ticket is stale. */
  private readonly tickets = new Map<W, number>()
  private nextTicket = 0

  get size(): number {
    return this.tickets.size
  }

  has(item: W): boolean {
    return this.tickets.has(item)
  }

  add(item: W): void {
    const ticket = this.nextTicket++
    this.tickets.set(item, ticket)
    this.buckets[item.rank]!.push({ item, ticket })
  }

  remove(item: W): void {
    this.tickets.delete(item)
    this.compact(item.rank)
  }

  /** Everything waiting, in admission order at `now`. */
  *inOrder(now: number, agingInterval: number): Generator<W> {
    const cursors = [...this.starts]
    for (;;) {
      let bestBucket = -1
      let best: W | undefined
      for (let b = 0; b < this.buckets.length; b++) {
        const bucket = this.buckets[b]!
        let cursor = cursors[b]!
        while (cursor < bucket.length && !this.live(bucket[cursor]!)) cursor++
        cursors[b] = cursor
        const entry = bucket[cursor]
        if (entry === undefined) continue
        if (best === undefined || before(entry.item, best, now, agingInterval)) {
          bestBucket = b
          best = entry.item
        }
      }
      if (best === undefined) return
      cursors[bestBucket]!++
      yield best
    }
  }

  private live(entry: Entry<W>): boolean {
    return this.tickets.get(entry.item) === entry.ticket
  }

  /** Drops stale entries from the front, and rebuilds a bucket that is mostly stale. */
  private compact(rank: number): void {
    const bucket = this.buckets[rank]!
    while (this.starts[rank]! < bucket.length && !this.live(bucket[this.starts[rank]!]!)) this.starts[rank]!++
    if (this.starts[rank]! > 64 && this.starts[rank]! * 2 > bucket.length) {
      this.buckets[rank] = bucket.slice(this.starts[rank]).filter((e) => this.live(e))
      this.starts[rank] = 0
    }
  }
}

const before = (a: Queued, b: Queued, now: number, agingInterval: number): boolean => {
  const ra = effectiveRank(a, now, agingInterval)
  const rb = effectiveRank(b, now, agingInterval)
  return ra !== rb ? ra > rb : a.queuedAt !== b.queuedAt ? a.queuedAt < b.queuedAt : a.id < b.id
}
