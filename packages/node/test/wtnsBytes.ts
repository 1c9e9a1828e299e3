/**
 * A `.wtns` of given values, as snarkjs writes it (see core's
 * `internal/wtns.ts`): what a scripted client prover hands the remote client
 * so it can check public signals against the input.
 */
const BN128 = 21888242871839275222246405745257275088548364400416034343698204186575808495617n
const N8 = 32

const u32 = (n: number) => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff]
const le = (value: bigint) => Array.from({ length: N8 }, (_, i) => Number((value >> BigInt(8 * i)) & 0xffn))
const section = (type: number, body: ReadonlyArray<number>) => [...u32(type), ...u32(body.length), ...u32(0), ...body]

export const wtnsOf = (values: ReadonlyArray<bigint>): Uint8Array =>
  new Uint8Array([
    ...[..."wtns"].map((c) => c.charCodeAt(0)),
    ...u32(2),
    ...u32(2),
    ...section(1, [...u32(N8), ...le(BN128), ...u32(values.length)]),
    ...section(2, values.flatMap(le))
  ])
