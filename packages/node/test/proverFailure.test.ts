import { assert, describe, it } from "@effect/vitest"
import * as OomEvents from "../src/internal/oomEvents.ts"
import * as failure from "../src/internal/proverFailure.ts"
import * as proveProgress from "@provident/core/SnarkjsMessages"
import * as setupProgress from "../src/internal/setupProgress.ts"
import { fixtureReader } from "./fixtures.ts"

/** A private input value that must never come back in a message. */
const SECRET = "98765432123456789"

const errorWithCode = (code: string) => Object.assign(new Error(`${code}: no such file or directory, open '/x/${SECRET}.wasm'`), { code })

describe("witness failures", () => {
  // What snarkjs 0.7 / circom_runtime throw, values included.
  const cases: ReadonlyArray<readonly [unknown, failure.Failure["reason"], RegExp]> = [
    [new Error(`Error: Assert Failed. Error in template Squares_0 line: 16\n${SECRET} != 1`), "InvalidWitnessInput", /assertion failed \(template Squares_0, line 16\)/],
    [new SyntaxError(`Cannot convert ${SECRET}xyz to a BigInt`), "InvalidWitnessInput", /not a field element/],
    [new Error("Too many values for input signal y\n"), "InvalidWitnessInput", /too many values for input signal y/],
    [new Error("Not enough values for input signal x\n"), "InvalidWitnessInput", /not enough values for input signal x/],
    [new Error("Signal z is not an input of the circuit."), "InvalidWitnessInput", /signal z is not an input/],
    [new Error("Not all inputs have been set. Only 1 out of 2"), "InvalidWitnessInput", /1 of 2 values set/],
    [new Error(`Error in template Num2Bits_3 line: 38\nvalue ${SECRET}`), "InvalidWitnessInput", /template Num2Bits_3, line 38/],
    [errorWithCode("ENOENT"), "ArtifactUnavailable", /wasm cannot be read/],
    [Object.assign(new Error(`bad magic ${SECRET}`), { name: "CompileError" }), "ArtifactUnavailable", /not a circom witness generator/],
    [new Error(`something odd ${SECRET}`), "Failed", /computing the witness failed \(Error\)/]
  ]
  for (const [error, reason, message] of cases) {
    it(`${String(error).slice(0, 48).replaceAll("\n", " ")} → ${reason}`, () => {
      const got = failure.witness(error)
      assert.strictEqual(got.reason, reason)
      assert.match(got.message, message)
      assert.notInclude(got.message, SECRET)
    })
  }

  it("quotes only identifiers: a signal 'name' that is really a value is left out", () => {
    const got = failure.witness(new Error(`Too many values for input signal ${SECRET}\n`))
    assert.strictEqual(got.message, "too many values for input signal (or it is not an input of the circuit)")
  })
})

describe("proving and verifying failures", () => {
  it("classifies missing and mismatched artifacts without quoting snarkjs", () => {
    assert.strictEqual(failure.proving(errorWithCode("ENOENT")).reason, "ArtifactUnavailable")
    assert.strictEqual(failure.proving(`Invalid witness length. Circuit: 1002, witness: ${SECRET}`).reason, "ArtifactUnavailable")
    assert.strictEqual(failure.proving(new Error("Reading out of bounds")).reason, "ArtifactUnavailable")
    assert.strictEqual(failure.proving(new Error("/x/main.circom: Invalid File format")).reason, "ArtifactUnavailable")
    const other = failure.proving(new RangeError(`weird ${SECRET}`))
    assert.deepStrictEqual(other, { reason: "Failed", message: "proving failed (RangeError)" })
    assert.strictEqual(failure.verifying(errorWithCode("ENOENT")).reason, "ArtifactUnavailable")
    assert.notInclude(failure.verifying(new TypeError(SECRET)).message, SECRET)
  })
})

