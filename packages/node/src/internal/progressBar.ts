/** A one-line progress bar for the CLI: redrawn in place on a terminal, a line per phase otherwise. */
export const make = (stream: NodeJS.WriteStream = process.stderr) => {
  const tty = stream.isTTY === true
  let lastPhase = ""
  return {
    update: (phase: string, percent: number) => {
      const width = 30
      const filled = Math.round((Math.max(0, Math.min(100, percent)) / 100) * width)
      const line = `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${String(Math.round(percent)).padStart(3)}% ${phase}`
      if (tty) stream.write(`\r\x1b[2K${line}`)
      else if (phase !== lastPhase) stream.write(`${line}\n`)
      lastPhase = phase
    },
    done: () => {
      if (tty) stream.write("\n")
    }
  }
}
