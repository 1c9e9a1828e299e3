/**
 * Circuit artifacts on Node: compiles a circom template with its parameters
 * (circom2, circom in WebAssembly), makes or reuses a local powers of tau,
 * runs the Groth16 and PLONK setups and exports the verification keys. All
 * of it is kept in `<cache dir>/circuits/<hash>/`, keyed by a content hash
 * of the circuit source (and the files it includes), template, parameters
 * and toolchain versions, with a `manifest.json` holding every file's
 * SHA-256: a build whose files are intact runs nothing, and a damaged file
 * is rebuilt rather than trusted.
 * Prebuilt artifacts (the examples' default circuits, committed with the
 * repository) are looked up first by the same hash, so a fresh machine
 * needs no setup for them. Nothing is ever downloaded.
 *
 * Every setup here is single-party and so INSECURE (`insecureSetup: true`):
 * whoever ran it could forge proofs. Fine for tests, benchmarks and demos,
 * never for production secrets.
 *
 * @since 0.1.0
 */
import * as NodeServices from "@effect/platform-node/NodeServices"
import { Prover } from "@provident/core"
import { ProverError } from "@provident/core/ProverError"
import type { InvalidInput } from "@provident/core/ProvidentError"
import { Context, Effect, FileSystem, Layer, Option, Schema, Semaphore } from "effect"
import * as path from "node:path"
import * as CircomIncludes from "./internal/circomIncludes.ts"
import { decodeOrInvalid } from "@provident/core/Decode"
import { cacheDir } from "./internal/files.ts"
import * as Manifest from "./internal/manifest.ts"
import * as Ptau from "./internal/ptau.ts"
import * as r1cs from "./internal/r1cs.ts"
import * as Setup from "./internal/setupSteps.ts"
import { versions } from "./internal/toolchain.ts"

const Identifier = Schema.String.check(Schema.isPattern(/^[A-Za-z_][A-Za-z0-9_]*$/))
const Name = Schema.String.check(Schema.isMinLength(1))

/** A circuit to build: a template in a `.circom` file and the parameters of its main component. */
export const CircuitSpec = Schema.Struct({
  /**
   * Path of the `.circom` file declaring the template; its includes resolve
   * from its directory. Its text and that of every file it includes,
   * transitively, are hashed: an edit to any of them rebuilds.
   */
  source: Schema.String.check(Schema.isPattern(/\.circom$/)),
  template: Identifier,
  /** Template parameters, e.g. `[1000]` for `Squares(1000)`. Default none. */
  params: Schema.optionalKey(Schema.Array(Schema.Int)),
  /** Input signals of main made public. Default none (outputs are always public). */
  publicInputs: Schema.optionalKey(Schema.Array(Identifier)),
  /** Default `<family>-<params joined by ->`, e.g. `square-1000`. */
  id: Schema.optionalKey(Name),
  /** Default the source file's name without `.circom`, e.g. `square`. */
  family: Schema.optionalKey(Name),
  /** Default both. */
  protocols: Schema.optionalKey(Schema.Array(Prover.Protocol).check(Schema.isMinLength(1)))
})
export type CircuitSpec = typeof CircuitSpec.Type

export type BuildStep = "compile" | "ptau" | "groth16" | "plonk"

export interface BuildProgress {
  readonly circuit: string
  readonly step: BuildStep
  /** `prebuilt`/`cached`: found intact, nothing ran. `running` as it advances, `done` when it ran. */
  readonly status: "prebuilt" | "cached" | "running" | "done"
  /** 0..100 within the step. */
  readonly percent: number
  /** What the step is doing, e.g. `prepare phase2`. */
  readonly detail?: string
}

export interface BuildOptions {
  readonly onProgress?: (progress: BuildProgress) => void
}

