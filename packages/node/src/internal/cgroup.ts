/**
 * Container limits from Linux cgroups, as pure functions over file contents.
 *
 * systeminformation and `os` ignore cgroups, so a process in a container with
 * a 1 GiB `memory.max` would otherwise believe it has the host's memory. We
 * find the process's cgroup (`/proc/self/cgroup`), map it onto the mounted
 * hierarchies (`/proc/self/mountinfo`, which also handles containers whose
 * cgroup namespace shows a different root), and walk from it up to the mount
 * point taking the tightest limit on the way: a parent's limit binds its
 * children too. Both cgroup v2 and v1 (including hybrid hosts, where the v1
 * memory controller holds the limits and v2 only pressure files) are read.
 */

/** Reads a file by absolute path; `undefined` when it is missing or unreadable. */
export type ReadFile = (path: string) => string | undefined

export interface Mount {
  /** The path within the hierarchy that is mounted (`/` unless namespaced). */
  readonly root: string
  readonly mountPoint: string
  readonly fsType: string
  /** v1 controllers of this mount (`memory`, `cpu`, `cpuacct`, …). */
  readonly controllers: ReadonlyArray<string>
}

/** Parses `/proc/self/mountinfo`, keeping cgroup and cgroup2 mounts. */
export const parseMountInfo = (text: string): ReadonlyArray<Mount> =>
  text.split("\n").flatMap((line) => {
    const [left, right] = line.split(" - ")
    if (left === undefined || right === undefined) return []
    const fields = left.split(" ")
    const [fsType, , superOptions = ""] = right.split(" ")
    const root = fields[3]
    const mountPoint = fields[4]
    if (root === undefined || mountPoint === undefined) return []
    if (fsType !== "cgroup" && fsType !== "cgroup2") return []
    const controllers = fsType === "cgroup"
      ? superOptions.split(",").filter((o) => !["rw", "ro"].includes(o) && !o.includes("="))
      : []
    return [{ root: unescapeOctal(root), mountPoint: unescapeOctal(mountPoint), fsType, controllers }]
  })

/** mountinfo escapes spaces and the like as `\040`. */
const unescapeOctal = (s: string): string => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)))

export interface ProcCgroup {
  /** The unified (v2) path, from the `0::/path` line. */
  readonly v2?: string
  /** v1 paths by controller. */
  readonly v1: ReadonlyMap<string, string>
}

/** Parses `/proc/self/cgroup` (`id:controllers:path` per line). */
export const parseProcCgroup = (text: string): ProcCgroup => {
  let v2: string | undefined
  const v1 = new Map<string, string>()
  for (const line of text.split("\n")) {
    const match = /^(\d+):([^:]*):(.*)$/.exec(line.trim())
    if (match === null) continue
    const [, id, controllers = "", path = "/"] = match
    if (id === "0" && controllers === "") v2 = path
    else for (const c of controllers.split(",")) if (c !== "") v1.set(c, path)
  }
  return v2 === undefined ? { v1 } : { v2, v1 }
}

/** v1 limits at or above this mean "no limit" (the kernel reports ~2^63 rounded to a page). */
const UNLIMITED = 2 ** 60

const parseNumber = (text: string | undefined): number | undefined => {
  if (text === undefined) return undefined
  const value = Number(text.trim())
  return Number.isFinite(value) ? value : undefined
}

/** v2 `memory.max`: bytes, or `undefined` for `max`. */
export const parseMemoryMax = (text: string | undefined): number | undefined => {
  if (text === undefined || text.trim() === "max") return undefined
  const value = parseNumber(text)
  return value === undefined || value >= UNLIMITED ? undefined : value
}

/** v1 `memory.limit_in_bytes`: bytes, or `undefined` when effectively unlimited. */
export const parseMemoryLimitV1 = (text: string | undefined): number | undefined => {
  const value = parseNumber(text)
  return value === undefined || value < 0 || value >= UNLIMITED ? undefined : value
}

