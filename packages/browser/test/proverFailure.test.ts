/**
 * The prover's pure parts: failure mapping (never quoting an input), the
 * thread bound, progress milestones, the worker protocol's decoders.
 */
import { describe, expect, it } from "@effect/vitest"
import { milestone } from "@provident/core/SnarkjsMessages"
import * as Failure from "../src/internal/proverFailure.ts"
import { decodeReply, decodeRequest } from "../src/internal/proverProtocol.ts"

const SECRET = "98765432123456789"

describe("proverFailure", () => {
  it("witness errors: assertions and bad values are InvalidWitnessInput, named by template, never by value", () => {
    const assertion = Failure.witness(new Error(`Error: Assert Failed.\nError in template Squares_0 line: 15\n${SECRET} != 1`))
    expect(assertion).toEqual({ reason: "InvalidWitnessInput", message: "the input does not satisfy the circuit: an assertion failed (template Squares_0, line 15)" })
    const conversion = Failure.witness(new SyntaxError(`Cannot convert ${SECRET}xyz to a BigInt`))
    expect(conversion.reason).toBe("InvalidWitnessInput")
    expect(conversion.message).not.toContain(SECRET)
    expect(Failure.witness(new Error("Too many values for input signal x\n")).message).toBe("too many values for input signal x (or it is not an input of the circuit)")
    expect(Failure.witness(Object.assign(new Error("bad"), { name: "CompileError" })).reason).toBe("ArtifactUnavailable")
    expect(Failure.witness(new Error("something else entirely"))).toEqual({ reason: "Failed", message: "computing the witness failed (Error)" })
  })

  it("allocation failures are OutOfMemory, in any phase", () => {
    for (const text of ["WebAssembly.Memory.grow(): Maximum memory size exceeded", "Array buffer allocation failed", "Out of memory"]) {
      expect(Failure.proving(new RangeError(text)).reason).toBe("OutOfMemory")
      expect(Failure.witness(new RangeError(text)).reason).toBe("OutOfMemory")
    }
    expect(Failure.crashed("Uncaught RangeError: Array buffer allocation failed").reason).toBe("OutOfMemory")
  })

  it("proving with another circuit's witness is ArtifactUnavailable; a dead worker is WorkerCrashed, its text unquoted", () => {
    expect(Failure.proving(new Error("Invalid witness length. Circuit: 4003, witness: 1003")).reason).toBe("ArtifactUnavailable")
    expect(Failure.crashed(`Uncaught Error: ${SECRET}`)).toEqual({ reason: "WorkerCrashed", message: "the prover worker crashed" })
    expect(Failure.crashed(undefined).message).toBe("the prover worker crashed while loading")
  })

  it("threads: whole granted cores, at least one, at most the browser's", () => {
    expect([Failure.threadsFor(0.5, 8), Failure.threadsFor(3.7, 8), Failure.threadsFor(64, 2), Failure.threadsFor(Number.NaN, 4)]).toEqual([1, 3, 2, 1])
    expect(Failure.threadsFor(6, undefined)).toBe(6)
  })
})

describe("proving progress", () => {
  it("snarkjs's stage lines become fixed percentages; anything else is ignored", () => {
    expect(milestone("groth16", "Reading A Points")).toBe(35)
    expect(milestone("plonk", "> ROUND 3")).toBe(45)
    expect(milestone("groth16", `QAP AB: ${SECRET}`)).toBeUndefined()
  })
})

describe("the worker protocol", () => {
  it("decodes what each side sends and refuses anything else", () => {
    const witness = { _tag: "Witness", threads: 1, wasm: new Uint8Array([0, 97, 115, 109]), input: { x: 3n } }
    expect(decodeRequest(witness)._tag).toBe("Some")
    expect(decodeRequest({ ...witness, threads: 0 })._tag).toBe("None")
    expect(decodeRequest({ _tag: "Prove", threads: 2, protocol: "marlin", zkey: new Uint8Array(), witness: new Uint8Array() })._tag).toBe("None")
    expect(decodeReply({ _tag: "Progress", percent: 35 })._tag).toBe("Some")
    expect(decodeReply({ _tag: "Failed", reason: "Exploded", message: "" })._tag).toBe("None")
    expect(decodeReply({ _tag: "ProofDone", proof: 1 })._tag).toBe("None")
  })
})
