/**
 * Replacing a file so that neither a crash nor a power cut leaves it half
 * written: the text goes to a temporary file beside it, which is flushed
 * to disk (`fsync`) before `rename(2)` puts it in place in one step, and
 * the directory is flushed after, so the rename itself is on disk. A reader
 * sees the old file or the new one, never a mix. The temporary file is
 * removed if anything fails.
 */
import { Effect, FileSystem } from "effect"
import { randomUUID } from "node:crypto"
import * as path from "node:path"

export const writeFileAtomically = Effect.fnUntraced(function*(file: string, text: string, options: { readonly mode?: number } = {}) {
  const fs = yield* FileSystem.FileSystem
  const temporary = `${file}.${randomUUID()}.tmp`
  yield* Effect.scoped(Effect.gen(function*() {
    const handle = yield* fs.open(temporary, { flag: "w", ...(options.mode === undefined ? {} : { mode: options.mode }) })
    yield* handle.writeAll(new TextEncoder().encode(text))
    yield* handle.sync
  })).pipe(
    Effect.andThen(fs.rename(temporary, file)),
    Effect.onError(() => Effect.ignore(fs.remove(temporary)))
  )
  // Some platforms (Windows) cannot open a directory to flush it: the rename stands, only less durably.
  yield* Effect.ignore(Effect.scoped(Effect.flatMap(fs.open(path.dirname(file), { flag: "r" }), (dir) => dir.sync)))
})
