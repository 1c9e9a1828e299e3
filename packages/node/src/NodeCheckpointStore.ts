/**
 * The `CheckpointStore` on Node.js: one file per checkpoint under
 * `checkpoints/` in Provident's cache directory, so a progressive proof's
 * witness waits on disk, not in memory, while the proof is paused or
 * retried.
 *
 * Checkpoints hold private data (a witness is derived from private inputs),
 * so nothing on disk can be read, or tied to an input, by anyone but the
 * process that wrote it:
 * - each store holds a random 256-bit key in memory only; values are
 *   encrypted with AES-256-GCM under it (authenticated with their
 *   execution and key, so a file moved to another slot does not decrypt),
 *   and file and directory names are HMACs under it;
 * - files are readable by the user only (0600, directories 0700) and
 *   written atomically (`internal/atomicWrite.ts`);
 * - the executor clears an execution's checkpoints when it ends, however
 *   it ends. What a killed process left behind is ciphertext whose key died
 *   with it: at start-up and every `sweepInterval` the store removes the
 *   directories of processes of this host that are gone, those without an
 *   owner record (an older version's, in plaintext), and any other older
 *   than `maxAge`. A store never restores another process's checkpoints,
 *   so none outlives its process.
 *
 * Values are JSON, with byte arrays (`Uint8Array`, e.g. `.wtns` bytes)
 * stored as base64, before encryption.
 *
 * @since 0.1.0
 */
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { CheckpointError, CheckpointStore, type Service } from "@provident/core/CheckpointStore"
import { Clock, Duration, Effect, FileSystem, Layer, Option, Schedule } from "effect"
import type { Scope } from "effect"
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from "node:crypto"
import * as os from "node:os"
import * as path from "node:path"
import { writeFileAtomically } from "./internal/atomicWrite.ts"
import { cacheDir } from "./internal/files.ts"

export interface Options {
  /** The directory holding the checkpoints. Default: `checkpoints` in the cache directory. */
  readonly directory?: string
  /** Leftovers of another live process or another host older than this are removed. Default 24 hours. */
  readonly maxAge?: Duration.Input
  /** How often leftovers are looked for (and at start-up). Default 10 minutes. */
  readonly sweepInterval?: Duration.Input
}

const BYTES = "$provident.bytes"
const OWNER = "owner.json"

/** JSON with `Uint8Array`s as base64. */
export const serialize = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) => (v instanceof Uint8Array ? { [BYTES]: Buffer.from(v).toString("base64") } : v))

export const deserialize = (text: string): unknown =>
  JSON.parse(text, (_key, v: unknown) =>
    typeof v === "object" && v !== null && BYTES in v && typeof (v as Record<string, unknown>)[BYTES] === "string"
      ? new Uint8Array(Buffer.from((v as Record<string, string>)[BYTES]!, "base64"))
      : v)

/** A process-lifetime key: encrypts values and names files. */
const makeSealer = () => {
  const key = randomBytes(32)
  const name = (...parts: ReadonlyArray<string>) => createHmac("sha256", key).update(parts.join("\u0000")).digest("hex").slice(0, 40)
  const seal = (slot: string, text: string): string => {
    const iv = randomBytes(12)
    const cipher = createCipheriv("aes-256-gcm", key, iv).setAAD(Buffer.from(slot))
    const body = Buffer.concat([cipher.update(text, "utf8"), cipher.final()])
    return JSON.stringify({ v: 1, iv: iv.toString("base64"), tag: cipher.getAuthTag().toString("base64"), body: body.toString("base64") })
  }
  /** The plaintext, or undefined when it was not sealed by this key for this slot (or is damaged). */
  const open = (slot: string, sealed: string): string | undefined => {
    try {
      const { iv, tag, body } = JSON.parse(sealed) as { iv: string; tag: string; body: string }
      const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64")).setAAD(Buffer.from(slot))
      decipher.setAuthTag(Buffer.from(tag, "base64"))
      return Buffer.concat([decipher.update(Buffer.from(body, "base64")), decipher.final()]).toString("utf8")
    } catch {
      return undefined
    }
  }
  return { name, seal, open }
}

/** Whether process `pid` of this host is alive (EPERM: alive, someone else's). */
const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"
  }
}

interface Owner {
  readonly host: string
  readonly pid: number
}

/** A directory without an owner record this old is a leftover (the record is written before any checkpoint). */
const UNOWNED_GRACE_MS = 60_000

/**
 * Whether a checkpoint directory is a leftover: its owner, a process of
 * this host, is gone; it has no owner record (an older version's plaintext
 * checkpoints) past a minute's grace; or it is older than `maxAge` and not
 * this process's.
 */
export const isLeftover = (owner: Owner | undefined, ageMs: number, maxAgeMs: number, self: Owner, isAlive: (pid: number) => boolean): boolean => {
  if (owner === undefined) return ageMs > Math.min(maxAgeMs, UNOWNED_GRACE_MS)
  if (owner.host === self.host && owner.pid === self.pid) return false
  if (owner.host === self.host && !isAlive(owner.pid)) return true
  return ageMs > maxAgeMs
}