/** v2 `cpu.max` (`"$QUOTA $PERIOD"` or `"max $PERIOD"`): cores, or `undefined` for no quota. */
export const parseCpuMax = (text: string | undefined): number | undefined => {
  if (text === undefined) return undefined
  const [quota, period = "100000"] = text.trim().split(/\s+/)
  if (quota === undefined || quota === "max") return undefined
  return quotaCores(parseNumber(quota), parseNumber(period))
}

/** v1 `cpu.cfs_quota_us` / `cpu.cfs_period_us` as cores; a quota of -1 is no quota. */
export const quotaCores = (quota: number | undefined, period: number | undefined): number | undefined =>
  quota === undefined || period === undefined || quota <= 0 || period <= 0 ? undefined : quota / period

/** Parses flat keyed files such as `memory.stat` and `cpu.stat` (`key value` per line). */
export const parseKeyed = (text: string | undefined): ReadonlyMap<string, number> => {
  const out = new Map<string, number>()
  for (const line of (text ?? "").split("\n")) {
    const [key, value] = line.trim().split(/\s+/)
    const n = parseNumber(value)
    if (key !== undefined && key !== "" && n !== undefined) out.set(key, n)
  }
  return out
}

const join = (a: string, b: string): string => `${a.replace(/\/+$/, "")}/${b.replace(/^\/+/, "")}`.replace(/\/+$/, "") || "/"

/** The directory of cgroup `path` under `mount`, translating namespaced roots. */
export const cgroupDir = (mount: Mount, path: string): string => {
  const relative = mount.root !== "/" && (path === mount.root || path.startsWith(`${mount.root}/`))
    ? path.slice(mount.root.length)
    : path
  return join(mount.mountPoint, relative)
}

/** `dir` and every ancestor up to and including the mount point, innermost first. */
export const ancestors = (dir: string, mountPoint: string): ReadonlyArray<string> => {
  const out: Array<string> = []
  let current = dir
  while (current.startsWith(mountPoint)) {
    out.push(current)
    if (current === mountPoint) break
    const parent = current.slice(0, current.lastIndexOf("/")) || "/"
    if (parent === current) break
    current = parent
  }
  return out
}

/** Where the live readings of a cgroup come from. */
export interface CgroupLayout {
  readonly version: 1 | 2
  /** The process's cgroup path (of the memory controller on v1). */
  readonly path: string
  readonly memoryLimit?: number
  readonly cpuLimit?: number
  /** The cgroup whose memory limit binds, for its usage; absent without a limit. */
  readonly memoryDir?: string
  /** The process's own cgroup for CPU usage accounting (v2 `cpu.stat`, v1 `cpuacct.usage`). */
  readonly cpuUsageFile?: string
  /** The process's own v2 cgroup when it has pressure files (`cpu.pressure`, `memory.pressure`). */
  readonly pressureDir?: string
}

const tightest = (dirs: ReadonlyArray<string>, limitOf: (dir: string) => number | undefined) => {
  let best: { readonly dir: string; readonly limit: number } | undefined
  for (const dir of dirs) {
    const limit = limitOf(dir)
    if (limit !== undefined && (best === undefined || limit < best.limit)) best = { dir, limit }
  }
  return best
}

/**
 * Finds the process's cgroups and their tightest limits. `undefined` when
 * the host has no cgroups (macOS, Windows) or they cannot be read.
 */
