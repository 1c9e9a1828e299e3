/**
 * The prover's child processes (`proverWorker.ts`): forked with a heap cap
 * and a thread count (their `Key`), kept warm — snarkjs loaded, its curve
 * and thread pool built — so a job does not pay process start-up (~1 s of
 * CPU). A child that finishes a job well goes back to the pool for the next
 * job with its key, up to `MAX_JOBS` jobs; one whose job fails or is
 * interrupted is killed with SIGKILL, which frees all its memory at once,
 * and a replacement with that job's key is started, on the bet that the
 * next job looks like the last, once no job has run for a moment. A cap
 * (`--max-old-space-size`) can only be set when a process starts, so a warm
 * child serves only jobs with its key.
 * Verifications borrow an idle child, or else go to one long-lived
 * single-threaded child of their own.
 * Closing the pool's scope kills every child and waits for it.
 *
 * Given a budget (`budgetBytes`), all the children together stay within it.
 * A grant covers a whole prover child's peak (its idle baseline included),
 * so a child running a job is charged its job's grant (or what it holds, if
 * more); every other child (idle, the verifier, one lent to a verification)
 * is charged what it holds resident now (`/proc`), which after a large job
 * can be far above a fresh child's ~105 MB. Idle children and the verifier
 * are the only memory no grant covers, so they are what makes room: before
 * a job runs on a child (before a new one is started for it) the verifier,
 * then the oldest idle children are killed until the charges fit; a child
 * back from a job or a verification stays only if it fits; a replacement or
 * the verifier starts only if a starting child (`STARTING_BYTES`) fits, and
 * a verification with no room waits for a child to come back (or for room).
 * The grants themselves are the allocator's and never exceed its budget, so
 * with the idle children gone a job always fits. Without a budget nothing
 * is charged.
 */
import { Deferred, Duration, Effect, Queue } from "effect"
import { type ChildProcess, fork } from "node:child_process"
import * as fs from "node:fs"
import { fileURLToPath } from "node:url"
import { decodeReply, type Reply, type Request } from "./proverProtocol.ts"
import { THREADS_ENV } from "./proverRequest.ts"

export interface Key {
  readonly threads: number
  /** `--max-old-space-size` in MiB, none for V8's default. */
  readonly heapMb: number | undefined
}

export type Event = Exclude<Reply, { readonly _tag: "Ready" }> | {
  readonly _tag: "Exited"
  readonly code: number | null
  readonly signal: string | null
}

export interface Child {
  readonly pid: number
  readonly key: Key
  readonly process: ChildProcess
  /** Replies to its job and finally its exit, in order. */
  readonly events: Queue.Queue<Event>
  /** True once it is ready (snarkjs loaded), false if it ended before. */
  readonly started: Deferred.Deferred<boolean>
  readonly closed: Deferred.Deferred<void>
  /** The start of its stderr, where V8 reports running out of memory (a native stack trace follows). */
  stderr: string
  ready: boolean
  /** Jobs it has served. */
  jobs: number
  /** The memory granted to the job it runs (what it is charged against the budget), if it runs one under a grant. */
  grant: number | undefined
}

export interface Options {
  /** Idle children to keep ready. */
  readonly warm: number
  /** The key of the first warm children. */
  readonly initial: Key
  /** Memory all the children may hold at once (see above); none: unbounded. */
  readonly budgetBytes?: number | undefined
}

/**
 * The child's module beside this one: `proverWorker.ts` when Provident runs
 * from its sources (this repository; the child then resolves `@provident/*`
 * to sources too, as its parent does), the built `proverWorker.js` in an
 * installed package.
 */
const FROM_SOURCES = import.meta.url.endsWith(".ts")
const WORKER = fileURLToPath(new URL(FROM_SOURCES ? "./proverWorker.ts" : "./proverWorker.js", import.meta.url))
const SOURCE_CONDITIONS = FROM_SOURCES ? ["--conditions=@provident/source"] : []
/** SIGKILL cannot be caught; this only bounds waiting for a child that is already gone. */
const EXIT_WAIT = Duration.seconds(5)

/** How much of a child's stderr is kept. */
const STDERR_KEPT = 16_384

/** How long no job must have run before a replacement child starts. */
const QUIET_MS = 100

/** Jobs a child serves before it is retired: a bound on what a long-lived process may accumulate. */
const MAX_JOBS = 32

/**
 * What a child is charged while it starts (it grows to this once snarkjs is
 * loaded: ~105 MB single-threaded, more with threads), or when `/proc`
 * cannot say what it holds.
 */
const STARTING_BYTES = 128 * 1024 * 1024