export const make = Effect.fnUntraced(function*(options: Options = {}) {
  const fs = yield* FileSystem.FileSystem
  const root = options.directory ?? path.join(cacheDir(), "checkpoints")
  const sealer = makeSealer()
  const self: Owner = { host: os.hostname(), pid: process.pid }
  const dirOf = (execution: string) => path.join(root, sealer.name("execution", execution))
  const fileOf = (execution: string, key: string) => path.join(dirOf(execution), `${sealer.name("key", execution, key)}.json`)
  const slotOf = (execution: string, key: string) => `${execution}\u0000${key}`
  const failed = (operation: CheckpointError["operation"], execution: string, key: string) => (error: { readonly message: string }) =>
    new CheckpointError({ operation, execution, key, message: `checkpoint ${operation} failed: ${error.message}` })

  const withOwner = (execution: string) =>
    fs.exists(path.join(dirOf(execution), OWNER)).pipe(
      Effect.flatMap((exists) =>
        exists ? Effect.void : Effect.andThen(
          fs.makeDirectory(dirOf(execution), { recursive: true, mode: 0o700 }),
          writeFileAtomically(path.join(dirOf(execution), OWNER), JSON.stringify(self), { mode: 0o600 })
        ))
    )

  const service: Service = {
    save: (execution, key, value) =>
      withOwner(execution).pipe(
        Effect.andThen(Effect.try({ try: () => serialize(value), catch: (e) => ({ message: `the value is not serialisable: ${String(e)}` }) })),
        Effect.flatMap((text) => writeFileAtomically(fileOf(execution, key), sealer.seal(slotOf(execution, key), text), { mode: 0o600 })),
        Effect.provideService(FileSystem.FileSystem, fs),
        Effect.mapError(failed("save", execution, key))
      ),
    restore: (execution, key) =>
      fs.readFileString(fileOf(execution, key)).pipe(
        // A checkpoint this store cannot open (damaged, or sealed by another process) is as good as none: the phase runs again.
        Effect.map((sealed) => Option.fromUndefinedOr(sealer.open(slotOf(execution, key), sealed))),
        Effect.flatMap(Option.match({
          onNone: () => Effect.succeed(Option.none<unknown>()),
          onSome: (text) => Effect.try({ try: () => Option.some(deserialize(text)), catch: () => undefined }).pipe(Effect.orElseSucceed(() => Option.none<unknown>()))
        })),
        Effect.catchTag("PlatformError", (error) =>
          error.reason._tag === "NotFound" ? Effect.succeed(Option.none()) : Effect.fail(failed("restore", execution, key)(error)))
      ),
    clear: (execution) =>
      fs.remove(dirOf(execution), { recursive: true, force: true }).pipe(Effect.mapError(failed("clear", execution, "*")))
  }

  /** Removes leftovers (see the module comment); a directory it cannot read or remove is skipped. */
  const sweep = Effect.gen(function*() {
    const maxAgeMs = Duration.toMillis(Duration.fromInputUnsafe(options.maxAge ?? "24 hours"))
    const now = yield* Clock.currentTimeMillis
    const entries = yield* fs.readDirectory(root).pipe(Effect.orElseSucceed(() => []))
    let removed = 0
    for (const entry of entries) {
      const dir = path.join(root, entry)
      const owner = yield* fs.readFileString(path.join(dir, OWNER)).pipe(
        Effect.map((text) => JSON.parse(text) as Owner),
        Effect.orElseSucceed(() => undefined),
        Effect.catchDefect(() => Effect.succeed(undefined))
      )
      const modified = yield* fs.stat(dir).pipe(Effect.map((s) => Option.getOrElse(Option.map(s.mtime, (d) => d.getTime()), () => now)), Effect.orElseSucceed(() => now))
      if (!isLeftover(owner, now - modified, maxAgeMs, self, alive)) continue
      const gone = yield* fs.remove(dir, { recursive: true, force: true }).pipe(Effect.as(true), Effect.orElseSucceed(() => false))
      if (gone) removed++
    }
    if (removed > 0) yield* Effect.logInfo(`removed ${removed} leftover checkpoint director${removed === 1 ? "y" : "ies"} from ${root}`)
  })

  return { service: CheckpointStore.of(service), sweep }
})

/**
 * Checkpoints in files (default: the cache directory), swept for leftovers
 * at start-up and every `sweepInterval` while the layer lives.
 */
export const layer = (options: Options = {}): Layer.Layer<CheckpointStore> =>
  Layer.effect(CheckpointStore, start(options)).pipe(Layer.provide(NodeFileSystem.layer))

const start = (options: Options): Effect.Effect<CheckpointStore["Service"], never, FileSystem.FileSystem | Scope.Scope> =>
  Effect.gen(function*() {
    const { service, sweep } = yield* make(options)
    yield* sweep
    // At least a second apart: a zero interval would spin.
    const every = Duration.max(Duration.fromInputUnsafe(options.sweepInterval ?? "10 minutes"), Duration.seconds(1))
    yield* sweep.pipe(Effect.repeat(Schedule.spaced(every)), Effect.forkScoped)
    return service
  })