export const discover = (read: ReadFile): CgroupLayout | undefined => {
  const mountinfo = read("/proc/self/mountinfo")
  const procCgroup = read("/proc/self/cgroup")
  if (mountinfo === undefined || procCgroup === undefined) return undefined
  const mounts = parseMountInfo(mountinfo)
  const cgroup = parseProcCgroup(procCgroup)
  const v2Mount = mounts.find((m) => m.fsType === "cgroup2")
  const v1Mount = (controller: string) => mounts.find((m) => m.fsType === "cgroup" && m.controllers.includes(controller))
  const v2Dir = v2Mount !== undefined && cgroup.v2 !== undefined ? cgroupDir(v2Mount, cgroup.v2) : undefined
  // The cgroup's own pressure; at the root it is the system's, like /proc/pressure.
  const pressureDir = v2Dir !== undefined && read(join(v2Dir, "cpu.pressure")) !== undefined ? v2Dir : undefined

  // A v1 memory controller means v1 holds the limits (legacy or hybrid host).
  const memoryMount = v1Mount("memory")
  const memoryPath = cgroup.v1.get("memory")
  if (memoryMount !== undefined && memoryPath !== undefined) {
    const memoryDirs = ancestors(cgroupDir(memoryMount, memoryPath), memoryMount.mountPoint)
    const memory = tightest(memoryDirs, (d) => parseMemoryLimitV1(read(join(d, "memory.limit_in_bytes"))))
    const cpuMount = v1Mount("cpu")
    const cpuPath = cgroup.v1.get("cpu")
    const cpuDirs = cpuMount !== undefined && cpuPath !== undefined
      ? ancestors(cgroupDir(cpuMount, cpuPath), cpuMount.mountPoint)
      : []
    const cpu = tightest(cpuDirs, (d) =>
      quotaCores(parseNumber(read(join(d, "cpu.cfs_quota_us"))), parseNumber(read(join(d, "cpu.cfs_period_us")))))
    const acctMount = v1Mount("cpuacct")
    const acctPath = cgroup.v1.get("cpuacct")
    const cpuUsageFile = acctMount !== undefined && acctPath !== undefined
      ? join(cgroupDir(acctMount, acctPath), "cpuacct.usage")
      : undefined
    return {
      version: 1,
      path: memoryPath,
      ...(memory === undefined ? {} : { memoryLimit: memory.limit, memoryDir: memory.dir }),
      ...(cpu === undefined ? {} : { cpuLimit: cpu.limit }),
      ...(cpuUsageFile !== undefined && read(cpuUsageFile) !== undefined ? { cpuUsageFile } : {}),
      ...(pressureDir === undefined ? {} : { pressureDir })
    }
  }

  if (v2Mount === undefined || cgroup.v2 === undefined || v2Dir === undefined) return undefined
  const dirs = ancestors(v2Dir, v2Mount.mountPoint)
  const memory = tightest(dirs, (d) => parseMemoryMax(read(join(d, "memory.max"))))
  const cpu = tightest(dirs, (d) => parseCpuMax(read(join(d, "cpu.max"))))
  const cpuUsageFile = join(v2Dir, "cpu.stat")
  return {
    version: 2,
    path: cgroup.v2,
    ...(memory === undefined ? {} : { memoryLimit: memory.limit, memoryDir: memory.dir }),
    ...(cpu === undefined ? {} : { cpuLimit: cpu.limit }),
    ...(read(cpuUsageFile) !== undefined ? { cpuUsageFile } : {}),
    ...(pressureDir === undefined ? {} : { pressureDir })
  }
}

/**
 * Memory in use by the limiting cgroup: its usage minus inactive file cache,
 * the "working set" the kernel reclaims last and container runtimes report.
 */
export const workingSet = (read: ReadFile, layout: CgroupLayout): number | undefined => {
  if (layout.memoryDir === undefined) return undefined
  const dir = layout.memoryDir
  if (layout.version === 2) {
    const current = parseNumber(read(join(dir, "memory.current")))
    if (current === undefined) return undefined
    const inactive = parseKeyed(read(join(dir, "memory.stat"))).get("inactive_file") ?? 0
    return Math.max(0, current - inactive)
  }
  const usage = parseNumber(read(join(dir, "memory.usage_in_bytes")))
  if (usage === undefined) return undefined
  const inactive = parseKeyed(read(join(dir, "memory.stat"))).get("total_inactive_file") ?? 0
  return Math.max(0, usage - inactive)
}

/** Cumulative CPU time of the process's cgroup in nanoseconds. */
export const cpuUsageNanos = (read: ReadFile, layout: CgroupLayout): number | undefined => {
  if (layout.cpuUsageFile === undefined) return undefined
  const text = read(layout.cpuUsageFile)
  if (layout.version === 1) return parseNumber(text)
  const micros = parseKeyed(text).get("usage_usec")
  return micros === undefined ? undefined : micros * 1000
}
