/**
 * The build steps that write a circuit's files: compiling with circom2 and
 * the Groth16/PLONK setups with snarkjs. Each writes under temporary names
 * and renames into place only once every output exists (a compile once
 * "succeeded" leaving an empty `_js` folder), so an interrupted or failed
 * step leaves nothing that looks finished. Returns the SHA-256 of each file
 * for the manifest.
 */
import type { Prover } from "@provident/core"
import { ProverError } from "@provident/core/ProverError"
import { Effect, FileSystem, Option } from "effect"
import type { ChildProcessSpawner } from "effect/process"
import { randomBytes, randomUUID } from "node:crypto"
import * as path from "node:path"
import { files, hashFile } from "./manifest.ts"
import { compile as circom, run } from "./toolchain.ts"

export type Requirements = FileSystem.FileSystem | ChildProcessSpawner.ChildProcessSpawner

export interface Context {
  readonly circuit: string
  /** The build directory. */
  readonly dir: string
  readonly spec: {
    readonly source: string
    readonly template: string
    readonly params?: ReadonlyArray<number>
    readonly publicInputs?: ReadonlyArray<string>
  }
  readonly report: (step: "compile" | Prover.Protocol, status: "running" | "done", percent: number, detail?: string) => void
}

const failed = (circuit: string, message: string) => new ProverError({ reason: "Failed", circuit, phase: "setup", message })

/** The main component circom compiles: the template, included by name, applied to its parameters. */
export const mainSource = (spec: Context["spec"]): string => {
  const publics = spec.publicInputs ?? []
  return [
    "pragma circom 2.0.0;",
    `include "${path.basename(spec.source)}";`,
    "",
    `component main${publics.length === 0 ? "" : ` {public [${publics.join(", ")}]}`} = ${spec.template}(${(spec.params ?? []).join(", ")});`,
    ""
  ].join("\n")
}

/** Moves `from` → `to` for each pair once all of them exist, and returns their hashes by final name. */
const install = Effect.fnUntraced(function*(circuit: string, what: string, moves: ReadonlyArray<readonly [from: string, to: string]>) {
  const fs = yield* FileSystem.FileSystem
  const hashes: Record<string, string> = {}
  for (const [from, to] of moves) {
    const hash = yield* hashFile(from)
    if (Option.isNone(hash)) return yield* failed(circuit, `${what} reported success but wrote no ${path.basename(to)}`)
    hashes[path.basename(to)] = hash.value
  }
  for (const [from, to] of moves) yield* fs.rename(from, to)
  return hashes
})

/** Compiles the circuit into `circuit.r1cs` and `circuit.wasm`. */
export const compile = Effect.fnUntraced(function*(context: Context) {
  const fs = yield* FileSystem.FileSystem
  const work = path.join(context.dir, `compile-${randomUUID()}`)
  context.report("compile", "running", 0)
  const hashes = yield* Effect.gen(function*() {
    yield* fs.makeDirectory(work, { recursive: true })
    const main = path.join(work, "provident_main.circom")
    yield* fs.writeFileString(main, mainSource(context.spec))
    yield* circom(main, path.dirname(path.resolve(context.spec.source)), work, { circuit: context.circuit, what: `compiling ${context.circuit}` })
    return yield* install(context.circuit, "circom2", [
      [path.join(work, "provident_main.r1cs"), path.join(context.dir, files.r1cs)],
      [path.join(work, "provident_main_js", "provident_main.wasm"), path.join(context.dir, files.wasm)]
    ])
  }).pipe(Effect.ensuring(Effect.ignore(fs.remove(work, { recursive: true }))))
  context.report("compile", "done", 100)
  return hashes
})

/**
 * A protocol's proving and verification keys. Groth16's circuit-specific
 * phase gets one contribution of fresh random entropy (its initial key
 * would use known toxic waste); still a single party, so still INSECURE.
 */
export const keys = Effect.fnUntraced(function*(context: Context, protocol: Prover.Protocol, r1cs: string, ptau: string) {
  const fs = yield* FileSystem.FileSystem
  const base = path.join(context.dir, `${protocol}.${randomUUID()}`)
  const [initial, zkey, vkey] = [`${base}.0000.zkey`, `${base}.zkey`, `${base}.vkey.json`]
  const step = (what: string) => ({ circuit: context.circuit, what: `${protocol} ${what} of ${context.circuit} (single-party: INSECURE)` })
  context.report(protocol, "running", 0, "setup")
  const hashes = yield* Effect.gen(function*() {
    if (protocol === "groth16") {
      yield* run("snarkjs", ["groth16", "setup", r1cs, ptau, initial], step("setup"))
      context.report(protocol, "running", 60, "contribute")
      const entropy = randomBytes(32).toString("hex")
      yield* run("snarkjs", ["zkey", "contribute", initial, zkey, `-e=${entropy}`, "-n=provident single-party (insecure)"], step("contribution"))
    } else {
      yield* run("snarkjs", ["plonk", "setup", r1cs, ptau, zkey], step("setup"))
    }
    context.report(protocol, "running", 90, "export verification key")
    yield* run("snarkjs", ["zkey", "export", "verificationkey", zkey, vkey], step("verification key export"))
    return yield* install(context.circuit, `${protocol} setup`, [
      [zkey, path.join(context.dir, files[protocol].zkey)],
      [vkey, path.join(context.dir, files[protocol].vkey)]
    ])
  }).pipe(Effect.ensuring(Effect.forEach([initial, zkey, vkey], (f) => Effect.ignore(fs.remove(f)))))
  context.report(protocol, "done", 100)
  return hashes
})
