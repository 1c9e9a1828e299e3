/** Small statistics helpers shared by the series and cost models. */

// One-sided 95% quantiles of Student's t for 1..30 degrees of freedom.
const T95 = [
  6.314, 2.92, 2.353, 2.132, 2.015, 1.943, 1.895, 1.86, 1.833, 1.812,
  1.796, 1.782, 1.771, 1.761, 1.753, 1.746, 1.74, 1.734, 1.729, 1.725,
  1.721, 1.717, 1.714, 1.711, 1.708, 1.706, 1.703, 1.701, 1.699, 1.697
]
// Beyond 30, by 1/df (in which the quantile is nearly linear) down to the normal's 1.645.
const T95_TAIL: ReadonlyArray<readonly [df: number, t: number]> = [[30, 1.697], [40, 1.684], [60, 1.671], [120, 1.658], [Infinity, 1.645]]

/** The normal distribution's 95% quantile. */
export const Z95 = 1.6448536269514722

/**
 * The one-sided 95% quantile of Student's t with `df` degrees of freedom
 * (values below 1 count as 1), so `estimate ± t95(df) · sd` is a 90% interval
 * that is wider the fewer observations the spread was estimated from.
 */
export const t95 = (df: number): number => {
  if (!(df > 1)) return T95[0]!
  if (df <= 30) {
    const lo = Math.floor(df)
    const hi = Math.ceil(df)
    const f = df - lo
    return T95[lo - 1]! * (1 - f) + T95[hi - 1]! * f
  }
  for (let i = 1; i < T95_TAIL.length; i++) {
    const [d1, t1] = T95_TAIL[i]!
    if (df <= d1) {
      const [d0, t0] = T95_TAIL[i - 1]!
      const f = (1 / d0 - 1 / df) / (1 / d0 - 1 / d1)
      return t0 + (t1 - t0) * f
    }
  }
  return Z95
}

/** `x` limited to `[lo, hi]`. */
export const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x))
