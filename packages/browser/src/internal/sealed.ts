/**
 * Checkpoint values sealed for IndexedDB: encoded as JSON (byte arrays as
 * base64, bigints and `undefined` tagged) and encrypted with AES-GCM under a
 * key that exists only in this page's memory (non-extractable), bound to
 * the slot they were saved in. What a closed or crashed tab leaves in
 * IndexedDB is ciphertext nobody holds the key to.
 */
const TAG = "$provident"

type Tagged = { readonly [TAG]: "bytes" | "bigint" | "undefined"; readonly v?: string }

const toBase64 = (bytes: Uint8Array): string => {
  let binary = ""
  // In chunks: spreading a large array into fromCharCode overflows the stack.
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(binary)
}
const fromBase64 = (text: string): Uint8Array => Uint8Array.from(atob(text), (c) => c.charCodeAt(0))

/** JSON text of `value`; throws on what JSON cannot hold (functions, symbols, cycles). */
export const encode = (value: unknown): string =>
  JSON.stringify({ value }, function(this: unknown, key: string, v: unknown) {
    const raw = (this as Record<string, unknown>)[key]
    if (raw instanceof Uint8Array) return { [TAG]: "bytes", v: toBase64(raw) } satisfies Tagged
    if (typeof raw === "bigint") return { [TAG]: "bigint", v: raw.toString() } satisfies Tagged
    if (raw === undefined && key === "value") return { [TAG]: "undefined" } satisfies Tagged
    if (typeof raw === "function" || typeof raw === "symbol") throw new TypeError(`a ${typeof raw} cannot be stored`)
    return v
  })

export const decode = (text: string): unknown =>
  (JSON.parse(text, (_key, v: unknown) => {
    if (typeof v !== "object" || v === null || !(TAG in v)) return v
    const tagged = v as Tagged
    return tagged[TAG] === "bytes" ? fromBase64(tagged.v ?? "") : tagged[TAG] === "bigint" ? BigInt(tagged.v ?? "0") : undefined
  }) as { value: unknown }).value

export interface Sealed {
  readonly iv: Uint8Array<ArrayBuffer>
  readonly data: ArrayBuffer
}

export interface Sealer {
  readonly seal: (slot: string, value: unknown) => Promise<Sealed>
  /** The value, or undefined when it was not sealed by this page for this slot (or is damaged). */
  readonly open: (slot: string, sealed: Sealed) => Promise<{ readonly value: unknown } | undefined>
}

/** A sealer with a fresh key; undefined where WebCrypto is unavailable (insecure contexts). */
export const makeSealer = async (): Promise<Sealer | undefined> => {
  const subtle = globalThis.crypto?.subtle
  if (subtle === undefined) return undefined
  const key = await subtle.generateKey({ name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"])
  const aad = (slot: string) => new TextEncoder().encode(slot)
  return {
    seal: async (slot, value) => {
      const iv = crypto.getRandomValues(new Uint8Array(12))
      const data = await subtle.encrypt({ name: "AES-GCM", iv, additionalData: aad(slot) }, key, new TextEncoder().encode(encode(value)))
      return { iv, data }
    },
    open: async (slot, sealed) => {
      try {
        const plain = await subtle.decrypt({ name: "AES-GCM", iv: sealed.iv, additionalData: aad(slot) }, key, sealed.data)
        return { value: decode(new TextDecoder().decode(plain)) }
      } catch {
        return undefined
      }
    }
  }
}
