/**
 * The artifact pipeline for real: circom2 and snarkjs on a tiny circuit
 * (`Squares(24)`, powers of tau 2^5) in a temporary cache, and the
 * committed prebuilt artifacts of the example circuits.
 */
import { afterAll, assert, describe, it } from "@effect/vitest"
import { Effect, Logger } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import * as Artifacts from "../src/Artifacts.ts"

const circuits = fileURLToPath(new URL("../../examples/circuits", import.meta.url))
const source = path.join(circuits, "square.circom")
const prebuilt = path.join(circuits, "build")
const tiny = { source, template: "Squares", params: [24] }

const cache = fs.mkdtempSync(path.join(os.tmpdir(), "provident-artifacts-"))
afterAll(() => fs.rmSync(cache, { recursive: true, force: true }))

const TestArtifacts = Artifacts.layer({ cacheDirectory: cache, minPtauPower: 5 })

/** Builds `spec`, returning the artifacts and each step's final status. */
const build = (spec: typeof Artifacts.CircuitSpec.Encoded) =>
  Effect.gen(function*() {
    const events: Array<Artifacts.BuildProgress> = []
    const artifacts = yield* (yield* Artifacts.Artifacts).build(spec, { onProgress: (p) => events.push(p) })
    const status = Object.fromEntries(events.filter((e) => e.status !== "running").map((e) => [e.step, e.status]))
    return { artifacts, status, ran: events.some((e) => e.status === "running") }
  })

const damage = (file: string) => {
  const bytes = fs.readFileSync(file)
  const at = bytes.length >> 1
  bytes[at] = bytes[at]! ^ 0xff
  fs.writeFileSync(file, bytes)
}

const manifestOf = (artifacts: { readonly wasm: string }) =>
  JSON.parse(fs.readFileSync(path.join(path.dirname(artifacts.wasm), "manifest.json"), "utf8"))

