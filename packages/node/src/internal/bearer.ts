/** Bearer-token checks in constant time. */
import { createHash, timingSafeEqual } from "node:crypto"

const digest = (s: string) => createHash("sha256").update(s, "utf8").digest()

/**
 * `Bearer <token>`: RFC 9110 (§11.1) makes the scheme name case-insensitive
 * (`bearer`, `BEARER`), and at least one space separates it from the token.
 */
const BEARER = /^bearer +/i

/** The token an `Authorization` header presents, `""` when it is no bearer credential. */
export const presentedToken = (header: string | undefined): string => {
  const scheme = header === undefined ? null : BEARER.exec(header)
  return header === undefined || scheme === null ? "" : header.slice(scheme[0].length)
}

/**
 * Whether an `Authorization` header carries `token`. Both sides are hashed
 * first so the comparison takes the same time whatever the lengths, and
 * `timingSafeEqual` takes the same time whatever the bytes: the response
 * time says nothing about how much of a guess was right.
 */
export const tokenMatches = (header: string | undefined, token: string): boolean => {
  const presented = presentedToken(header)
  return timingSafeEqual(digest(presented), digest(token)) && presented !== ""
}
