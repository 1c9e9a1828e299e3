import { Effect, Ref, Stream } from "effect"
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
