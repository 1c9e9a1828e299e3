/**
 * What the user agent says about the device, as pure functions. User-agent
 * sniffing is a last resort, used only where no API answers: whether this
 * is a phone or tablet (when `navigator.userAgentData` is missing, as in
 * Safari and Firefox) and whether it is iOS WebKit, whose per-tab memory
 * limit is far below the wasm32 ceiling.
 */

/** What the user agent functions look at. */
export interface AgentFacts {
  readonly userAgent: string | undefined
  /** `navigator.userAgentData.mobile` where the browser has it (Chromium). */
  readonly uaMobile: boolean | undefined
  readonly maxTouchPoints: number | undefined
}

const IOS = /\b(iPhone|iPad|iPod)\b/
const MOBILE = /\b(Android|iPhone|iPad|iPod|Mobile|Tablet|Silk|Kindle|BlackBerry|Opera Mini|IEMobile)\b/i

/**
 * iPadOS Safari asks for desktop sites by default and then reports itself as
 * a Mac; a touch screen gives it away (no Mac has one).
 */
const isIPadAsMac = (facts: AgentFacts): boolean =>
  /\bMacintosh\b/.test(facts.userAgent ?? "") && (facts.maxTouchPoints ?? 0) > 1

/**
 * iOS or iPadOS, i.e. WebKit under Apple's memory limits: every browser
 * there (Chrome's `CriOS`, Firefox's `FxiOS`) is WebKit inside, so they all
 * count as "mobile Safari" here.
 */
export const isMobileSafari = (facts: AgentFacts): boolean => IOS.test(facts.userAgent ?? "") || isIPadAsMac(facts)

/** A phone or tablet: the browser's own hint when it has one, else the user agent. */
export const isMobile = (facts: AgentFacts): boolean =>
  facts.uaMobile ?? (MOBILE.test(facts.userAgent ?? "") || isIPadAsMac(facts))
