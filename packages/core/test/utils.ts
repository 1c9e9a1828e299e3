import { Duration, Effect, Fiber, Ref, Stream } from "effect"
import { TestClock } from "effect/testing"
import type { Scope } from "effect"

/**
 * Starts collecting a stream in the background (subscribed before this
 * returns) and gives back an effect reading what arrived so far.
 */
export const collecting = <A>(stream: Stream.Stream<A>): Effect.Effect<Effect.Effect<ReadonlyArray<A>>, never, Scope.Scope> =>
  Effect.gen(function*() {
    const seen = yield* Ref.make<ReadonlyArray<A>>([])
    yield* stream.pipe(
      Stream.runForEach((a) => Ref.update(seen, (xs) => [...xs, a])),
      Effect.forkScoped({ startImmediately: true })
    )
    yield* Effect.yieldNow
    return Ref.get(seen)
  })

/**
 * Subscribes now and returns an effect that waits for the first element
 * matching `predicate`: lets a test wait for something another fiber does,
 * instead of guessing how many scheduler turns it takes.
 */
export const nextMatching = <A>(stream: Stream.Stream<A>, predicate: (a: A) => boolean) =>
  Effect.gen(function*() {
    const fiber = yield* stream.pipe(
      Stream.filter(predicate),
      Stream.runHead,
      Effect.forkScoped({ startImmediately: true })
    )
    yield* Effect.yieldNow
    return Fiber.join(fiber).pipe(Effect.map((o) => (o._tag === "Some" ? o.value : undefined)))
  })

/**
 * Runs `effect`, moving the TestClock `step` at a time (at most `steps`
 * times) until it is done: for work that sleeps in virtual time (retries,
 * timeouts, scripted provers).
 */
export const untilDone = <A, E, R>(effect: Effect.Effect<A, E, R>, step: Duration.Input = "1 second", steps = 120) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.forkChild(effect, { startImmediately: true })
    for (let i = 0; i < steps && fiber.pollUnsafe() === undefined; i++) yield* TestClock.adjust(step)
    return yield* Fiber.join(fiber)
  })
