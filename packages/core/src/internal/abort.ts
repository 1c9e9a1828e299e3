/**
 * `AbortController` is a global of every runtime Provident runs on (Node,
 * browsers, Deno, Bun: the WinterCG common minimum), but core compiles
 * against the ECMAScript library only (no DOM, no Node types), so the shape
 * it uses is declared here.
 */
export interface AbortSignalLike {
  readonly aborted: boolean
  readonly reason: unknown
  addEventListener(type: "abort", listener: () => void, options?: { readonly once?: boolean }): void
  removeEventListener(type: "abort", listener: () => void): void
}

export interface AbortControllerLike {
  readonly signal: AbortSignalLike
  abort(reason?: unknown): void
}

export const makeAbortController = (): AbortControllerLike =>
  new (globalThis as unknown as { readonly AbortController: new() => AbortControllerLike }).AbortController()
