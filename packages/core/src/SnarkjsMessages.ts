/**
 * Reading what snarkjs and circom's witness runtime say, as pure functions
 * both platforms' provers share (the Node child process and the browser's
 * Web Worker): proving progress from snarkjs's debug log, and why a witness
 * was refused from circom's error text. Only fixed texts, percentages and
 * names taken from the circuit (templates, line numbers, signal names) come
 * out, never the messages themselves: they echo input values
 * (`Assert Failed … 3 != 4`), and witness inputs are private.
 *
 * Type imports only, so a prover process can load this without Effect.
 *
 * @since 0.1.0
 */
import type { Protocol } from "./Prover.ts"
import type { ProverErrorReason } from "./ProverError.ts"

/** A failure as a prover reports it: the reason and a message safe to show. */
export interface Failure {
  readonly reason: ProverErrorReason
  readonly message: string
}

// snarkjs reports the stages of a proof (`Reading A Points`, `> ROUND 3`) but
// no percentages, so each stage that starts stands for the share of the work
// done before it (measured on the example circuits; multi-exponentiations
// dominate Groth16, rounds 3–4 PLONK).
const MILESTONES: Record<Protocol, ReadonlyArray<readonly [prefix: string, percent: number]>> = {
  groth16: [
    ["Reading Wtns", 2],
    ["Reading Coeffs", 4],
    ["Building ABC", 8],
    ["Join ABC", 30],
    ["Reading A Points", 35],
    ["Reading B1 Points", 45],
    ["Reading B2 Points", 55],
    ["Reading C Points", 75],
    ["Reading H Points", 85]
  ],
  plonk: [
    ["> Reading witness file", 2],
    ["> Reading zkey file", 4],
    ["> ROUND 1", 10],
    ["> ROUND 2", 30],
    ["> ROUND 3", 45],
    ["> ROUND 4", 75],
    ["> ROUND 5", 85]
  ]
}

/** The percent a snarkjs log line marks for `protocol`, if it is a milestone. */
export const milestone = (protocol: Protocol, line: string): number | undefined =>
  MILESTONES[protocol].find(([prefix]) => line.startsWith(prefix))?.[1]

export const textOf = (error: unknown): string => (error instanceof Error ? error.message : String(error))
export const nameOf = (error: unknown): string => (error instanceof Error ? error.name : typeof error)

/** A signal or template name fit to quote: an identifier, maybe indexed, never a value. */
const identifier = (name: string | undefined): string | undefined =>
  name !== undefined && /^[A-Za-z_][A-Za-z0-9_.[\]]{0,99}$/.test(name) ? name : undefined

/** Where circom's runtime says a witness failed: ` (template T, line N)`, or empty. */
export const location = (error: unknown): string => {
  const found = /in template (\w+) line: (\d+)/.exec(textOf(error))
  return found === null ? "" : ` (template ${found[1]}, line ${found[2]})`
}

/**
 * An input the circuit refuses, as circom's witness runtime says it: a failed
 * assertion, too many or too few values for a signal, a signal that is not
 * an input, inputs missing. `undefined` for anything else.
 */
export const refusedInput = (error: unknown): Failure | undefined => {
  const text = textOf(error)
  if (/Assert Failed/.test(text)) {
    return { reason: "InvalidWitnessInput", message: `the input does not satisfy the circuit: an assertion failed${location(error)}` }
  }
  const count = /(Too many|Not enough) values for input signal (\S+)/.exec(text)
  if (count !== null) {
    const signal = identifier(count[2]?.trim())
    return {
      reason: "InvalidWitnessInput",
      message: `${count[1]!.toLowerCase()} values for input signal${signal === undefined ? "" : ` ${signal}`} (or it is not an input of the circuit)`
    }
  }
  const unknown = /Signal (\S+) (?:not found|is not an input)/.exec(text)
  if (unknown !== null) {
    const signal = identifier(unknown[1])
    return { reason: "InvalidWitnessInput", message: `${signal === undefined ? "a signal" : `signal ${signal}`} is not an input of the circuit` }
  }
  const missing = /Not all inputs have been set\. Only (\d+) out of (\d+)/.exec(text)
  if (missing !== null) {
    return { reason: "InvalidWitnessInput", message: `not every input was given: ${missing[1]} of ${missing[2]} values set` }
  }
  return undefined
}

/**
 * What is left of a witness failure once the platform has ruled out its own
 * causes (memory, files): a wasm that is no witness generator, a value that
 * is no field element, another refusal by the circuit, or plain failure.
 */
export const witnessFallback = (error: unknown): Failure => {
  const text = textOf(error)
  if (["CompileError", "LinkError"].includes(nameOf(error))) {
    return { reason: "ArtifactUnavailable", message: "the circuit's wasm is not a circom witness generator" }
  }
  if (/BigInt|convert|Invalid|number/i.test(text) || error instanceof SyntaxError || error instanceof TypeError || error instanceof RangeError) {
    return { reason: "InvalidWitnessInput", message: "an input value is not a field element (give numbers, bigints, or decimal or 0x strings)" }
  }
  const where = location(error)
  if (where !== "") return { reason: "InvalidWitnessInput", message: `the circuit rejected the input${where}` }
  return { reason: "Failed", message: `computing the witness failed (${nameOf(error)})` }
}
