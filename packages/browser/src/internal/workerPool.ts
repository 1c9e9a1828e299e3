/**
 * The prover's workers: each job gets a worker of its own, never used
 * before and terminated when the job ends, however it ends. Starting a
 * worker costs its module graph (the Schema decoders; over a second in
 * Vite's dev server on a slow machine), so `warm` of them are started ahead
 * and wait idle, with nothing of snarkjs loaded yet: a job takes one and a
 * replacement starts. snarkjs loads only once the job has said how many
 * threads it may use. A warm worker that dies while it waits (its code
 * failed to load, the browser reclaimed it) is noticed and never handed out.
 */

/** A worker and what it is doing, for diagnostics. */
export interface Info {
  readonly id: number
  readonly busy: boolean
  /** The job's phase, circuit and thread count while busy (the engine's own count once started). */
  readonly job?: { readonly phase: string; readonly circuit: string; readonly threads: number }
}

export interface Slot {
  readonly id: number
  readonly worker: Worker
  /** Set when the worker died (its `error` event's text, maybe empty): it will never answer. */
  crash: string | undefined
}

export const make = (spawn: () => Worker, warm: number) => {
  const idle: Array<Slot> = []
  const busy = new Map<number, { readonly worker: Worker; job: NonNullable<Info["job"]> }>()
  let nextId = 0
  const start = (): Slot => {
    const slot: Slot = { id: ++nextId, worker: spawn(), crash: undefined }
    slot.worker.addEventListener("error", (event) => {
      slot.crash = event.message ?? ""
      // Handled: the page's console need not print it (a job's error text may quote its input).
      event.preventDefault()
    })
    return slot
  }
  const fill = () => {
    try {
      while (idle.length < warm) idle.push(start())
    } catch {
      // No workers here (or a CSP forbids them): jobs will say so when they try.
    }
  }

  return {
    fill,
    /** A fresh worker for `job` (a warm one if any); throws when workers cannot be started. */
    take: (job: NonNullable<Info["job"]>): Slot => {
      let slot = idle.shift()
      while (slot?.crash !== undefined) {
        slot.worker.terminate()
        slot = idle.shift()
      }
      slot ??= start()
      busy.set(slot.id, { worker: slot.worker, job })
      fill()
      return slot
    },
    /** Records the engine's own thread count. */
    started: (id: number, threads: number) => {
      const entry = busy.get(id)
      if (entry !== undefined) entry.job = { ...entry.job, threads }
    },
    /** Terminates the job's worker: its memory is freed at once. */
    release: (slot: Slot) => {
      slot.worker.terminate()
      busy.delete(slot.id)
    },
    shutdown: () => {
      for (const slot of idle.splice(0)) slot.worker.terminate()
      for (const { worker } of busy.values()) worker.terminate()
      busy.clear()
    },
    infos: (): ReadonlyArray<Info> => [
      ...Array.from(busy, ([id, { job }]) => ({ id, busy: true, job })),
      ...idle.map(({ id }) => ({ id, busy: false }))
    ]
  }
}
