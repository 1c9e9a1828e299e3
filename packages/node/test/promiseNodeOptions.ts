/**
 * Node options for tests of the Promise facade (no vitest import, so the
 * scripts under `fixtures/` use them too): the stores in a temporary
 * directory (never the user's cache), and pressure read as nominal.
 * Everything else comes from the machine. Pressure is pinned because the
 * allocator holds back work under pressure, by design (a smaller budget
 * under serious pressure, only critical work under critical pressure): on a
 * small machine other processes, vitest's own workers among them, would
 * otherwise decide whether and when a test's work is admitted.
 */
import type { NodeOptions } from "@provident/node/promise"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { readFileOrUndefined } from "../src/internal/files.ts"
import type * as NodeResourceProbe from "../src/NodeResourceProbe.ts"

const NOMINAL_PSI = "some avg10=0.00 avg60=0.00 avg300=0.00 total=0\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"

/** A fresh temporary directory. */
export const tempDir = (): string => fs.mkdtempSync(path.join(os.tmpdir(), "provident-promise-"))

/** The probe for tests: this machine as it is, but pressure read as nominal; storage measured under `dir`. */
export const nominalProbe = (dir: string): NodeResourceProbe.Options => ({
  storagePath: dir,
  readFile: (file) => (/(^\/proc\/pressure\/|\.pressure$)/.test(file) ? NOMINAL_PSI : readFileOrUndefined(file))
})

/** Node options for tests: stores under `dir`, pressure nominal, the rest of the machine as it is. */
export const nodeOptions = (dir: string = tempDir()): NodeOptions => ({
  probe: nominalProbe(dir),
  modelStore: { file: path.join(dir, "cost-models.json") },
  checkpoints: { directory: path.join(dir, "checkpoints") }
})

