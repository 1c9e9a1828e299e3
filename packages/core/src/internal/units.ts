/** Number schemas shared by the domain modules, each with the rule in its name. */
import { Schema } from "effect"

/** A finite number ≥ 0: byte counts, durations, rates. */
export const NonNegative = Schema.Finite.check(Schema.isGreaterThanOrEqualTo(0))
/** A byte count. */
export const Bytes = NonNegative
/** Milliseconds. */
export const Millis = NonNegative
/** A percentage in [0, 100]. */
export const Percent = Schema.Finite.check(Schema.isBetween({ minimum: 0, maximum: 100 }))
/** A fraction in [0, 1]. */
export const Fraction = Schema.Finite.check(Schema.isBetween({ minimum: 0, maximum: 1 }))
/** A finite number > 0. */
export const Positive = Schema.Finite.check(Schema.isGreaterThan(0))
/** An integer ≥ 1. */
export const PositiveInt = Schema.Int.check(Schema.isGreaterThanOrEqualTo(1))
/** A non-empty string. */
export const Name = Schema.String.check(Schema.isMinLength(1))
