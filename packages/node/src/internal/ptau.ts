/**
 * Local powers of tau, made on this machine and never downloaded: one file
 * per exponent, `pot<p>.ptau`, beside `pot<p>.json` holding its SHA-256, in
 * `<cache>/ptau`. A circuit of size n uses the smallest file with 2^p ≥ n
 * (a larger ceremony serves smaller circuits), so building the largest
 * circuit first makes one file serve them all.
 *
 * Each file comes from a single-party ceremony (`new`, one `contribute`
 * with fresh random entropy, `prepare phase2`): whoever ran it could forge
 * proofs, so it is INSECURE, for testing and benchmarks only. On two cores
 * `prepare phase2` dominates: ~2 min at 2^12, ~8 min at 2^14.
 */
import { ProverError } from "@provident/core/ProverError"
import { Effect, FileSystem, Option, Schema } from "effect"
import { randomBytes, randomUUID } from "node:crypto"
import * as path from "node:path"
import { hashFile } from "./manifest.ts"
import * as setupProgress from "./setupProgress.ts"
import { run } from "./toolchain.ts"

const Sidecar = Schema.Struct({ power: Schema.Int, sha256: Schema.String, insecure: Schema.Literal(true) })
const decodeSidecar = Schema.decodeUnknownOption(Schema.fromJsonString(Sidecar))
const encodeSidecar = Schema.encodeSync(Schema.fromJsonString(Sidecar))

/** The largest ceremony bn128 supports (its two-adicity). */
export const MAX_POWER = 28

export interface Ptau {
  readonly file: string
  readonly power: number
  /** False when it was made by this call. */
  readonly cached: boolean
}

export interface EnsureOptions {
  readonly circuit: string
  /** Never make a ceremony smaller than this (default 8: small circuits then share one file). */
  readonly minPower: number
  readonly onProgress: (percent: number, detail: string) => void
}

const fileOf = (dir: string, power: number) => path.join(dir, `pot${power}.ptau`)
const sidecarOf = (dir: string, power: number) => path.join(dir, `pot${power}.json`)

/** A powers-of-tau file in `dir` with exponent ≥ `need`: the smallest intact one there, or a new one. */
export const ensure = Effect.fnUntraced(function*(dir: string, need: number, options: EnsureOptions) {
  const fs = yield* FileSystem.FileSystem
  yield* fs.makeDirectory(dir, { recursive: true })
  const powers = (yield* fs.readDirectory(dir))
    .flatMap((name) => {
      const match = /^pot(\d+)\.ptau$/.exec(name)
      return match === null ? [] : [Number(match[1])]
    })
    .filter((p) => p >= need)
    .sort((a, b) => a - b)
  for (const power of powers) {
    const sidecar = yield* fs.readFileString(sidecarOf(dir, power)).pipe(
      Effect.map(decodeSidecar),
      Effect.orElseSucceed(() => Option.none<typeof Sidecar.Type>())
    )
    const actual = yield* hashFile(fileOf(dir, power))
    if (Option.isSome(sidecar) && Option.isSome(actual) && sidecar.value.sha256 === actual.value) {
      return { file: fileOf(dir, power), power, cached: true } satisfies Ptau
    }
    yield* Effect.logWarning(`powers of tau ${fileOf(dir, power)} fails its hash: removing it`)
    yield* Effect.ignore(fs.remove(fileOf(dir, power)))
    yield* Effect.ignore(fs.remove(sidecarOf(dir, power)))
  }
  return yield* create(dir, Math.max(need, options.minPower), options)
})

const create = Effect.fnUntraced(function*(dir: string, power: number, options: EnsureOptions) {
  const fs = yield* FileSystem.FileSystem
  if (power > MAX_POWER) {
    return yield* new ProverError({
      reason: "Failed",
      circuit: options.circuit,
      phase: "setup",
      message: `a circuit needing powers of tau 2^${power} exceeds bn128's largest (2^${MAX_POWER})`
    })
  }
  const base = path.join(dir, `pot${power}.${randomUUID()}`)
  const [fresh, contributed, prepared] = [`${base}.0.ptau`, `${base}.1.ptau`, `${base}.2.ptau`]
  const step = (from: number, to: number, detail: string, progress?: (line: string) => number | undefined) => ({
    circuit: options.circuit,
    what: `powers of tau 2^${power} (${detail}, single-party: INSECURE)`,
    onLine: (line: string) => {
      const percent = progress?.(line)
      if (percent !== undefined) options.onProgress(from + ((to - from) * percent) / 100, detail)
    }
  })
  yield* Effect.logInfo(`making a local powers of tau 2^${power} (single-party ceremony: INSECURE, for testing only)`)
  yield* Effect.gen(function*() {
    options.onProgress(0, "new")
    yield* run("snarkjs", ["powersoftau", "new", "bn128", String(power), fresh, "-v"], step(0, 1, "new"))
    options.onProgress(1, "contribute")
    const entropy = randomBytes(32).toString("hex")
    yield* run(
      "snarkjs",
      ["powersoftau", "contribute", fresh, contributed, `-e=${entropy}`, "-n=provident single-party (insecure)", "-v"],
      step(1, 6, "contribute", setupProgress.contribute(power))
    )
    options.onProgress(6, "prepare phase2")
    yield* run("snarkjs", ["powersoftau", "prepare", "phase2", contributed, prepared, "-v"], step(6, 100, "prepare phase2", setupProgress.preparePhase2(power)))
    const hash = yield* hashFile(prepared)
    if (Option.isNone(hash)) {
      return yield* new ProverError({
        reason: "Failed",
        circuit: options.circuit,
        phase: "setup",
        message: `powers of tau 2^${power}: snarkjs reported success but wrote no file`
      })
    }
    yield* fs.rename(prepared, fileOf(dir, power))
    yield* fs.writeFileString(`${base}.json`, encodeSidecar({ power, sha256: hash.value, insecure: true }))
    yield* fs.rename(`${base}.json`, sidecarOf(dir, power))
    options.onProgress(100, "done")
  }).pipe(Effect.ensuring(Effect.forEach([fresh, contributed, prepared, `${base}.json`], (f) => Effect.ignore(fs.remove(f)))))
  return { file: fileOf(dir, power), power, cached: false } satisfies Ptau
})
