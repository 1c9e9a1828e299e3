/**
 * Where learned cost models survive restarts: the seam, the versioned
 * document it stores, and the in-memory backend. Platforms add their own
 * backends (`NodeModelStore` writes a file in the user's cache directory).
 *
 * What is stored is the evidence, not the fit: the recent completions of
 * each model, from which the fit is recomputed on load. A document that
 * cannot be read, is not valid JSON, fails its schema or has another version
 * is ignored with a warning: the predictor starts from the profiles' declared
 * estimates again and relearns, it never fails to start.
 *
 * @since 0.1.0
 */
import { Context, Effect, Layer, Option, Schema } from "effect"
import { Completion } from "./Completion.ts"
import { decoder } from "./internal/decode.ts"
import { Millis } from "./internal/units.ts"
import type { ModelStoreError } from "./ProvidentError.ts"

/** The document version this code reads and writes. */
export const version = 1

/** A completion and when it was observed (ms since the epoch, from the `Clock`). */
export const StoredCompletion = Schema.Struct({ ...Completion.fields, observedAt: Millis })
export type StoredCompletion = typeof StoredCompletion.Type

export const ModelDocument = Schema.Struct({
  version: Schema.Literal(version),
  completions: Schema.Array(StoredCompletion)
})
export type ModelDocument = typeof ModelDocument.Type

/** Raw storage of the document's text. */
export interface Backend {
  /** Where the text lives, for log messages. */
  readonly location: string
  /** The stored text, or none when nothing was ever stored. */
  readonly read: Effect.Effect<Option.Option<string>, ModelStoreError>
  /** Replaces the stored text; a reader never sees a half-written one. */
  readonly write: (text: string) => Effect.Effect<void, ModelStoreError>
}

export interface Service {
  /** The stored completions; none (and a logged warning) when the store is unreadable, corrupt or of another version. */
  readonly load: Effect.Effect<ReadonlyArray<StoredCompletion>>
  /** Replaces what is stored. */
  readonly save: (completions: ReadonlyArray<StoredCompletion>) => Effect.Effect<void, ModelStoreError>
}

export class ModelStore extends Context.Service<ModelStore, Service>()("@provident/core/ModelStore") {}

const parseJson = decoder(Schema.fromJsonString(Schema.Unknown), "ModelDocument")
const readVersion = decoder(Schema.Struct({ version: Schema.Unknown }), "ModelDocument")
const decodeDocument = decoder(ModelDocument, "ModelDocument")
const encodeDocument = Schema.encodeSync(Schema.fromJsonString(ModelDocument))

/** The document in `text`, or why it is unusable. */
const parse = (text: string): Effect.Effect<ModelDocument, string> =>
  Effect.gen(function*() {
    const json = yield* parseJson(text).pipe(Effect.mapError(() => "it is not valid JSON"))
    const found = yield* readVersion(json).pipe(Effect.mapError(() => "it is not an object with a version"))
    if (found.version !== version) {
      return yield* Effect.fail(`it has version ${JSON.stringify(found.version)}, this code reads version ${version}`)
    }
    return yield* decodeDocument(json).pipe(Effect.mapError((invalid) => invalid.message))
  })

/** A store over a backend, with the versioning and the tolerance of bad data described above. */
export const make = (backend: Backend): Service =>
  ModelStore.of({
    load: backend.read.pipe(
      Effect.mapError((error) => error.message),
      Effect.flatMap(Option.match({
        onNone: () => Effect.succeed<ReadonlyArray<StoredCompletion>>([]),
        onSome: (text) => Effect.map(parse(text), (document) => document.completions)
      })),
      Effect.catch((why) =>
        Effect.as(
          Effect.logWarning(`ModelStore: ignoring the stored cost models at ${backend.location}: ${why}; learning afresh`),
          []
        )
      )
    ),
    save: (completions) => backend.write(encodeDocument({ version, completions }))
  })

/** A backend holding the text in memory, starting from `initial` when given. */
export const memoryBackend = (initial?: string): Backend => {
  let text = Option.fromUndefinedOr(initial)
  return {
    location: "memory",
    read: Effect.sync(() => text),
    write: (next) => Effect.sync(() => void (text = Option.some(next)))
  }
}

/** A store in memory, for tests and for platforms without storage; `initial` seeds its text. */
export const layerMemory = (initial?: string): Layer.Layer<ModelStore> =>
  Layer.sync(ModelStore, () => make(memoryBackend(initial)))

/** A store that keeps nothing: every run learns from scratch. */
export const layerNoop: Layer.Layer<ModelStore> = Layer.succeed(ModelStore, ModelStore.of({ load: Effect.succeed([]), save: () => Effect.void }))
