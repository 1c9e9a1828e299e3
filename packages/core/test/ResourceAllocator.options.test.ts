/** `ResourceAllocator.decodeOptions`: the checks `make` runs, callable on their own (the Promise facade validates with them). */
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as ResourceAllocator from "../src/ResourceAllocator.ts"

const field = (options: unknown, strict = false) =>
  ResourceAllocator.decodeOptions(options as ResourceAllocator.Options, strict ? { onExcessProperty: "error" } : undefined).pipe(
    Effect.flip,
    Effect.map((e) => [e.field, e.message])
  )

describe("ResourceAllocator.decodeOptions", () => {
  it.effect("decodes the configuration with its defaults and keeps the custom strategy", () =>
    Effect.gen(function*() {
      const custom = () => Effect.succeed({ approved: true })
      const decoded = yield* ResourceAllocator.decodeOptions({ strategy: "custom", maxCpuPercentage: 50, customStrategy: custom })
      assert.strictEqual(decoded.config.strategy, "custom")
      assert.strictEqual(decoded.config.maxCpuPercentage, 50)
      assert.strictEqual(decoded.config.maxMemoryPercentage, 80)
      assert.strictEqual(decoded.customStrategy, custom)
    }))

  it.effect("names the field that is wrong", () =>
    Effect.gen(function*() {
      assert.deepStrictEqual(yield* field({ strategy: "custom" }), [
        "customStrategy",
        "Invalid AllocatorConfig: customStrategy: a function is required when strategy is custom"
      ])
      assert.deepStrictEqual(yield* field({ customStrategy: 42 }), ["customStrategy", "Invalid AllocatorConfig: customStrategy: must be a function"])
      const [name, message] = yield* field({ maxMemoryPercentage: 120 })
      assert.strictEqual(name, "maxMemoryPercentage")
      assert.match(message!, /^Invalid AllocatorConfig: maxMemoryPercentage: /)
    }))

  it.effect("reports unknown options only when asked to", () =>
    Effect.gen(function*() {
      const decoded = yield* ResourceAllocator.decodeOptions({ strategi: "custom" } as ResourceAllocator.Options)
      assert.strictEqual(decoded.config.strategy, "adaptive", "ignored by default, as the layer does")
      const [name] = yield* field({ strategi: "custom" }, true)
      assert.strictEqual(name, "strategi")
    }))
})
