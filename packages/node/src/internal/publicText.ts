/**
 * Text the server sends to clients that came from somewhere else: error
 * messages written for its own operator, and what the client itself sent.
 * Messages name the server's files by absolute path (`the circuit's wasm
 * /srv/provident/circuits/… is missing`), which tells a client how the
 * machine is laid out, and a client's own text can be as long as its body.
 */

/**
 * Anything that looks like an absolute path: POSIX (`/a/b`), home (`~/a`),
 * Windows (`C:\a`; a UNC `\\host\share` leaves only its first backslash).
 * Not `a/b` or `1/2` inside a word.
 */
const QUOTED_PATH = /(['"`])(?:~|[A-Za-z]:)?[\\/][^'"`\n]*\1/g
const ABSOLUTE_PATH = /(?<![\w.~%-])(?:~(?=\/)|[A-Za-z]:(?=[\\/]))?[\\/](?=[^\s\\/])[^\s'"`<>|,;()]*/g

const basename = (file: string): string => file.split(/[\\/]/).filter((s) => s !== "").pop() ?? ""

const dirname = (file: string): string => file.slice(0, Math.max(0, file.search(/[\\/][^\\/]*$/)))

const replaceAll = (text: string, targets: ReadonlyArray<string>, by: (target: string) => string): string =>
  // Longest first, so a shorter path does not eat the start of a longer one.
  [...new Set(targets)].filter((t) => t.length > 1).sort((a, b) => b.length - a.length)
    .reduce((out, target) => out.split(target).join(by(target)), text)

/**
 * `message` with no filesystem path left in it. The `files` it may name (a
 * circuit's artifacts: their paths may contain spaces, which no pattern
 * could tell from the prose around them) become their file names
 * (`groth16.zkey`, the same on every installation), their directories
 * `<path>`; any other absolute path becomes `<path>`.
 */
export const withoutPaths = (message: string, files: ReadonlyArray<string> = []): string => {
  const named = replaceAll(message, files, (file) => basename(file) || "<path>")
  // Quoted paths as a whole (Node's errors quote them: `open '/a b/c'`), spaces and all; then bare ones.
  return replaceAll(named, files.map(dirname), () => "<path>").replace(QUOTED_PATH, "$1<path>$1").replace(ABSOLUTE_PATH, "<path>")
}

/** At most `max` characters of `text` (whole code points), with `…` when cut. */
export const excerpt = (text: string, max = 64): string => {
  if (text.length <= max) return text
  let out = ""
  let count = 0
  for (const char of text) {
    if (count++ === max) return `${out}…`
    out += char
  }
  return out
}
