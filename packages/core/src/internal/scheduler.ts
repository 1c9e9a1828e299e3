/**
 * The allocator's bookkeeping as a synchronous state machine: live and
 * finished operations, the admission queue, and what is granted. Every method
 * runs to completion without yielding, so a call made inside one
 * `Effect.sync` is atomic with respect to other fibers. Effects (forking,
 * signalling waiters, metrics) stay in `ResourceAllocator.ts`.
 */
import type { Allocation, Resources } from "../AllocationDecision.ts"
import type { AllocatorConfig } from "../AllocatorConfig.ts"
import type { OperationProfile } from "../OperationProfile.ts"
import type { Priority } from "../Priority.ts"
import { type Holder, plan } from "./admission.ts"
import { WaitQueue } from "./waitQueue.ts"
import type { Budget } from "./budget.ts"
import type { Need } from "./grant.ts"

export type OperationState = "queued" | "running" | "paused" | "completed" | "failed" | "cancelled"
export type StopReason = "pause" | "evict" | "cancel" | "shutdown"

export const isTerminal = (state: OperationState): boolean =>
  state === "completed" || state === "failed" || state === "cancelled"

/** One operation; `H` carries the service's effect handles (fiber, deferreds, body). */
export interface Op<H> {
  readonly id: number
  readonly name: string
  readonly profile: OperationProfile
  readonly priority: Priority
  readonly rank: number
  /** The profile's estimate in ms, 0 when unknown: for backfill and wait estimates. */
  readonly estimatedDuration: number
  need: Need
  /** Work the allocator runs (and may pause); `false` for `allocate()` holds. */
  readonly hasBody: boolean
  state: OperationState
  /** In the admission queue. */
  waiting: boolean
  queuedAt: number
  startedAt: number | undefined
  /** Admissions so far; restarts are admissions after the first. */
  runs: number
  evicted: boolean
  grant: Allocation | undefined
  stopping: StopReason | undefined
  readonly handles: H
}

export interface FinishedStatus {
  readonly name: string
  readonly state: OperationState
  readonly priority: Priority
  readonly restarts: number
  readonly finishedAt: number
}

export class Scheduler<H> {
  readonly live = new Map<string, Op<H>>()
  readonly finished = new Map<string, FinishedStatus>()
  private readonly waiting = new WaitQueue<Op<H>>()
  private readonly holding = new Set<Op<H>>()
  private granted: Resources = { memory: 0, cores: 0 }
  private head: { readonly id: number | undefined; readonly used: number } = { id: undefined, used: 0 }
  private nextId = 0
  private readonly config: AllocatorConfig

  constructor(config: AllocatorConfig) {
    this.config = config
  }

  newId(): number {
    return this.nextId++
  }

  get totalGranted(): Resources {
    return this.granted
  }

  get queueLength(): number {
    return this.waiting.size
  }

  get runningCount(): number {
    return this.holding.size
  }

  /** Operations holding a grant. */
  get running(): ReadonlyArray<Op<H>> {
    return [...this.holding]
  }

  enqueue(op: Op<H>, now: number): void {
    op.state = "queued"
    op.waiting = true
    op.queuedAt = now
    this.waiting.add(op)
  }

  dequeue(op: Op<H>): void {
    op.waiting = false
    this.waiting.remove(op)
  }

  /** What running work holds, and when each is expected to give it back. */
  holders(): ReadonlyArray<Holder> {
    const out: Array<Holder> = []
    for (const op of this.holding) {
      if (op.grant === undefined) continue
      out.push({
        memory: op.grant.memory,
        cores: op.grant.cores,
        expectedEnd: op.estimatedDuration > 0 ? op.grant.grantedAt + op.estimatedDuration : undefined
      })
    }
    return out
  }

  /** Admits whatever the policy allows now; the admitted are running with a grant. */
  admit(budget: Budget, now: number, criticalOnly: boolean): ReadonlyArray<Op<H>> {
    if (this.waiting.size === 0) return []
    const result = plan({
      ordered: this.waiting.inOrder(now, this.config.agingInterval),
      holders: () => this.holders(),
      free: { memory: budget.memory - this.granted.memory, cores: budget.cores - this.granted.cores },
      now,
      maxBackfill: this.config.maxBackfill,
      previousHead: this.head.id,
      backfillsUsed: this.head.used,
      criticalOnly
    })
    this.head = { id: result.head, used: result.backfillsUsed }
    return result.admit.map(({ waiter: op, grant }) => {
      this.dequeue(op)
      this.holding.add(op)
      op.state = "running"
      op.startedAt = now
      op.grant = {
        name: op.name,
        priority: op.priority,
        memory: grant.memory,
        cores: grant.cores,
        grantedAt: now,
        waitedMs: Math.max(0, now - op.queuedAt),
        restarts: op.runs
      }
      op.runs++
      op.evicted = false
      this.granted = { memory: this.granted.memory + grant.memory, cores: this.granted.cores + grant.cores }
      return op
    })
  }

  /**
   * Gives an operation's grant back. Releasing what was not granted is a bug
   * in the allocator, so it throws (a defect), as Go's semaphore panics.
   */
  release(op: Op<H>): void {
    const grant = op.grant
    if (grant === undefined) throw new Error(`ResourceAllocator: released ${op.name} twice or without a grant`)
    op.grant = undefined
    this.holding.delete(op)
    const memory = this.granted.memory - grant.memory
    const cores = this.granted.cores - grant.cores
    // Float sums can leave dust; anything more negative is an accounting bug.
    if (memory < -1e-6 || cores < -1e-9) throw new Error(`ResourceAllocator: granted total went negative releasing ${op.name}`)
    this.granted = { memory: Math.max(0, memory), cores: Math.max(0, cores) }
  }

  /** Moves an operation to its terminal state and out of the live set. */
  finish(op: Op<H>, state: OperationState, now: number): void {
    if (op.waiting) this.dequeue(op)
    op.state = state
    this.live.delete(op.name)
    this.finished.delete(op.name)
    this.finished.set(op.name, {
      name: op.name,
      state,
      priority: op.priority,
      restarts: Math.max(0, op.runs - 1),
      finishedAt: now
    })
    // Forget the oldest beyond the configured history (a Map iterates in insertion order).
    while (this.finished.size > this.config.finishedHistory) {
      const oldest = this.finished.keys().next().value
      if (oldest === undefined) break
      this.finished.delete(oldest)
    }
  }
}
