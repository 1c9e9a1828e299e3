/**
 * How far a slow snarkjs setup command has got, read from its verbose (`-v`)
 * log lines, as pure functions. Only the powers-of-tau commands take long
 * enough to need it (`prepare phase2` ~8 min at 2^14 on two cores): they
 * work section by section, and within a section power by power, each power p
 * costing about p·2^p group operations (an FFT), G2 points about three times
 * a G1 point.
 */

interface Section {
  readonly name: string
  /** Relative cost of one point. */
  readonly weight: number
  /** How many powers beyond the ceremony's the section holds (tauG1 has 2^(p+1) − 1 points). */
  readonly extra: number
}

const SECTIONS: ReadonlyArray<Section> = [
  { name: "tauG1", weight: 1, extra: 1 },
  { name: "tauG2", weight: 3, extra: 0 },
  { name: "alphaTauG1", weight: 1, extra: 0 },
  { name: "betaTauG1", weight: 1, extra: 0 }
]

const fftCost = (p: number): number => (p + 1) * 2 ** p

/** Work of powers 0..upTo−1 of a section. */
const sectionWork = (section: Section, upTo: number): number => {
  let work = 0
  for (let p = 0; p < upTo; p++) work += fftCost(p) * section.weight
  return work
}

/**
 * Percent done of `powersoftau prepare phase2` at `power` when it logs
 * `line`: `Starting section: tauG2` or `tauG2: fft 7 mix start: 0/2` mean
 * every earlier section, and every smaller power of this one, are done.
 * `undefined` for lines that say nothing about progress.
 */
export const preparePhase2 = (power: number) => {
  const total = SECTIONS.reduce((sum, s) => sum + sectionWork(s, power + 1 + s.extra), 0)
  return (line: string): number | undefined => {
    const match = /(?:Starting section: (\w+))|(?:(\w+): fft\s+(\d+))/.exec(line)
    if (match === null) return undefined
    const name = match[1] ?? match[2]
    const index = SECTIONS.findIndex((s) => s.name === name)
    if (index < 0) return undefined
    const before = SECTIONS.slice(0, index).reduce((sum, s) => sum + sectionWork(s, power + 1 + s.extra), 0)
    const within = match[3] === undefined ? 0 : sectionWork(SECTIONS[index]!, Number(match[3]))
    return Math.min(100, (100 * (before + within)) / total)
  }
}

const CONTRIBUTED: ReadonlyArray<Section> = [...SECTIONS, { name: "betaTauG2", weight: 3, extra: -Infinity }]

/**
 * Percent done of `powersoftau contribute` at `power` when it logs
 * `processing: tauG2: 1024/16384`: the contribution multiplies every point
 * once (no FFT), so work is proportional to points.
 */
export const contribute = (power: number) => {
  const points = (s: Section) => (s.extra === -Infinity ? 1 : 2 ** (power + s.extra)) * s.weight
  const total = CONTRIBUTED.reduce((sum, s) => sum + points(s), 0)
  return (line: string): number | undefined => {
    const match = /processing: (\w+): (\d+)\/(\d+)/.exec(line)
    if (match === null) return undefined
    const index = CONTRIBUTED.findIndex((s) => s.name === match[1])
    if (index < 0) return undefined
    const before = CONTRIBUTED.slice(0, index).reduce((sum, s) => sum + points(s), 0)
    const within = (Number(match[2]) / Math.max(1, Number(match[3]))) * points(CONTRIBUTED[index]!)
    return Math.min(100, (100 * (before + within)) / total)
  }
}
