// Order statistics for the benchmark's figures: medians over repetitions, percentiles over latency samples.

/** The median of the finite numbers in `values` (mean of the middle two for an even count); undefined if none. */
export function median(values: readonly number[]): number | undefined {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b)
  if (sorted.length === 0) return undefined
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1]! + sorted[middle]!) / 2
}

/**
 * The p-th percentile (0 < p ≤ 100) of `sorted` (ascending), nearest-rank method: the smallest sample such
 * that at least p% of the samples are ≤ it. Undefined for no samples.
 */
export function percentile(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile ${p} is not in (0, 100]`)
  const rank = Math.ceil((p / 100) * sorted.length)
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]
}

/** Sorts a copy ascending (numbers, not strings). */
export function sortedCopy(values: Iterable<number>): number[] {
  return Array.from(values).sort((a, b) => a - b)
}

export interface LatencySummary {
  readonly samples: number
  readonly p50Ms: number | undefined
  readonly p99Ms: number | undefined
  readonly maxMs: number | undefined
}

export function summarizeLatencies(latenciesMs: Iterable<number>): LatencySummary {
  const sorted = sortedCopy(latenciesMs)
  return {
    samples: sorted.length,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted[sorted.length - 1],
  }
}
