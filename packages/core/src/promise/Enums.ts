/**
 * The spec's enums. TypeScript `enum`s are not erasable syntax (Node runs
 * Provident's sources by type stripping), so each is a `const` object with a
 * type of the same name, whose values are the core's literals:
 * `ResourcePriority.HIGH === "high"`, `AllocationStrategy.ADAPTIVE ===
 * "adaptive"`, `ComputationStrategy.FULL_COMPUTATION === "FULL_COMPUTATION"`.
 * Either form is accepted wherever the facade takes one; the `satisfies`
 * clauses make the compiler check that each object lists every core literal.
 *
 * @since 0.1.0
 */
import type * as AllocatorConfig from "../AllocatorConfig.ts"
import type * as CoreStrategy from "../ComputationStrategy.ts"
import type * as Priority from "../Priority.ts"

/** How important a piece of work is; the allocator admits `CRITICAL` first, `BACKGROUND` last. */
export const ResourcePriority = {
  CRITICAL: "critical",
  HIGH: "high",
  MEDIUM: "medium",
  LOW: "low",
  BACKGROUND: "background"
} as const satisfies { readonly [P in Priority.Priority as Uppercase<P>]: P }
export type ResourcePriority = (typeof ResourcePriority)[keyof typeof ResourcePriority]

/** How much of the device the allocator may use (see the README's allocator section). */
export const AllocationStrategy = {
  CONSERVATIVE: "conservative",
  BALANCED: "balanced",
  AGGRESSIVE: "aggressive",
  ADAPTIVE: "adaptive",
  CUSTOM: "custom"
} as const satisfies { readonly [S in AllocatorConfig.AllocationStrategy as Uppercase<S>]: S }
export type AllocationStrategy = (typeof AllocationStrategy)[keyof typeof AllocationStrategy]

/** How the adaptive computation may run a computation, in fallback-chain order. */
export const ComputationStrategy = {
  CACHED_COMPUTATION: "CACHED_COMPUTATION",
  FULL_COMPUTATION: "FULL_COMPUTATION",
  PROGRESSIVE_COMPUTATION: "PROGRESSIVE_COMPUTATION",
  PARTIAL_COMPUTATION: "PARTIAL_COMPUTATION",
  FALLBACK_COMPUTATION: "FALLBACK_COMPUTATION"
} as const satisfies { readonly [K in CoreStrategy.ComputationStrategy]: K }
export type ComputationStrategy = (typeof ComputationStrategy)[keyof typeof ComputationStrategy]