describe("Artifacts", () => {
  it.live("builds once; a second build is a cache hit; a damaged file is caught by its hash and only its step reruns", () =>
    Effect.gen(function*() {
      const first = yield* build(tiny)
      assert.deepStrictEqual(first.status, { compile: "done", ptau: "done", groth16: "done", plonk: "done" })
      const circuit = first.artifacts
      assert.strictEqual(circuit.id, "square-24")
      assert.strictEqual(circuit.family, "square")
      assert.strictEqual(circuit.constraints, 25, "24 squarings and the non-zero check, read from the r1cs header")
      assert.isTrue(circuit.insecureSetup)
      assert.isTrue(circuit.wasm.startsWith(path.join(cache, "circuits", circuit.hash.slice(0, 16))))
      for (const file of [circuit.wasm, circuit.keys.groth16!.zkey, circuit.keys.groth16!.vkey, circuit.keys.plonk!.zkey, circuit.keys.plonk!.vkey]) {
        assert.isTrue(fs.existsSync(file), file)
      }
      assert.deepStrictEqual(fs.readdirSync(path.join(cache, "ptau")).sort(), ["pot5.json", "pot5.ptau"], "no temporary files left")
      const manifest = manifestOf(circuit)
      assert.strictEqual(manifest.plonkGates, 26)
      assert.strictEqual(manifest.ptauPower, 5)

      const second = yield* build(tiny)
      assert.deepStrictEqual(second.status, { compile: "cached", ptau: "cached", groth16: "cached", plonk: "cached" })
      assert.isFalse(second.ran, "nothing compiled or set up")
      assert.deepStrictEqual(second.artifacts, circuit)

      damage(circuit.keys.groth16!.zkey)
      const repaired = yield* build(tiny)
      assert.deepStrictEqual(repaired.status, { compile: "cached", ptau: "cached", groth16: "done", plonk: "cached" })
      assert.notStrictEqual(manifestOf(circuit).files["groth16.zkey"], manifest.files["groth16.zkey"], "new keys, new hash")

      // circom's output is deterministic: a recompiled circuit keeps its keys.
      damage(circuit.wasm)
      const recompiled = yield* build(tiny)
      assert.deepStrictEqual(recompiled.status, { compile: "done", ptau: "cached", groth16: "cached", plonk: "cached" })
      assert.strictEqual(manifestOf(circuit).files["circuit.wasm"], manifest.files["circuit.wasm"])

      // Only what is asked for is built.
      const groth16Only = yield* build({ ...tiny, params: [28], protocols: ["groth16"] })
      assert.deepStrictEqual(Object.keys(groth16Only.artifacts.keys), ["groth16"])
      assert.deepStrictEqual(groth16Only.status, { compile: "done", ptau: "cached", groth16: "done" })
    }).pipe(Effect.provide(TestArtifacts)), 60_000)

  it.live("an edit to an included file rebuilds; the same includes are a cache hit", () =>
    Effect.gen(function*() {
      const dir = fs.mkdtempSync(path.join(cache, "includes-"))
      fs.mkdirSync(path.join(dir, "parts"))
      fs.copyFileSync(source, path.join(dir, "parts", "square.circom"))
      fs.writeFileSync(
        path.join(dir, "wrap.circom"),
        [
          "pragma circom 2.1.0;",
          "// include \"parts/ignored.circom\"; (a comment, not an include)",
          "include \"parts/square.circom\";",
          "template Wrap(N) { signal input x; signal output out; component s = Squares(N); s.x <== x; out <== s.out; }"
        ].join("\n")
      )
      const wrap = { source: path.join(dir, "wrap.circom"), template: "Wrap", params: [8], protocols: ["groth16" as const] }
      const first = yield* build(wrap)
      assert.strictEqual(first.status.compile, "done")
      assert.strictEqual(first.artifacts.constraints, 9)
      const again = yield* build(wrap)
      assert.strictEqual(again.status.compile, "cached")
      assert.strictEqual(again.artifacts.hash, first.artifacts.hash)

      fs.appendFileSync(path.join(dir, "parts", "square.circom"), "\n// edited\n")
      const edited = yield* build(wrap)
      assert.strictEqual(edited.status.compile, "done", "the included file changed: compiled again")
      assert.notStrictEqual(edited.artifacts.hash, first.artifacts.hash)
    }).pipe(Effect.provide(TestArtifacts)), 60_000)

  it.live("finds the committed prebuilt artifacts by hash, checking every file, with no setup", () =>
    Effect.gen(function*() {
      for (const [n, protocols] of [[1000, ["groth16", "plonk"]], [4000, ["groth16", "plonk"]], [16000, ["groth16"]]] as const) {
        const { artifacts, status, ran } = yield* build({ source, template: "Squares", params: [n], protocols })
        assert.deepStrictEqual(new Set(Object.values(status)), new Set(["prebuilt"]))
        assert.isFalse(ran)
        assert.strictEqual(artifacts.constraints, n + 1)
        assert.strictEqual(path.dirname(artifacts.wasm), path.join(prebuilt, `square-${n}`))
        assert.deepStrictEqual(Object.keys(artifacts.keys), [...protocols])
        const loaded = yield* (yield* Artifacts.Artifacts).load(path.join(prebuilt, `square-${n}`))
        assert.deepStrictEqual({ ...loaded, id: artifacts.id }, artifacts)
        assert.isFalse(fs.existsSync(path.join(cache, "circuits", artifacts.hash.slice(0, 16))), "nothing was built")
      }
    }).pipe(Effect.provide(Artifacts.layer({ cacheDirectory: cache, prebuilt: [prebuilt] }))))

  it.live("a damaged prebuilt copy fails its manifest and is not used", () => {
    const warnings: Array<string> = []
    return Effect.gen(function*() {
      const service = yield* Artifacts.Artifacts
      const copies = path.join(cache, "prebuilt-copies")
      const built = yield* service.build(tiny)
      const exported = yield* service.exportTo(built, path.join(copies, "square-24"))
      assert.isFalse(fs.existsSync(path.join(copies, "square-24", "circuit.r1cs")), "provers need no r1cs")
      assert.deepStrictEqual(yield* service.load(path.join(copies, "square-24")), exported)

      damage(exported.keys.plonk!.zkey)
      const error = yield* Effect.flip(service.load(path.join(copies, "square-24")))
      assert.strictEqual(error.reason, "ArtifactUnavailable")
      assert.include(error.message, "plonk.zkey")

      const withCopies = yield* Effect.provide(
        Artifacts.Artifacts,
        Artifacts.layer({ cacheDirectory: cache, minPtauPower: 5, prebuilt: [copies] })
      )
      const found = yield* withCopies.build(tiny)
      assert.strictEqual(found.keys.plonk!.zkey, built.keys.plonk!.zkey, "the intact cached build, not the damaged copy")
      assert.strictEqual(warnings.length, 1)
      assert.match(warnings[0]!, /are damaged \(plonk\.zkey fails its hash\)/)

      // A deleted file is missing, not a file that fails its hash.
      fs.rmSync(exported.keys.plonk!.vkey)
      const missing = yield* Effect.flip(service.load(path.join(copies, "square-24")))
      assert.match(missing.message, /plonk\.vkey\.json is missing/)
    }).pipe(
      Effect.provide(TestArtifacts),
      Effect.provide(Logger.layer([Logger.make((o) => void (o.logLevel === "Warn" && warnings.push(String(o.message))))]))
    )
  }, 30_000)

  it.live("bad input and failing compiles are typed errors", () =>
    Effect.gen(function*() {
      const service = yield* Artifacts.Artifacts
      const invalid = yield* Effect.flip(service.build({ ...tiny, template: "Squares(1); component evil" }))
      assert.strictEqual(invalid._tag, "InvalidInput")
      assert.strictEqual(invalid._tag === "InvalidInput" ? invalid.field : "", "template")

      const missing = yield* Effect.flip(service.build({ ...tiny, source: path.join(cache, "nope.circom") }))
      assert.strictEqual(missing._tag === "ProverError" ? missing.reason : missing._tag, "ArtifactUnavailable")

      const broken = path.join(cache, "broken.circom")
      fs.writeFileSync(broken, "pragma circom 2.1.0;\ntemplate Broken() { signal input x; x <== ; }\n")
      const failed = yield* Effect.flip(service.build({ source: broken, template: "Broken" }))
      assert.strictEqual(failed._tag === "ProverError" ? `${failed.reason} ${failed.phase}` : failed._tag, "Failed setup")
      assert.match(failed.message, /compiling broken failed: circom2 exited with code/)
    }).pipe(Effect.provide(TestArtifacts)))
})
