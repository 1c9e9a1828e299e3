/**
 * A name no other execution will ever have, for what must not be shared
 * between executions (their checkpoints). Execution ids come from callers
 * and repeat (a server numbering its jobs from 1 after each restart, a CLI
 * naming a proof after its circuit), so they cannot be that name: this adds
 * 128 random bits from the platform's CSPRNG. `crypto.getRandomValues` is a
 * global of every runtime Provident runs on (Node, browsers, in insecure
 * contexts too); core compiles without DOM or Node types, so its shape is
 * declared here.
 */
interface CryptoLike {
  getRandomValues<T extends Uint8Array>(array: T): T
}

const crypto = (globalThis as unknown as { readonly crypto: CryptoLike }).crypto

/** 32 hex digits of fresh randomness. */
export const randomHex = (): string =>
  Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("")

/** `id` made unique to this run: `<id>~<random>`. */
export const runOf = (id: string): string => `${id}~${randomHex()}`
