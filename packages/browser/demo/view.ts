/**
 * The demo page's rendering: plain DOM updates from Provident's values.
 * Nothing here ever sees the proof's private input.
 */
import type { BrowserSnarkjsProver } from "@provident/browser"
import type { ExecutionResult, OperationStatus, ResourceAllocator, ResourceSnapshot } from "@provident/core"
import type { DeviceInfo } from "@provident/core/DeviceInfo"

const byTestId = <E extends HTMLElement = HTMLElement>(id: string): E => {
  const element = document.querySelector<E>(`[data-testid="${id}"]`)
  if (element === null) throw new Error(`the demo page has no ${id}`)
  return element
}

export const elements = {
  priority: byTestId<HTMLSelectElement>("priority"),
  prove: byTestId<HTMLButtonElement>("prove"),
  cancel: byTestId<HTMLButtonElement>("cancel"),
  status: byTestId("status"),
  verified: byTestId("verified"),
  progress: byTestId<HTMLProgressElement>("progress"),
  result: byTestId("result")
}

const MiB = 1024 ** 2
const size = (bytes: number) => (bytes >= 1024 * MiB ? `${(bytes / 1024 / MiB).toFixed(2)} GiB` : `${(bytes / MiB).toFixed(1)} MiB`)
const set = (id: string, text: string) => void (byTestId(id).textContent = text)

export const device = (info: DeviceInfo) =>
  set("device", `${info.deviceClass}, ${info.logicalCores} cores, ${size(info.totalMemory)}${info.memoryLimit === undefined ? "" : ` (page limit ${size(info.memoryLimit)})`}`)

export const snapshot = (s: ResourceSnapshot.ResourceSnapshot, load: number) => {
  set("memory", `${size(s.memory.used)} of ${size(s.memory.limit ?? s.memory.total)} (${s.memory.usagePercent.toFixed(1)}%)`)
  const pressure = byTestId("pressure")
  pressure.textContent = `${s.pressure.state} (${s.pressure.source})`
  pressure.className = `pressure ${s.pressure.state}`
  set("storage", s.storage === undefined ? "not available" : `${size(s.storage.used)} of ${size(s.storage.total)} quota`)
  set("network", s.network === undefined ? "not available" : `${s.network.online ? "online" : "offline"}${s.network.type === undefined ? "" : `, ${s.network.type}`}${s.network.downlinkMbps === undefined ? "" : `, ${s.network.downlinkMbps} Mbps`}`)
  set("battery", s.battery === undefined ? "not available" : `${s.battery.level.toFixed(0)}%${s.battery.charging ? ", charging" : ""}`)
  set("load", load.toFixed(2))
}

export const budget = (view: ResourceAllocator.BudgetView) => {
  set("budget", `${size(view.memory)}, ${view.cores} cores (${view.strategy})`)
  set("granted", `${size(view.granted.memory)}, ${view.granted.cores} cores; ${view.queueLength} queued`)
}

export const workers = (infos: ReadonlyArray<BrowserSnarkjsProver.WorkerInfo>) =>
  set("workers", infos.map((w) => (w.busy ? `#${w.id} ${w.job?.phase} (${w.job?.threads} threads)` : `#${w.id} warm`)).join(", ") || "none")

export const operation = (event: OperationStatus.OperationEvent) => {
  const item = document.createElement("li")
  const granted = event.allocation === undefined ? "" : `: ${size(event.allocation.memory)}, ${event.allocation.cores} cores`
  item.textContent = `${new Date(event.at).toLocaleTimeString()} ${event.name} ${event.state}${granted}${event.reason === undefined ? "" : ` (${event.reason})`}`
  const queue = byTestId("queue")
  queue.prepend(item)
  while (queue.children.length > 30) queue.lastElementChild?.remove()
}

const bar = (overall: number) => {
  elements.progress.value = overall
  elements.progress.setAttribute("aria-valuenow", String(Math.round(overall)))
}

/** One bar for the whole proof: the witness is the first fifth, proving the rest; other phases leave it. */
export const progress = (phase: string, percent: number) => {
  const overall = phase === "witness" ? percent * 0.2 : phase === "proving" ? 20 + percent * 0.8 : phase === "done" ? 100 : undefined
  if (overall !== undefined) bar(overall)
  elements.status.textContent = `${phase} ${percent.toFixed(0)}%`
}

export const proving = (busy: boolean) => {
  elements.prove.disabled = busy
  elements.cancel.disabled = !busy
  if (busy) {
    elements.verified.hidden = true
    elements.result.textContent = ""
    bar(0)
    elements.status.textContent = "queued"
  }
}

export const finished = (result: ExecutionResult.ExecutionResult<{ readonly proof: { readonly publicSignals: ReadonlyArray<string> } }, unknown>, verified: boolean) => {
  if (result.success && verified) {
    progress("done", 100)
    elements.status.textContent = `proved with ${result.strategy} in ${(result.elapsedTime / 1000).toFixed(1)} s`
    elements.verified.hidden = false
    elements.result.textContent = `public output: ${result.result?.proof.publicSignals[0]?.slice(0, 24)}…`
  } else {
    const error = result.error
    elements.status.textContent = `failed: ${typeof error === "object" && error !== null && "message" in error ? String(error.message) : "see the attempts"}`
  }
}
