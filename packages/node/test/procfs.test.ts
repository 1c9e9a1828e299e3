import { assert, describe, it } from "@effect/vitest"
import * as procfs from "../src/internal/procfs.ts"
import * as psi from "../src/internal/psi.ts"
import { fixture } from "./fixtures.ts"

describe("PSI", () => {
  it("parses some and full lines", () => {
    const parsed = psi.parsePsi(fixture("psi/memory-thrashing"))
    assert.deepStrictEqual(parsed, {
      some: { avg10: 12, avg60: 8, avg300: 3, total: 100 },
      full: { avg10: 16, avg60: 4, avg300: 1, total: 50 }
    })
    assert.deepStrictEqual(psi.parsePsi(fixture("psi/cpu-busy"))?.full, undefined)
    assert.isUndefined(psi.parsePsi(fixture("psi/garbage")))
    assert.isUndefined(psi.parsePsi(undefined))
  })

  it("maps onto the pressure scale, memory earlier than cpu", () => {
    const line = (avg10: number) => ({ avg10, avg60: 0, avg300: 0, total: 0 })
    assert.strictEqual(psi.cpuState({ some: line(10) }), "nominal")
    assert.strictEqual(psi.cpuState({ some: line(20) }), "fair")
    assert.strictEqual(psi.cpuState(psi.parsePsi(fixture("psi/cpu-busy"))!), "critical")
    assert.strictEqual(psi.memoryState({ some: line(10) }), "fair")
    assert.strictEqual(psi.memoryState({ some: line(20) }), "serious")
    assert.strictEqual(psi.memoryState({ some: line(1), full: line(6) }), "serious", "full stalls weigh more")
    assert.strictEqual(psi.memoryState(psi.parsePsi(fixture("psi/memory-thrashing"))!), "critical")
  })
})

describe("/proc counters", () => {
  it("cpu usage from two /proc/stat readings", () => {
    const before = procfs.parseProcStat(fixture("proc/stat"))!
    const after = procfs.parseProcStat(fixture("proc/stat-later"))!
    assert.deepStrictEqual(before, { busy: 160, total: 1000 })
    // busy +100 of +160 ticks
    assert.strictEqual(procfs.usagePercent(before, after), 62.5)
    assert.isUndefined(procfs.usagePercent(before, before), "no time passed")
    assert.isUndefined(procfs.parseProcStat("intr 1\n"))
  })

  it("os.cpus() times give the same measure", () => {
    const times = { user: 100, nice: 10, sys: 50, idle: 800, irq: 0 }
    assert.deepStrictEqual(procfs.ticksFromCpus([{ times }, { times }]), { busy: 320, total: 1920 })
  })

  it("network bytes sum every interface but loopback", () => {
    assert.deepStrictEqual(procfs.parseNetDev(fixture("proc/net-dev")), { rx: 1024, tx: 506 })
    assert.isUndefined(procfs.parseNetDev("header\nheader\n"))
  })
})
