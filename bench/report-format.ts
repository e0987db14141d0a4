// Number formatting shared by the benchmark report (report.ts) and its target checks (target-checks.ts).

/** A figure with thousands separators and `digits` decimals; '–' when there is none. */
export const fmt = (value: number | undefined, digits = 0): string =>
  value === undefined
    ? '–'
    : value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })

/** a / b, when both are known and b is positive. */
export const ratio = (a: number | undefined, b: number | undefined): number | undefined =>
  a !== undefined && b !== undefined && b > 0 ? a / b : undefined
