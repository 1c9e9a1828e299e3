/**
 * The demo page, served by its own Vite dev server and driven by Playwright
 * in Debian's Chromium: live readings appear, "Prove" runs a Groth16 proof
 * of square-1000 in a Web Worker up to 100% and a "verified" badge, a second
 * proof cancelled midway leaves no worker behind, and a screenshot of the
 * verified page is kept in `test-artifacts/` (git-ignored).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { type Browser, chromium as playwright, type Page } from "playwright"
import { createServer, type ViteDevServer } from "vite"
import { chromium } from "../vite.shared.ts"

const demo = fileURLToPath(new URL("../demo", import.meta.url))
const artifacts = fileURLToPath(new URL("../test-artifacts", import.meta.url))

let server: ViteDevServer
let browser: Browser
let page: Page

beforeAll(async () => {
  server = await createServer({
    root: demo,
    configFile: path.join(demo, "vite.config.ts"),
    server: { host: "127.0.0.1", port: 0 },
    logLevel: "warn"
  })
  await server.listen()
  const url = server.resolvedUrls?.local[0]
  if (url === undefined) throw new Error("the demo server has no address")
  browser = await playwright.launch(chromium)
  page = await browser.newPage({ viewport: { width: 1100, height: 1100 } })
  await page.goto(url)
})

/**
 * The test run itself keeps both cores busy, so headless Chromium often
 * reports critical CPU pressure, under which the allocator starts only
 * critical work (by design): the proofs here ask as `critical`.
 */
const proveAsCritical = async () => {
  await testId("priority").selectOption("critical")
  await testId("prove").click({ timeout: 20_000 }) // waits until the circuit is loaded and the button enabled
}

afterAll(async () => {
  await browser?.close()
  await server?.close()
})

const testId = (id: string) => page.getByTestId(id)
const text = (id: string) => testId(id).textContent()

describe("the demo page", () => {
  it("shows live readings of the tab and a cross-origin isolated page", async () => {
    await expect.poll(() => text("memory"), { timeout: 20_000 }).toMatch(/MiB of 4\.00 GiB/)
    await expect.poll(() => text("pressure"), { timeout: 10_000 }).toMatch(/^(nominal|fair|serious|critical) \(compute-pressure\)$/)
    expect(await text("device")).toMatch(/cores/)
    expect(await text("storage")).toMatch(/quota/)
    expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(true)
  })

  it("proves: progress reaches 100% and the verified badge shows; the screenshot is kept", async () => {
    await proveAsCritical()
    await testId("verified").waitFor({ state: "visible", timeout: 60_000 })
    expect(await testId("progress").getAttribute("aria-valuenow")).toBe("100")
    expect(await text("status")).toMatch(/proved with FULL_COMPUTATION/)
    expect(await text("queue")).toMatch(/demo-proof-1.*completed/s)
    fs.mkdirSync(artifacts, { recursive: true })
    const file = path.join(artifacts, "demo-verified.png")
    await page.screenshot({ path: file, fullPage: true })
    const png = fs.readFileSync(file)
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
    expect(png.length).toBeGreaterThan(20_000)
  })

  it("cancel stops a proof midway and its worker is terminated", async () => {
    await proveAsCritical()
    // Proving has started (the witness is the first fifth of the bar) in a busy worker.
    await expect.poll(async () => Number(await testId("progress").getAttribute("aria-valuenow")), { timeout: 30_000, interval: 20 })
      .toBeGreaterThan(20)
    expect(await text("workers")).toMatch(/#\d+ proving/)
    expect(page.workers().length).toBeGreaterThanOrEqual(2) // the proof's worker (and its sub-workers, if granted 2 cores), the warm one
    await testId("cancel").click()
    await expect.poll(() => text("status"), { timeout: 5_000 }).toMatch(/cancelled/)
    expect(await testId("verified").isHidden()).toBe(true)
    // Chromium's own account: the proof's worker and its sub-workers are gone; the warm worker waits.
    await expect.poll(() => page.workers().length, { timeout: 5_000 }).toBeLessThanOrEqual(1)
    await expect.poll(() => text("workers"), { timeout: 5_000 }).toMatch(/^#\d+ warm$/)
  })
})
