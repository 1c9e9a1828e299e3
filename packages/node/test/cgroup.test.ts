import { assert, describe, it } from "@effect/vitest"
import * as cgroup from "../src/internal/cgroup.ts"
import { fixtureReader } from "./fixtures.ts"

const GiB = 1024 ** 3

describe("cgroup discovery on fixtures", () => {
  it("v2 only, nested: the parent's tighter memory.max wins, the child's cpu.max applies", () => {
    const read = fixtureReader("cgroup/v2-nested")
    const layout = cgroup.discover(read)
    assert.deepStrictEqual(layout, {
      version: 2,
      path: "/app.slice/web.service",
      memoryLimit: GiB,
      memoryDir: "/sys/fs/cgroup/app.slice",
      cpuLimit: 2.5,
      cpuUsageFile: "/sys/fs/cgroup/app.slice/web.service/cpu.stat",
      pressureDir: "/sys/fs/cgroup/app.slice/web.service"
    })
    // memory.current minus inactive_file of the limiting cgroup
    assert.strictEqual(cgroup.workingSet(read, layout!), 805306368 - 268435456)
    assert.strictEqual(cgroup.cpuUsageNanos(read, layout!), 5_000_000_000)
  })

  it("v2 unlimited: no limits, usage and pressure still found", () => {
    const layout = cgroup.discover(fixtureReader("cgroup/v2-unlimited"))
    assert.isDefined(layout)
    assert.strictEqual(layout!.version, 2)
    assert.isUndefined(layout!.memoryLimit)
    assert.isUndefined(layout!.cpuLimit)
    assert.isUndefined(cgroup.workingSet(fixtureReader("cgroup/v2-unlimited"), layout!))
    assert.strictEqual(layout!.pressureDir, "/sys/fs/cgroup/user.slice/user-1000.slice/session-2.scope")
  })

  it("v2 container with a non-root mount: the cgroup path maps onto the mount point", () => {
    const read = fixtureReader("cgroup/v2-container")
    const layout = cgroup.discover(read)
    assert.strictEqual(layout?.memoryLimit, 512 * 1024 ** 2)
    assert.strictEqual(layout?.memoryDir, "/sys/fs/cgroup")
    assert.strictEqual(layout?.cpuLimit, 0.5)
    assert.strictEqual(cgroup.workingSet(read, layout!), 104857600 - 4857600)
  })

  it("v1 hybrid: limits from the v1 controllers, pressure from the unified mount", () => {
    const read = fixtureReader("cgroup/v1-hybrid")
    const layout = cgroup.discover(read)
    assert.deepStrictEqual(layout, {
      version: 1,
      path: "/jobs/42",
      memoryLimit: 4 * GiB,
      memoryDir: "/sys/fs/cgroup/memory/jobs/42",
      cpuLimit: 1.5,
      cpuUsageFile: "/sys/fs/cgroup/cpu,cpuacct/jobs/42/cpuacct.usage",
      pressureDir: "/sys/fs/cgroup/unified"
    })
    assert.strictEqual(cgroup.workingSet(read, layout!), GiB - 73741824)
    assert.strictEqual(cgroup.cpuUsageNanos(read, layout!), 2_000_000_000)
  })

  it("v1 container whose host path is not mounted: the mount root's limit is found, -1 quota is none", () => {
    const layout = cgroup.discover(fixtureReader("cgroup/v1-container"))
    assert.strictEqual(layout?.memoryLimit, 256 * 1024 ** 2)
    assert.strictEqual(layout?.memoryDir, "/sys/fs/cgroup/memory")
    assert.isUndefined(layout?.cpuLimit)
  })

  it("no cgroup files (macOS, Windows): nothing", () => {
    assert.isUndefined(cgroup.discover(() => undefined))
  })
})

describe("cgroup file parsers", () => {
  it("memory.max and limit_in_bytes", () => {
    assert.isUndefined(cgroup.parseMemoryMax("max\n"))
    assert.strictEqual(cgroup.parseMemoryMax("1048576\n"), 1048576)
    assert.isUndefined(cgroup.parseMemoryMax("garbage"))
    assert.isUndefined(cgroup.parseMemoryLimitV1("9223372036854771712"))
    assert.strictEqual(cgroup.parseMemoryLimitV1("268435456"), 268435456)
  })

  it("cpu.max and CFS quota", () => {
    assert.isUndefined(cgroup.parseCpuMax("max 100000"))
    assert.strictEqual(cgroup.parseCpuMax("250000 100000"), 2.5)
    assert.strictEqual(cgroup.parseCpuMax("50000"), 0.5, "the period defaults to 100000")
    assert.isUndefined(cgroup.quotaCores(-1, 100000))
    assert.strictEqual(cgroup.quotaCores(150000, 100000), 1.5)
  })

  it("mountinfo keeps cgroup mounts with their controllers and unescapes paths", () => {
    const mounts = cgroup.parseMountInfo([
      "22 1 8:1 / / rw - ext4 /dev/sda1 rw",
      "31 30 0:28 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct",
      "39 30 0:36 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,xattr,name=systemd",
      "40 30 0:37 /a\\040b /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw"
    ].join("\n"))
    assert.deepStrictEqual(mounts.map((m) => [m.fsType, m.root, m.mountPoint, m.controllers.join("+")]), [
      ["cgroup", "/", "/sys/fs/cgroup/cpu,cpuacct", "cpu+cpuacct"],
      ["cgroup", "/", "/sys/fs/cgroup/systemd", "xattr"],
      ["cgroup2", "/a b", "/sys/fs/cgroup/unified", ""]
    ])
  })

  it("/proc/self/cgroup splits v1 controllers and the unified path", () => {
    const parsed = cgroup.parseProcCgroup("12:cpu,cpuacct:/a\n4:memory:/b\n1:name=systemd:/c\n0::/d\n")
    assert.strictEqual(parsed.v2, "/d")
    assert.strictEqual(parsed.v1.get("cpu"), "/a")
    assert.strictEqual(parsed.v1.get("cpuacct"), "/a")
    assert.strictEqual(parsed.v1.get("memory"), "/b")
  })

  it("ancestors walk up to the mount point only", () => {
    assert.deepStrictEqual(cgroup.ancestors("/sys/fs/cgroup/a/b", "/sys/fs/cgroup"), [
      "/sys/fs/cgroup/a/b",
      "/sys/fs/cgroup/a",
      "/sys/fs/cgroup"
    ])
    assert.deepStrictEqual(cgroup.ancestors("/sys/fs/cgroup", "/sys/fs/cgroup"), ["/sys/fs/cgroup"])
  })
})
