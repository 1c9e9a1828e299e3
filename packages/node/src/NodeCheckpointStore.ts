/**
 * The `CheckpointStore` on Node.js: one file per checkpoint under
 * `checkpoints/` in Provident's cache directory, so a progressive proof
 * resumes after the process restarts. Checkpoints can hold private data (a
 * witness is derived from private inputs): files are created readable by
 * the user only (0600) and never logged; an execution's directory is removed
 * when it succeeds. Writes go to a temporary file, flushed to disk and
 * renamed into place (`internal/atomicWrite.ts`), so neither a crash nor a
 * power cut leaves half a checkpoint.
 *
 * Values are JSON, with byte arrays (`Uint8Array`, e.g. `.wtns` bytes)
 * stored as base64.
 *
 * @since 0.1.0
 */
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { CheckpointError, CheckpointStore, type Service } from "@provident/core/CheckpointStore"
import { Effect, FileSystem, Layer, Option } from "effect"
import { createHash } from "node:crypto"
import * as path from "node:path"
import { writeFileAtomically } from "./internal/atomicWrite.ts"
import { cacheDir } from "./internal/files.ts"

export interface Options {
  /** The directory holding the checkpoints. Default: `checkpoints` in the cache directory. */
  readonly directory?: string
}

const digest = (s: string) => createHash("sha256").update(s).digest("hex").slice(0, 32)

const BYTES = "$provident.bytes"

/** JSON with `Uint8Array`s as base64. */
export const serialize = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) => (v instanceof Uint8Array ? { [BYTES]: Buffer.from(v).toString("base64") } : v))

export const deserialize = (text: string): unknown =>
  JSON.parse(text, (_key, v: unknown) =>
    typeof v === "object" && v !== null && BYTES in v && typeof (v as Record<string, unknown>)[BYTES] === "string"
      ? new Uint8Array(Buffer.from((v as Record<string, string>)[BYTES]!, "base64"))
      : v)

export const make = Effect.fnUntraced(function*(options: Options = {}) {
  const fs = yield* FileSystem.FileSystem
  const root = options.directory ?? path.join(cacheDir(), "checkpoints")
  const dirOf = (execution: string) => path.join(root, digest(execution))
  const fileOf = (execution: string, key: string) => path.join(dirOf(execution), `${digest(key)}.json`)
  const failed = (operation: CheckpointError["operation"], execution: string, key: string) => (error: { readonly message: string }) =>
    new CheckpointError({ operation, execution, key, message: `checkpoint ${operation} failed: ${error.message}` })

  const service: Service = {
    save: (execution, key, value) => {
      return fs.makeDirectory(dirOf(execution), { recursive: true, mode: 0o700 }).pipe(
        Effect.andThen(Effect.try({ try: () => serialize(value), catch: (e) => ({ message: `the value is not serialisable: ${String(e)}` }) })),
        Effect.flatMap((text) => writeFileAtomically(fileOf(execution, key), text, { mode: 0o600 })),
        Effect.provideService(FileSystem.FileSystem, fs),
        Effect.mapError(failed("save", execution, key))
      )
    },
    restore: (execution, key) =>
      fs.readFileString(fileOf(execution, key)).pipe(
        Effect.map((text) => Option.some(deserialize(text))),
        Effect.catchTag("PlatformError", (error) =>
          error.reason._tag === "NotFound" ? Effect.succeed(Option.none()) : Effect.fail(failed("restore", execution, key)(error))),
        // A damaged checkpoint is as good as none: the phase runs again.
        Effect.catchDefect(() => Effect.succeed(Option.none()))
      ),
    clear: (execution) =>
      fs.remove(dirOf(execution), { recursive: true, force: true }).pipe(Effect.mapError(failed("clear", execution, "*")))
  }
  return CheckpointStore.of(service)
})

/** Checkpoints in files (default: the cache directory). */
export const layer = (options?: Options): Layer.Layer<CheckpointStore> =>
  Layer.effect(CheckpointStore, make(options)).pipe(Layer.provide(NodeFileSystem.layer))
