/** Bearer-token checks in constant time. */
import { createHash, timingSafeEqual } from "node:crypto"

const digest = (s: string) => createHash("sha256").update(s, "utf8").digest()

/**
 * Whether an `Authorization` header carries `token`. Both sides are hashed
 * first so the comparison takes the same time whatever the lengths, and
 * `timingSafeEqual` takes the same time whatever the bytes: the response
 * time says nothing about how much of a guess was right.
 */
export const tokenMatches = (header: string | undefined, token: string): boolean => {
  const presented = header?.startsWith("Bearer ") === true ? header.slice("Bearer ".length) : ""
  return timingSafeEqual(digest(presented), digest(token)) && presented !== ""
}
