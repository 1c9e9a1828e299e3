/**
 * Provident in the browser: the navigator probe, the Web Worker prover,
 * IndexedDB stores, the HTTP remote prover and ready-made layers.
 *
 * @since 0.1.0
 */
export * as BrowserArtifacts from "./BrowserArtifacts.ts"
export * as BrowserCheckpointStore from "./BrowserCheckpointStore.ts"
export * as BrowserModelStore from "./BrowserModelStore.ts"
export * as BrowserProvident from "./BrowserProvident.ts"
export * as BrowserRemoteProver from "./BrowserRemoteProver.ts"
export * as BrowserResourceProbe from "./BrowserResourceProbe.ts"
export * as BrowserResultCache from "./BrowserResultCache.ts"
export * as BrowserSnarkjsProver from "./BrowserSnarkjsProver.ts"
export * as BrowserTelemetry from "./BrowserTelemetry.ts"
