/**
 * Whether the out-of-memory killer struck, from the count the kernel keeps
 * per cgroup: `oom_kill` in v2 `memory.events`, or in v1
 * `memory.oom_control` (Linux ≥ 4.13). Both count every process of the
 * cgroup (and its descendants) killed by any OOM killer, the system's or a
 * cgroup limit's, so reading it before a job and after its child died says
 * whether that SIGKILL came from an OOM killer, instead of guessing.
 *
 * The prover's children are forked into this process's cgroup, so its own
 * cgroup is the one read (not the ancestor whose limit binds: that one also
 * counts other workloads). Pure over a `ReadFile`, so it is tested with
 * fixture trees.
 */
import { cgroupDir, parseKeyed, parseMountInfo, parseProcCgroup, type ReadFile } from "./cgroup.ts"

/** The file holding this process's cgroup's `oom_kill` count; `undefined` without cgroups (or a kernel that keeps none). */
export const counterFile = (read: ReadFile): string | undefined => {
  const mountinfo = read("/proc/self/mountinfo")
  const procCgroup = read("/proc/self/cgroup")
  if (mountinfo === undefined || procCgroup === undefined) return undefined
  const mounts = parseMountInfo(mountinfo)
  const cgroup = parseProcCgroup(procCgroup)
  // A v1 memory controller holds the memory accounting (legacy or hybrid host); else v2's.
  const v1 = mounts.find((m) => m.fsType === "cgroup" && m.controllers.includes("memory"))
  const v1Path = cgroup.v1.get("memory")
  const v2 = mounts.find((m) => m.fsType === "cgroup2")
  const [dir, name] = v1 !== undefined && v1Path !== undefined
    ? [cgroupDir(v1, v1Path), "memory.oom_control"]
    : v2 !== undefined && cgroup.v2 !== undefined
    ? [cgroupDir(v2, cgroup.v2), "memory.events"]
    : [undefined, undefined]
  if (dir === undefined) return undefined
  const file = `${dir.replace(/\/+$/, "")}/${name}`
  return count(read, file) === undefined ? undefined : file
}

/** The `oom_kill` count in `file`, `undefined` when it cannot be read. */
export const count = (read: ReadFile, file: string): number | undefined => parseKeyed(read(file)).get("oom_kill")

/**
 * Reads the count on demand: `before()` when a job starts, then
 * `killedSince(before)` once its child died, which says whether an OOM
 * kill happened in between (`undefined`: cannot tell).
 */
export interface Watch {
  readonly before: () => number | undefined
  readonly killedSince: (before: number | undefined) => boolean | undefined
}

export const watch = (read: ReadFile): Watch => {
  const file = counterFile(read)
  const now = () => (file === undefined ? undefined : count(read, file))
  return {
    before: now,
    killedSince: (before) => {
      const after = now()
      return before === undefined || after === undefined ? undefined : after > before
    }
  }
}
