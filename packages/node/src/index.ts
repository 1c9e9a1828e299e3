/**
 * Provident on Node.js: the hardware probe and ready-made layers.
 *
 * @since 0.1.0
 */
export * as Artifacts from "./Artifacts.ts"
export * as Doctor from "./Doctor.ts"
export * as NodeCheckpointStore from "./NodeCheckpointStore.ts"
export * as NodeModelStore from "./NodeModelStore.ts"
export * as NodeProvident from "./NodeProvident.ts"
export * as NodeRemoteProver from "./NodeRemoteProver.ts"
export * as NodeResourceProbe from "./NodeResourceProbe.ts"
export * as NodeSnarkjsProver from "./NodeSnarkjsProver.ts"
export * as NodeTelemetry from "./NodeTelemetry.ts"
export * as ProverServer from "./ProverServer.ts"