export interface Options {
  /** Where builds and powers of tau are cached. Default: Provident's cache directory (`internal/files.ts`). */
  readonly cacheDirectory?: string
  /** Directories of prebuilt artifacts (one subdirectory with a `manifest.json` per circuit), searched first. */
  readonly prebuilt?: ReadonlyArray<string>
  /** The smallest powers of tau to make (default 8), so small circuits share one file. */
  readonly minPtauPower?: number
}

export interface Service {
  /** The circuit's artifacts: prebuilt, cached or built now (only the missing or damaged parts). */
  readonly build: (spec: typeof CircuitSpec.Encoded, options?: BuildOptions) => Effect.Effect<Prover.CircuitArtifacts, ProverError | InvalidInput>
  /** The artifacts in `directory`, every file checked against its manifest (`ArtifactUnavailable` if any fails). */
  readonly load: (directory: string) => Effect.Effect<Prover.CircuitArtifacts, ProverError>
  /** Copies built artifacts (no r1cs) and their manifest into `directory`, e.g. to commit them as prebuilt. */
  readonly exportTo: (circuit: Prover.CircuitArtifacts, directory: string) => Effect.Effect<Prover.CircuitArtifacts, ProverError>
  /** The cache directory in use. */
  readonly cacheDirectory: string
}

export class Artifacts extends Context.Service<Artifacts, Service>()("@provident/node/Artifacts") {}

const PROTOCOLS: ReadonlyArray<Prover.Protocol> = ["groth16", "plonk"]

interface Circuit {
  readonly id: string
  readonly family: string
  readonly hash: string
  readonly protocols: ReadonlyArray<Prover.Protocol>
  readonly report: (step: BuildStep, status: BuildProgress["status"], percent: number, detail?: string) => void
}

const unavailable = (circuit: string, message: string) =>
  new ProverError({ reason: "ArtifactUnavailable", circuit, phase: "setup", message })

/**
 * The content hash a build is keyed by: the source's text, the files it
 * includes (path from the source's directory and content hash), the
 * template, its parameters and the toolchain's versions. A source that
 * includes nothing hashes as before includes were counted, so prebuilt
 * artifacts keep their keys.
 */
export const hashOf = (spec: CircuitSpec, source: string, includes: ReadonlyArray<CircomIncludes.Included> = []): string =>
  Manifest.sha256(JSON.stringify({
    source,
    ...(includes.length === 0 ? {} : { includes }),
    template: spec.template,
    params: spec.params ?? [],
    publicInputs: spec.publicInputs ?? [],
    toolchain: versions
  }))