/** Bytes resident in `pid` now, from `/proc` (Linux); `undefined` elsewhere or once it is gone. */
const residentBytes = (pid: number): number | undefined => {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))
    return match === null ? undefined : Number(match[1]) * 1024
  } catch {
    return undefined
  }
}

const sameKey = (a: Key, b: Key) => a.threads === b.threads && a.heapMb === b.heapMb

/** A wall-clock pause, on purpose not `Effect.sleep`: a test clock must not hold back real processes. */
const realSleep = (ms: number) =>
  Effect.callback<void>((resume) => {
    const timer = setTimeout(() => resume(Effect.void), ms)
    return Effect.sync(() => clearTimeout(timer))
  })

export const make = Effect.fnUntraced(function*(options: Options) {
  const children = new Set<Child>()
  const idle: Array<Child> = []
  // Once the scope closes no replacement may start: it would outlive the pool.
  let open = true
  // Jobs running now, and ever started: replacements wait for a quiet moment.
  let busy = 0
  let startedJobs = 0
  const owed = yield* Queue.unbounded<Key>()

  const budget = options.budgetBytes ?? Number.POSITIVE_INFINITY
  // Children being killed to make room: their memory is as good as freed.
  const leaving = new Set<Child>()
  // Completed whenever a child comes back or a job ends: what a verification with no room waits for.
  let changed = Deferred.makeUnsafe<void>()
  const notify = () => {
    const done = changed
    changed = Deferred.makeUnsafe<void>()
    Deferred.doneUnsafe(done, Effect.void)
  }
  /** What `child` is charged: its job's grant or what it holds, whichever is more; a child starting up what it will hold. */
  const charge = (child: Child) =>
    Math.max(child.grant ?? 0, residentBytes(child.pid) ?? STARTING_BYTES, child.ready ? 0 : STARTING_BYTES)
  /** Whether the children, and `extra` more, fit in the budget. */
  const fits = (extra: number) => {
    if (budget === Number.POSITIVE_INFINITY) return true
    let sum = extra
    for (const c of children) if (!leaving.has(c)) sum += charge(c)
    return sum <= budget
  }

  const spawn = Effect.fnUntraced(function*(key: Key) {
    const events = yield* Queue.unbounded<Event>()
    const started = yield* Deferred.make<boolean>()
    const closed = yield* Deferred.make<void>()
    const process = fork(WORKER, [], {
      execArgv: [...(key.heapMb === undefined ? [] : [`--max-old-space-size=${key.heapMb}`]), "--disable-warning=ExperimentalWarning", ...SOURCE_CONDITIONS],
      env: { ...globalThis.process.env, [THREADS_ENV]: String(key.threads) },
      // stdout is never read: a child prints nothing, and what it might is private.
      stdio: ["ignore", "ignore", "pipe", "ipc"],
      serialization: "advanced"
    })
    const child: Child = { pid: process.pid ?? -1, key, process, events, started, closed, stderr: "", ready: false, jobs: 0, grant: undefined }
    children.add(child)
    process.stderr?.on("data", (chunk: Buffer) => {
      // The child prints nothing itself, so what comes first is the reason it dies.
      if (child.stderr.length < STDERR_KEPT) child.stderr = (child.stderr + chunk.toString()).slice(0, STDERR_KEPT)
    })
    process.on("message", (raw) => {
      const reply = decodeReply(raw)
      if (reply._tag === "None") {
        Queue.offerUnsafe(events, { _tag: "Failed", reason: "Failed", message: "the prover process sent a malformed message" })
      } else if (reply.value._tag === "Ready") {
        child.ready = true
        Deferred.doneUnsafe(started, Effect.succeed(true))
      } else Queue.offerUnsafe(events, reply.value)
    })
    const ended = (code: number | null, signal: string | null) => {
      children.delete(child)
      const at = idle.indexOf(child)
      if (at >= 0) idle.splice(at, 1)
      Queue.offerUnsafe(events, { _tag: "Exited", code, signal })
      Deferred.doneUnsafe(started, Effect.succeed(false))
      Deferred.doneUnsafe(closed, Effect.void)
    }
    // `close` comes after the exit and after stderr has been read to its end.
    process.on("close", ended)
    process.on("error", () => {
      if (process.exitCode === null && process.signalCode === null && process.pid === undefined) ended(null, null)
    })
    return child
  })

  /** Kills `child` (SIGKILL) and waits until it is gone. */
  const kill = (child: Child) =>
    Effect.sync(() => void child.process.kill("SIGKILL")).pipe(
      Effect.andThen(Deferred.await(child.closed)),
      Effect.timeoutOption(EXIT_WAIT),
      Effect.asVoid
    )

  /** Keeps `warm` idle children, adding one with `key`: the oldest idle child of another key makes room. */
  const replenish = Effect.fnUntraced(function*(key: Key) {
    if (!open || options.warm <= 0) return
    if (idle.length >= options.warm) {
      const other = idle.find((c) => !sameKey(c.key, key))
      if (other === undefined) return
      idle.splice(idle.indexOf(other), 1)
      yield* kill(other)
    }
    if (!fits(STARTING_BYTES)) return
    idle.push(yield* spawn(key))
  })

  // The verifier: one long-lived single-threaded child, started on first use, one use at a time.
  let verifier: Child | undefined
  let verifierBusy = false

  /**
   * Kills the verifier (when not in use), then the oldest idle children,
   * until the children and `extra` more fit in the budget, or none is left
   * to kill (children lent to verifications come back soon, and are
   * checked again then).
   */
  const makeRoom = (extra: number) =>
    Effect.gen(function*() {
      while (!fits(extra)) {
        let victim: Child | undefined
        if (verifier !== undefined && !verifierBusy) {
          victim = verifier
          verifier = undefined
        } else victim = idle.shift()
        if (victim === undefined) return
        yield* drop(victim)
      }
    })

  /** Kills an idle child (already out of `idle`) or the verifier, to make room: `exiting` until it is gone. */
  const drop = (child: Child) =>
    Effect.suspend(() => {
      leaving.add(child)
      return kill(child)
    }).pipe(Effect.ensuring(Effect.sync(() => void leaving.delete(child))))

  /**
   * A child with `key` for one job granted `grant` bytes: a warm one if there
   * is one, else a new one, for which the oldest idle child of another key
   * makes room (jobs have moved to another key), so the pool does not grow by
   * a process: the processes alive stay within the busy ones plus `warm`.
   * Either way, idle children make room for the grant in the budget first.
   */
  const take = (key: Key, grant: number | undefined) =>
    Effect.gen(function*() {
      const at = idle.findIndex((c) => sameKey(c.key, key))
      if (at >= 0) {
        const child = idle.splice(at, 1)[0]!
        child.grant = grant
        yield* makeRoom(0)
        return child
      }
      const other = idle.shift()
      if (other !== undefined) yield* drop(other)
      yield* makeRoom(Math.max(grant ?? 0, STARTING_BYTES))
      const child = yield* spawn(key)
      child.grant = grant
      return child
    })

  /** Back to the idle pool after a job that went well, unless retired or the pool is closing. */
  const recycle = (child: Child) =>
    Effect.suspend(() => {
      child.jobs++
      child.grant = undefined
      if (!open || child.jobs >= MAX_JOBS || !children.has(child)) {
        return kill(child).pipe(Effect.andThen(Queue.offer(owed, child.key)))
      }
      idle.push(child)
      // Keep at most `warm` idle children (at least this one): the oldest of another key goes first.
      const extra = idle.length - Math.max(1, options.warm)
      const surplus = idle.filter((c) => c !== child).sort((a, b) => Number(sameKey(a.key, child.key)) - Number(sameKey(b.key, child.key))).slice(0, Math.max(0, extra))
      for (const c of surplus) idle.splice(idle.indexOf(c), 1)
      // What it holds now is no longer covered by its grant: it stays only if it fits.
      return Effect.forEach(surplus, kill, { discard: true }).pipe(Effect.andThen(makeRoom(0)))
    })

  /**
   * Runs `use` on a child with `key`. A job that succeeds returns its child
   * to the pool (`recycle`); one that fails or is interrupted kills it and
   * waits until it is gone, then a warm replacement is owed: with `key`,
   * unless no child with it ever started (a heap cap too small to load
   * snarkjs in). `grant` is the job's memory (see the budget above).
   */
  const withChild = <A, E, R>(key: Key, grant: number | undefined, use: (child: Child) => Effect.Effect<A, E, R>) =>
    Effect.acquireUseRelease(
      Effect.tap(take(key, grant), begin),
      use,
      (child, exit) =>
        (exit._tag === "Success" ? recycle(child) : kill(child).pipe(
          Effect.andThen(Queue.offer(owed, child.ready ? key : options.initial))
        )).pipe(Effect.andThen(end))
    )

  /**
   * Runs `use` on a child that verifies. An idle warm child is borrowed when
   * there is one: its curve is built, and a pairing check (a few tens of
   * milliseconds) needs neither its threads nor its heap, so verifying
   * costs no process. Otherwise the verifier, one long-lived
   * single-threaded child, one use at a time: it must not wait for a proving
   * child to start, but it starts only if it fits in the budget; if not, the
   * verification waits for a child to come back (a job's, as every
   * verification follows a proof), unless nothing is running that could
   * come back. A failed or interrupted use kills the child it ran on.
   */
  const withVerifier = <A, E, R>(use: (child: Child) => Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.gen(function*() {
      while (true) {
        // Taken before looking, so that a child coming back in between is not missed.
        const wake = changed
        const done = yield* Effect.acquireUseRelease(
          // Taken in the uninterruptible acquire, so it is always given back or killed.
          lend,
          (lent) => (lent === undefined ? Effect.succeed(undefined) : Effect.map(use(lent), (value) => ({ value }))),
          (lent, exit) => (lent === undefined ? Effect.void : giveBack(lent, exit._tag === "Success"))
        )
        if (done !== undefined) return done.value
        yield* Deferred.await(wake)
      }
    })

  /** A child to verify on now (see `withVerifier`), or none: wait. */
  const lend = Effect.gen(function*() {
    const borrowed = idle.shift()
    if (borrowed !== undefined) return borrowed
    if (verifier !== undefined && !children.has(verifier)) verifier = undefined
    if (verifier !== undefined) {
      if (verifierBusy) return undefined
      verifierBusy = true
      return verifier
    }
    // Busy children: running a job or lent to a verification; each comes back or ends.
    const running = [...children].some((c) => !leaving.has(c))
    if (running && !fits(STARTING_BYTES)) return undefined
    verifier = yield* spawn({ threads: 1, heapMb: undefined })
    verifierBusy = true
    return verifier
  })

  /**
   * A child back from a verification: the verifier stays, a borrowed idle
   * child goes back to the pool (it served no job), if it fits and the pool
   * is not closing; one whose use failed is killed (a borrowed one is owed a
   * replacement).
   */
  const giveBack = (child: Child, ok: boolean) =>
    Effect.gen(function*() {
      if (child === verifier) {
        if (!ok) yield* kill(child)
        verifierBusy = false
      } else if (!ok) {
        yield* kill(child)
        yield* Queue.offer(owed, child.key)
      } else if (!open || !children.has(child)) {
        yield* kill(child)
      } else idle.push(child)
      yield* makeRoom(0)
      notify()
    })

  const begin = Effect.sync(() => {
    busy++
    startedJobs++
  })
  const end = Effect.sync(() => {
    busy--
    notify()
  })

  /**
   * Starts the replacements owed, each once no job has run for `QUIET_MS`
   * (real time: this is about the CPU). A child starting up takes ~1 s of
   * CPU (loading snarkjs, building its curve): started at once it would
   * compete for the cores with the proof that follows a witness a moment
   * later. Under unbroken load, children are started by the jobs themselves.
   */
  yield* Effect.forkScoped(Effect.forever(Effect.gen(function*() {
    const key = yield* Queue.take(owed)
    while (true) {
      const before = startedJobs
      yield* realSleep(QUIET_MS)
      if (busy === 0 && startedJobs === before) break
    }
    yield* replenish(key)
  })))

  yield* Effect.addFinalizer(() =>
    Effect.suspend(() => {
      open = false
      return Effect.forEach([...children], kill, { concurrency: "unbounded", discard: true })
    })
  )
  for (let i = 0; i < options.warm && fits(STARTING_BYTES); i++) idle.push(yield* spawn(options.initial))

  return {
    withChild,
    withVerifier,
    /** Every live child: running a job (or lent to a verification), warm, the verifier, or being killed to make room. */
    children: Effect.sync(() =>
      [...children].map((c) => ({
        pid: c.pid,
        role: c === verifier
          ? "verifier" as const
          : idle.includes(c)
          ? "warm" as const
          : leaving.has(c)
          ? "exiting" as const
          : "job" as const,
        threads: c.key.threads,
        heapMb: c.key.heapMb
      }))
    )
  }
})

/** Sends `request` once `child` is ready; if it ended before, returns the event that says how. */
export const send = (child: Child, request: Request) =>
  Effect.gen(function*() {
    if (!(yield* Deferred.await(child.started))) return yield* Queue.take(child.events)
    try {
      // A closed channel means the child died: its `Exited` event follows, so the error is not needed.
      child.process.send(request, () => {})
      return undefined
    } catch {
      // Serialisation failed (a function or symbol in the input): say so without quoting the input.
      return {
        _tag: "Failed",
        reason: request._tag === "Witness" ? "InvalidWitnessInput" : "Failed",
        message: "the request cannot be sent to the prover process: inputs must be numbers, bigints, strings, arrays or objects"
      } satisfies Event
    }
  })
