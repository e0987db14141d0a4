// A Prometheus counter for the hot path: increments are plain number additions on a cell per label set,
// and the totals reach prom-client only when the registry is scraped. prom-client's own `inc` hashes the
// label values on every call, which costs more than the store operation it counts.
import { Counter, type Registry } from 'prom-client'

export interface CounterCell {
  value: number
}

export class ScrapedCounter<L extends string> {
  private readonly cells = new Map<
    string,
    { readonly labels: Record<L, string>; readonly cell: CounterCell }
  >()

  constructor(config: {
    readonly name: string
    readonly help: string
    readonly labelNames: readonly L[]
    readonly registers: Registry[]
  }) {
    const cells = this.cells
    new Counter<L>({
      ...config,
      labelNames: [...config.labelNames],
      collect() {
        for (const { labels, cell } of cells.values()) {
          if (cell.value === 0) continue
          this.inc(labels as never, cell.value)
          cell.value = 0
        }
      },
    })
  }

  /** The cell of one label set: keep it and add to `value`. */
  cell(labels: Record<L, string>): CounterCell {
    const key = Object.values(labels).join('\u0000')
    let entry = this.cells.get(key)
    if (!entry) this.cells.set(key, (entry = { labels, cell: { value: 0 } }))
    return entry.cell
  }
}