/** Builds the service over a `FileSystem` and a `ChildProcessSpawner`. */
export const make = Effect.fnUntraced(function*(options: Options = {}) {
  const fs = yield* FileSystem.FileSystem
  const services = yield* Effect.context<FileSystem.FileSystem | Setup.Requirements>()
  const root = options.cacheDirectory ?? cacheDir()
  const minPtauPower = options.minPtauPower ?? 8
  // One build at a time in this process: setups saturate the cores anyway,
  // and two builds of one circuit would otherwise race on its files.
  const lock = yield* Semaphore.make(1)

  const verified = Effect.fnUntraced(function*(dir: string, circuit: string) {
    const manifest = yield* Manifest.read(dir)
    if (Option.isNone(manifest)) return yield* unavailable(circuit, `no readable manifest in ${dir}`)
    const damage = yield* Manifest.inspect(dir, manifest.value)
    if (damage.size > 0) return yield* unavailable(circuit, `in ${dir}: ${Manifest.describeDamage(damage)}`)
    return manifest.value
  })

  /** An intact prebuilt build of `hash` with every protocol wanted, if there is one. */
  const findPrebuilt = Effect.fnUntraced(function*(hash: string, protocols: ReadonlyArray<Prover.Protocol>) {
    for (const base of options.prebuilt ?? []) {
      const entries = yield* fs.readDirectory(base).pipe(Effect.orElseSucceed(() => []))
      for (const entry of entries) {
        const dir = path.join(base, entry)
        const manifest = yield* Manifest.read(dir)
        if (Option.isNone(manifest) || manifest.value.hash !== hash) continue
        if (!protocols.every((p) => Manifest.hasKeys(manifest.value, p))) continue
        const damage = yield* Manifest.inspect(dir, manifest.value)
        if (damage.size === 0) return Option.some(Manifest.toArtifacts(dir, manifest.value))
        yield* Effect.logWarning(`prebuilt artifacts in ${dir} are damaged (${Manifest.describeDamage(damage)}): building in the cache`)
      }
    }
    return Option.none<Prover.CircuitArtifacts>()
  })

  /** Builds what is missing or damaged of `spec` in its cache directory. */
  const buildInCache = Effect.fnUntraced(function*(spec: CircuitSpec, circuit: Circuit) {
    const { id, hash, protocols, report } = circuit
    const dir = path.join(root, "circuits", hash.slice(0, 16))
    yield* fs.makeDirectory(dir, { recursive: true })
    const previous = Option.filter(yield* Manifest.read(dir), (m) => m.hash === hash)
    const broken = Option.isSome(previous) ? yield* Manifest.damaged(dir, previous.value) : new Set<string>()
    const recorded: Record<string, string> = Option.match(previous, {
      onNone: () => ({}),
      onSome: (m) => Object.fromEntries(Object.entries(m.files).filter(([name]) => !broken.has(name)))
    })
    const intact = (...names: ReadonlyArray<string>) => names.every((name) => name in recorded)
    const context = { circuit: id, dir, spec, report }

    if (intact(Manifest.files.r1cs, Manifest.files.wasm)) report("compile", "cached", 100)
    else {
      yield* Effect.logInfo(`compiling ${id} (circom2 ${versions.circom2})`)
      const before = Option.getOrUndefined(previous)?.files[Manifest.files.r1cs]
      Object.assign(recorded, yield* Setup.compile(context))
      // Keys belong to one constraint system: a different r1cs voids them.
      if (before !== undefined && before !== recorded[Manifest.files.r1cs]) {
        for (const p of PROTOCOLS) for (const f of Object.values(Manifest.files[p])) delete recorded[f]
      }
    }
    const bytes = yield* fs.readFile(path.join(dir, Manifest.files.r1cs))
    const header = r1cs.parseHeader(bytes)
    if (header === undefined || header.constraints < 1) {
      return yield* unavailable(id, `${Manifest.files.r1cs} in ${dir} is not a readable r1cs file`)
    }
    const gates = r1cs.plonkGates(bytes)
    let ptauPower = Option.getOrUndefined(previous)?.ptauPower
    const manifest = (): Manifest.Manifest => ({
      version: 1,
      id,
      family: circuit.family,
      hash,
      template: spec.template,
      params: spec.params ?? [],
      publicInputs: spec.publicInputs ?? [],
      toolchain: versions,
      constraints: header.constraints,
      ...(gates === undefined ? {} : { plonkGates: gates }),
      ...(ptauPower === undefined ? {} : { ptauPower }),
      insecureSetup: true,
      files: { ...recorded }
    })
    yield* Manifest.write(dir, manifest())

    const missing = protocols.filter((p) => !intact(Manifest.files[p].zkey, Manifest.files[p].vkey))
    if (missing.length === 0) {
      for (const step of ["ptau", ...protocols] as const) report(step, "cached", 100)
      return Manifest.toArtifacts(dir, manifest())
    }
    const ptau = yield* Ptau.ensure(path.join(root, "ptau"), r1cs.ptauPower(header, gates, missing), {
      circuit: id,
      minPower: minPtauPower,
      onProgress: (percent, detail) => report("ptau", "running", percent, detail)
    })
    report("ptau", ptau.cached ? "cached" : "done", 100)
    ptauPower = ptau.power
    for (const protocol of protocols) {
      if (!missing.includes(protocol)) {
        report(protocol, "cached", 100)
        continue
      }
      yield* Effect.logInfo(`${protocol} setup of ${id} (single-party: INSECURE, for testing only)`)
      Object.assign(recorded, yield* Setup.keys(context, protocol, path.join(dir, Manifest.files.r1cs), ptau.file))
      yield* Manifest.write(dir, manifest())
    }
    return Manifest.toArtifacts(dir, manifest())
  })

  const build = Effect.fn("Artifacts.build")(function*(input: typeof CircuitSpec.Encoded, buildOptions: BuildOptions = {}) {
    const spec = yield* decodeOrInvalid(CircuitSpec, "CircuitSpec", input)
    const family = spec.family ?? path.basename(spec.source, ".circom")
    const id = spec.id ?? [family, ...(spec.params ?? [])].join("-")
    const protocols = [...new Set(spec.protocols ?? PROTOCOLS)]
    const source = yield* fs.readFileString(spec.source).pipe(
      Effect.mapError((e) => unavailable(id, `circuit source ${spec.source} cannot be read: ${e.message}`))
    )
    // circom is given the source's directory as its library path (`toolchain.compile`).
    const includes = yield* CircomIncludes.closure(spec.source, source, [path.dirname(path.resolve(spec.source))])
    const hash = hashOf(spec, source, includes)
    yield* Effect.annotateCurrentSpan({ "provident.circuit": id, "provident.hash": hash, "provident.protocols": protocols.join(",") })
    let lastRunning = ""
    const report: Circuit["report"] = (step, status, percent, detail) => {
      // Setup logs come line by line: report whole percents only.
      const key = `${step} ${detail} ${Math.floor(percent)}`
      if (status === "running" && key === lastRunning) return
      lastRunning = status === "running" ? key : ""
      buildOptions.onProgress?.({ circuit: id, step, status, percent, ...(detail === undefined ? {} : { detail }) })
    }

    const found: Prover.CircuitArtifacts = yield* Effect.gen(function*() {
      const prebuilt = yield* findPrebuilt(hash, protocols)
      if (Option.isSome(prebuilt)) {
        for (const step of ["compile", "ptau", ...protocols] as const) report(step, "prebuilt", 100)
        return prebuilt.value
      }
      return yield* lock.withPermits(1)(buildInCache(spec, { id, family, hash, protocols, report }))
    }).pipe(Effect.catchTag("PlatformError", (e) => Effect.fail(unavailable(id, e.message))))
    return { ...found, id, family }
  }, Effect.provide(services))

  const load = Effect.fn("Artifacts.load")(function*(directory: string) {
    const manifest = yield* verified(directory, path.basename(directory))
    return Manifest.toArtifacts(directory, manifest)
  }, Effect.provide(services))

  const exportTo = Effect.fn("Artifacts.exportTo")(function*(circuit: Prover.CircuitArtifacts, directory: string) {
    const from = path.dirname(circuit.wasm)
    const manifest = yield* verified(from, circuit.id)
    const files = Object.fromEntries(Object.entries(manifest.files).filter(([name]) => name !== Manifest.files.r1cs))
    yield* fs.makeDirectory(directory, { recursive: true })
    yield* Effect.forEach(Object.keys(files), (name) => fs.copyFile(path.join(from, name), path.join(directory, name)))
    yield* Manifest.write(directory, { ...manifest, id: circuit.id, family: circuit.family, files })
    return { ...Manifest.toArtifacts(directory, manifest), id: circuit.id, family: circuit.family }
  }, (effect, circuit) => Effect.catchTag(effect, "PlatformError", (e) => Effect.fail(unavailable(circuit.id, e.message))), Effect.provide(services))

  return Artifacts.of({ build, load, exportTo, cacheDirectory: root })
})

/** The artifacts service on this machine's file system and processes. */
export const layer = (options?: Options): Layer.Layer<Artifacts> =>
  Layer.effect(Artifacts, make(options)).pipe(Layer.provide(NodeServices.layer))
