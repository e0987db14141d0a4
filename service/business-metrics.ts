// The service's business metrics (the engine's own are in topology/runtime/prometheus-metrics.ts):
// outcomes by event type and rejection reason, counted as decisions are made, what retention removed, and
// the live holds and waitlist length, counted from local state when Prometheus scrapes.
import { Counter, Gauge, type Registry } from 'prom-client'
import { retainedKinds, type OutcomeMetrics } from '../processors/reservation-decider.js'
import { ScrapedCounter, type CounterCell } from '../topology/index.js'

export interface StateCounts {
  /** Entries of a store across the tasks of this instance. */
  count(store: 'holds' | 'waitlist'): Promise<number>
}

export function businessMetrics(registry: Registry, state: StateCounts): OutcomeMetrics {
  const events = new ScrapedCounter({
    name: 'reservation_events_total',
    help: 'Reservation events emitted, by type',
    labelNames: ['type'],
    registers: [registry],
  })
  const rejections = new ScrapedCounter({
    name: 'reservation_rejections_total',
    help: 'Commands rejected, by reason',
    labelNames: ['reason'],
    registers: [registry],
  })
  // not on the hot path (once per sweep): a plain counter, every kind exported from the start
  const removals = new Counter({
    name: 'reservation_retention_removed_total',
    help: 'What retention removed from state (RETENTION_MS, DEDUP_RETENTION_MS), by kind',
    labelNames: ['kind'],
    registers: [registry],
  })
  for (const kind of retainedKinds) removals.labels(kind).inc(0)
  new Gauge({
    name: 'reservation_live_holds',
    help: 'Reservations holding units without authorized payment (on this instance)',
    registers: [registry],
    async collect() {
      this.set(await state.count('holds'))
    },
  })
  new Gauge({
    name: 'reservation_waitlist_length',
    help: 'Waitlist entries (on this instance)',
    registers: [registry],
    async collect() {
      this.set(await state.count('waitlist'))
    },
  })
  const eventCells = new Map<string, CounterCell>()
  const rejectionCells = new Map<string, CounterCell>()
  return {
    event(type) {
      let cell = eventCells.get(type)
      if (!cell) eventCells.set(type, (cell = events.cell({ type })))
      cell.value += 1
    },
    rejected(reason) {
      let cell = rejectionCells.get(reason)
      if (!cell) rejectionCells.set(reason, (cell = rejections.cell({ reason })))
      cell.value += 1
    },
    removed(kind, count) {
      removals.labels(kind).inc(count)
    },
  }
}
