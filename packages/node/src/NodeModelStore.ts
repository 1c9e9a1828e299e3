/**
 * The `ModelStore` on Node.js: learned cost models live in one JSON file,
 * by default `cost-models.json` in Provident's cache directory
 * (`$XDG_CACHE_HOME/provident` or `~/.cache/provident` on Linux, see
 * `internal/files.ts`). Each save writes a temporary file beside it, flushes
 * it to disk and renames it over the old one (`internal/atomicWrite.ts`), so
 * neither a crash, a power cut nor a concurrent reader sees half a document; a damaged or outdated file is ignored with a
 * warning by `ModelStore.make`.
 *
 * @since 0.1.0
 */
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as ModelStore from "@provident/core/ModelStore"
import { ModelStoreError } from "@provident/core/ProvidentError"
import { Effect, FileSystem, Layer, Option, type PlatformError } from "effect"
import * as path from "node:path"
import { writeFileAtomically } from "./internal/atomicWrite.ts"
import { cacheDir } from "./internal/files.ts"

export interface Options {
  /** The file to keep the models in. Default: `cost-models.json` in the cache directory. */
  readonly file?: string
}

/** Where the models live by default. */
export const defaultFile = (env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string =>
  path.join(cacheDir(env, platform), "cost-models.json")

/** A store backend on `file`, through the Effect `FileSystem`. */
export const backend: (file: string) => Effect.Effect<ModelStore.Backend, never, FileSystem.FileSystem> = Effect
  .fnUntraced(function*(file) {
    const fs = yield* FileSystem.FileSystem
    const failed = (operation: "read" | "write") => (error: PlatformError.PlatformError) =>
      new ModelStoreError({ operation, message: error.message, cause: error })

    const read = fs.readFileString(file).pipe(
      Effect.map(Option.some),
      // No file yet is the first run, not a failure.
      Effect.catchTag("PlatformError", (error) =>
        error.reason._tag === "NotFound" ? Effect.succeed(Option.none<string>()) : Effect.fail(failed("read")(error)))
    )

    const write = (text: string) =>
      fs.makeDirectory(path.dirname(file), { recursive: true }).pipe(
        Effect.andThen(writeFileAtomically(file, text)),
        Effect.provideService(FileSystem.FileSystem, fs),
        Effect.mapError(failed("write"))
      )

    return { location: file, read, write }
  })

/** The store on a file (default: `defaultFile()`). */
export const layer = (options: Options = {}): Layer.Layer<ModelStore.ModelStore> =>
  Layer.effect(ModelStore.ModelStore, Effect.map(backend(options.file ?? defaultFile()), ModelStore.make)).pipe(
    Layer.provide(NodeFileSystem.layer)
  )
