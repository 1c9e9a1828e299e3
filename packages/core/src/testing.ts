/**
 * Test support: simulated devices and their scripts, and the contract every
 * `ResourceProbe` must satisfy.
 *
 * @since 0.1.0
 */
export * as DeviceScript from "./DeviceScript.ts"
export * as ProbeContract from "./ProbeContract.ts"
export * as SimulatedDevice from "./SimulatedDevice.ts"
