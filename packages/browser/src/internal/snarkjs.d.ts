/**
 * The part of snarkjs 0.7 (which ships no types) that the prover's worker
 * uses. In a browser, snarkjs resolves to its `browser.esm.js` build; a
 * file argument is an in-memory fastfile (`{ type: "mem", data }`), never a
 * URL (snarkjs would fetch it itself, outside the artifact cache).
 */
declare module "snarkjs" {
  type FileArg = { type: "mem"; data?: Uint8Array }
  interface Logger {
    debug(message: string): void
    info(message: string): void
    warn(message: string): void
    error(message: string): void
  }
  interface CurveOptions {
    /** Build the curve's engine on this thread: no pool of sub-workers. */
    readonly singleThread?: boolean
  }
  interface Curve {
    readonly tm: { readonly concurrency: number }
    terminate(): Promise<void>
  }
  interface Protocol {
    prove(zkey: FileArg, witness: FileArg, logger?: Logger): Promise<{ proof: unknown; publicSignals: Array<string> }>
    verify(vkey: unknown, publicSignals: ReadonlyArray<string>, proof: unknown, logger?: Logger): Promise<boolean>
  }
  export const groth16: Protocol
  export const plonk: Protocol
  export const wtns: {
    calculate(input: unknown, wasm: FileArg, witness: FileArg): Promise<void>
  }
  export const curves: {
    /** Builds a curve; multi-threaded ones are cached in `globalThis.curve_bn128`, where snarkjs looks first. */
    getCurveFromName(name: string, options?: CurveOptions): Promise<Curve>
  }
}

// Where ffjavascript caches the curve snarkjs proves and verifies with.
declare var curve_bn128: { readonly tm: { readonly concurrency: number }; terminate(): Promise<void> } | null | undefined
