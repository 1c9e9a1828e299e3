/**
 * The runtime behind each object of the Promise facade. Every object runs
 * its services on a `ManagedRuntime` that shares the memo map of the monitor
 * it was built over, so the layers it is built from (the monitor's, an
 * allocator's) are the very instances that monitor and allocator run: two
 * allocators over one monitor see one monitor, and a computation over an
 * allocator admits its work through that allocator.
 *
 * It also turns Effect outcomes into Promise ones: a service's error rejects
 * as itself (they are `Error`s with a message and a `_tag`), invalid input as
 * a `TypeError` with the service's message, and work interrupted by closing
 * as `Error: <Class> is closed`. Closing closes what was built over the
 * object first, then disposes its runtime; it is idempotent.
 *
 * @since 0.1.0
 */
import { Cause, Effect, Exit, type Fiber, type Layer, ManagedRuntime } from "effect"
import { InvalidInput } from "../ProvidentError.ts"
import type { Platform } from "./Platform.ts"

/** What every object built over one monitor shares. */
export interface Shared {
  readonly memoMap: Layer.MemoMap
  readonly platform: Platform
}

/** A service's failure as a Promise rejection: invalid input is a `TypeError`, the rest rejects as itself. */
export const toError = (failure: unknown): Error =>
  failure instanceof InvalidInput
    ? new TypeError(failure.message, { cause: failure })
    : failure instanceof Error
    ? failure
    : new Error(String(failure), { cause: failure })

// Parents and dependents are held whatever services they run.
type AnyRuntime = FacadeRuntime<any>

export class FacadeRuntime<R> {
  /** The class name, for messages. */
  readonly owner: string
  /** What the object runs: its own service over its parents' layers. */
  readonly layer: Layer.Layer<R, InvalidInput>
  readonly shared: Shared
  /** The objects it was built over; closing one closes this first. */
  readonly parents: ReadonlyArray<AnyRuntime>
  readonly runtime: ManagedRuntime.ManagedRuntime<R, InvalidInput>
  readonly #dependents = new Set<AnyRuntime>()
  #closing: Promise<void> | undefined
  // Whether the layer has been built, so that `runSync` can answer.
  #ready = false
  #watching = false
  // Commands (see `command`) chain here so that they take effect in call order.
  #serial: Promise<unknown> = Promise.resolve()

  constructor(owner: string, layer: Layer.Layer<R, InvalidInput>, shared: Shared, parents: ReadonlyArray<AnyRuntime> = []) {
    for (const parent of parents) if (parent.closed) throw parent.closedError()
    this.owner = owner
    this.layer = layer
    this.shared = shared
    this.parents = parents
    for (const parent of parents) parent.#dependents.add(this)
    this.runtime = ManagedRuntime.make(layer, { memoMap: shared.memoMap })
  }

  get closed(): boolean {
    return this.#closing !== undefined
  }

  closedError(): Error {
    return new Error(`${this.owner} is closed`)
  }

  /** Builds the layer (once); resolves when the services are up and `runSync` answers. */
  start(): Promise<void> {
    return this.run(Effect.void)
  }

  /** Runs an effect on the services. Rejects at once when closed. */
  run<A, E>(effect: Effect.Effect<A, E, R>): Promise<A> {
    if (this.closed) return Promise.reject(this.closedError())
    this.#watchBuild()
    return this.runtime.runPromiseExit(effect).then((exit) => {
      if (Exit.isSuccess(exit)) this.#ready = true
      return this.#settle(exit)
    })
  }

  /**
   * Runs an effect after every earlier `command` has settled, and holds
   * later ones until it settles: the spec calls `pauseOperation`,
   * `resumeOperation` and `cancelOperation` back to back without `await`,
   * and each must see the previous one done.
   */
  command<A, E>(effect: Effect.Effect<A, E, R>): Promise<A> {
    if (this.closed) return Promise.reject(this.closedError())
    const result = this.#serial.then(() => this.run(effect))
    this.#serial = result.catch(() => undefined)
    return result
  }

  /** Runs an effect after the earlier commands, without holding later ones (for calls that may wait long). */
  after<A, E>(effect: Effect.Effect<A, E, R>): Promise<A> {
    if (this.closed) return Promise.reject(this.closedError())
    return this.#serial.then(() => this.run(effect))
  }

  /**
   * Runs an effect that completes without waiting, synchronously, for the
   * methods the spec calls without `await`. Throws when closed; before the
   * layer is built it answers `ifNotReady()` (building is asynchronous).
   */
  runSync<A, E, B>(effect: Effect.Effect<A, E, R>, ifNotReady: () => B): A | B {
    if (this.closed) throw this.closedError()
    if (!this.#ready) return ifNotReady()
    return this.#settle(this.runtime.runSyncExit(effect))
  }

  /** Starts a fiber on the services; it is interrupted when the object closes. */
  fork<A, E>(effect: Effect.Effect<A, E, R>): Fiber.Fiber<A, E | InvalidInput> {
    if (this.closed) throw this.closedError()
    this.#watchBuild()
    return this.runtime.runFork(effect)
  }

  /** Closes the objects built over this one, then disposes the runtime. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= Promise.all([...this.#dependents].map((dependent) => dependent.close()))
      .then(() => this.runtime.dispose())
      .finally(() => {
        for (const parent of this.parents) parent.#dependents.delete(this)
      })
    return this.#closing
  }

  // `ready` must turn true as soon as the layer is built, not when the first
  // call (which may be a long computation) returns.
  #watchBuild(): void {
    if (this.#watching) return
    this.#watching = true
    this.runtime.context().then(() => (this.#ready = true), () => undefined)
  }

  #settle<A>(exit: Exit.Exit<A, unknown>): A {
    if (Exit.isSuccess(exit)) return exit.value
    if (this.closed && Cause.hasInterruptsOnly(exit.cause)) throw this.closedError()
    throw toError(Cause.squash(exit.cause))
  }
}
