/**
 * The part of snarkjs 0.7 (which ships no types) that the prover's child
 * process uses. A file argument is a path or an in-memory fastfile
 * (`{ type: "mem", data }`); never a URL, which snarkjs would fetch.
 */
declare module "snarkjs" {
  type FileArg = string | { type: "mem"; data?: Uint8Array }
  interface Logger {
    debug(message: string): void
    info(message: string): void
    warn(message: string): void
    error(message: string): void
  }
  interface ProveOptions {
    /** Prove on this thread: no worker pool. */
    readonly singleThread?: boolean
  }
  interface Protocol {
    prove(zkey: FileArg, witness: FileArg, logger?: Logger, options?: ProveOptions): Promise<{ proof: unknown; publicSignals: Array<string> }>
    verify(vkey: unknown, publicSignals: ReadonlyArray<string>, proof: unknown, logger?: Logger): Promise<boolean>
  }
  export const groth16: Protocol
  export const plonk: Protocol
  export const wtns: {
    calculate(input: unknown, wasm: FileArg, witness: FileArg): Promise<void>
  }
  export const curves: {
    /** Builds (and, multi-threaded, caches in `globalThis.curve_bn128`) a curve with its worker pool. */
    getCurveFromName(name: string, options?: ProveOptions): Promise<{ readonly tm: { readonly concurrency: number }; terminate(): Promise<void> }>
  }
}