describe("child exits", () => {
  const exit = (child: Partial<failure.ChildExit>) => failure.exit({ code: null, signal: null, stderr: "", heapMb: undefined, ...child })

  it("V8's heap report is out of memory", () => {
    const oom = exit({ signal: "SIGABRT", stderr: "FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory", heapMb: 16 })
    assert.deepStrictEqual(oom, { reason: "OutOfMemory", message: "the prover process ran out of memory (heap capped at 16 MiB)" })
    assert.strictEqual(exit({ code: 134, stderr: "Fatal JavaScript out of memory: Ineffective mark-compacts" }).reason, "OutOfMemory")
  })

  it("a SIGKILL is the OOM killer's only when the cgroup counted an OOM kill; otherwise it came from outside, without a guess", () => {
    assert.deepStrictEqual(exit({ signal: "SIGKILL", oomKilled: true, heapMb: 512 }), {
      reason: "OutOfMemory",
      message: "the prover process was killed by the out-of-memory killer (its cgroup counted an OOM kill; heap capped at 512 MiB)"
    })
    const outside = exit({ signal: "SIGKILL", oomKilled: false })
    assert.strictEqual(outside.reason, "WorkerCrashed")
    assert.match(outside.message, /killed by SIGKILL from outside this prover, not by the out-of-memory killer/)
    const unknown = exit({ signal: "SIGKILL" })
    assert.strictEqual(unknown.reason, "WorkerCrashed")
    assert.match(unknown.message, /killed by SIGKILL from outside this prover \(whether by an out-of-memory killer cannot be told/)
    for (const message of [outside.message, unknown.message]) assert.notMatch(message, /most likely/)
    // An OOM kill elsewhere in the cgroup does not turn another signal into one.
    assert.strictEqual(exit({ signal: "SIGSEGV", oomKilled: true }).reason, "WorkerCrashed")
  })

  it("anything else is a crash with its exit reason", () => {
    assert.deepStrictEqual(exit({ signal: "SIGSEGV" }), { reason: "WorkerCrashed", message: "the prover process was killed by SIGSEGV" })
    assert.deepStrictEqual(exit({ code: 3 }), { reason: "WorkerCrashed", message: "the prover process exited with code 3" })
    assert.strictEqual(exit({ code: 0 }).message, "the prover process exited without answering")
  })
})

describe("the cgroup's OOM-kill count (fixtures)", () => {
  /** A fixture tree whose counter file reads `count()` instead, as the kernel would after more kills. */
  const live = (tree: string, file: string) => {
    let kills: number | undefined
    const fixture = fixtureReader(tree)
    const read = (p: string) => (p === file && kills !== undefined ? `oom_kill ${kills}\n` : fixture(p))
    return { read, set: (n: number | undefined) => void (kills = n) }
  }

  it("v2: the process's own cgroup's memory.events, not the limiting ancestor's", () => {
    const read = fixtureReader("cgroup/oom-v2")
    const file = OomEvents.counterFile(read)
    assert.strictEqual(file, "/sys/fs/cgroup/app.slice/web.service/memory.events")
    assert.strictEqual(OomEvents.count(read, file!), 2)
  })

  it("v1: memory.oom_control of the memory controller's cgroup (namespaced mount root)", () => {
    const read = fixtureReader("cgroup/oom-v1")
    assert.strictEqual(OomEvents.counterFile(read), "/sys/fs/cgroup/memory/memory.oom_control")
    assert.strictEqual(OomEvents.count(read, "/sys/fs/cgroup/memory/memory.oom_control"), 5)
  })

  it("no cgroup or no counter: cannot tell", () => {
    assert.isUndefined(OomEvents.counterFile(() => undefined))
    assert.isUndefined(OomEvents.counterFile(fixtureReader("cgroup/v2-nested")), "a kernel without the oom_kill count")
    const watch = OomEvents.watch(() => undefined)
    assert.isUndefined(watch.killedSince(watch.before()))
  })

  it("a watch says whether the count rose between a job's start and its child's death", () => {
    const file = "/sys/fs/cgroup/app.slice/web.service/memory.events"
    const { read, set } = live("cgroup/oom-v2", file)
    const watch = OomEvents.watch(read)
    const before = watch.before()
    assert.strictEqual(before, 2)
    assert.isFalse(watch.killedSince(before))
    set(3)
    assert.isTrue(watch.killedSince(before))
    set(undefined)
    assert.isUndefined(watch.killedSince(undefined))
  })
})

describe("limits", () => {
  it("caps the heap exactly below 64 MB and at the next power of two above, so similar grants share warm children", () => {
    const MiB = 2 ** 20
    assert.isUndefined(failure.heapMb(undefined))
    assert.isUndefined(failure.heapMb(0))
    assert.strictEqual(failure.heapMb(10 * MiB), 10)
    assert.strictEqual(failure.heapMb(150 * MiB), 256)
    assert.strictEqual(failure.heapMb(200 * MiB), 256)
    assert.strictEqual(failure.heapMb(300 * MiB), 512)
    assert.strictEqual(failure.heapMb(1024 * MiB), 1024)
    for (const mb of [3, 17, 100, 777, 3000, 12345]) {
      const capped = failure.heapMb(mb * MiB)!
      assert.isAtLeast(capped, mb, "never below the grant")
      assert.isBelow(capped, Math.max(64, mb * 2), "less than twice the grant")
    }
  })

  it("proves on whole granted cores, at least one", () => {
    assert.strictEqual(failure.threadsFor(1), 1)
    assert.strictEqual(failure.threadsFor(2.7), 2)
    assert.strictEqual(failure.threadsFor(0.5), 1)
    assert.strictEqual(failure.threadsFor(Number.NaN), 1)
  })
})

describe("progress", () => {
  it("maps snarkjs's proving stages to rising percentages", () => {
    const groth16 = ["Reading Wtns", "Building ABC", "Reading A Points", "Reading B2 Points", "Reading H Points"]
      .map((line) => proveProgress.milestone("groth16", line)!)
    assert.deepStrictEqual(groth16, [...groth16].sort((a, b) => a - b))
    assert.strictEqual(proveProgress.milestone("plonk", "> ROUND 3"), 45)
    assert.isUndefined(proveProgress.milestone("plonk", `··· challenges.beta: ${SECRET}`))
  })

  it("reads prepare phase2 progress from its sections and FFT powers", () => {
    const at = setupProgress.preparePhase2(14)
    assert.strictEqual(at("Starting section: tauG1"), 0)
    const early = at("tauG1: fft 10 mix start: 0/2")!
    const tauG2 = at("Starting section: tauG2")!
    const late = at("betaTauG1: fft 14 mix end: 1/2")!
    assert.isTrue(early > 0 && early < tauG2 && tauG2 < late && late < 100, `${early} ${tauG2} ${late}`)
    assert.isUndefined(at("Writing points"))
  })

  it("reads contribute progress from the points processed", () => {
    const at = setupProgress.contribute(8)
    assert.strictEqual(at("processing: tauG1: 0/511"), 0)
    const half = at("processing: tauG2: 128/256")!
    assert.isTrue(half > 20 && half < 80, String(half))
    assert.isUndefined(at("Hashing tauG1: 42"))
  })
})
