// What the Node children that run our engine (the reservation service, the engine workloads) report to
// the harness: state changes, what was restored before RUNNING, and on SIGUSR2 the engine's commit counts
// and the process's memory (from its Prometheus registry).
import type { Registry } from 'prom-client'
import { emit } from './child-protocol.js'

export interface RestoreCount {
  readonly store: string
  readonly taskId: string
  readonly records: number
  /** When the engine began reading the store's changelog and when the store reached its end (epoch ms). */
  readonly startedAt: number
  readonly endedAt: number
}

/**
 * Returns the listener for the engine's state changes: every change becomes a `state` event; on RUNNING,
 * the stores restored since the last RUNNING come first, each with the span the engine reports for it
 * (from when it began reading the changelog to the store's end, as Kafka Streams' `onRestoreStart` and
 * `onRestoreEnd`; `restores` lists every restore so far, each reported once), then the state. ERROR also
 * reports `errorMessage()`.
 */
export function stateReporter(
  restores: () => Promise<readonly RestoreCount[]>,
  errorMessage: () => string,
): (state: string, previous: string) => void {
  let reported = 0
  return (state, previous) => {
    const at = Date.now()
    if (state !== 'RUNNING') emit({ event: 'state', state, previous, at })
    else {
      void restores().then((counts) => {
        const fresh = counts.slice(reported)
        reported = counts.length
        for (const restore of fresh) {
          if (restore.records === 0) continue
          emit({
            event: 'restored',
            store: restore.store,
            partition: restore.taskId,
            records: restore.records,
            startAt: restore.startedAt,
            endAt: restore.endedAt,
          })
        }
        emit({ event: 'state', state, previous, at })
      })
    }
    if (state === 'ERROR') emit({ event: 'error', message: errorMessage() })
  }
}

const metricNames = [
  'nodejs_heap_size_total_bytes',
  'nodejs_heap_size_used_bytes',
  'nodejs_external_memory_bytes',
  'process_resident_memory_bytes',
  'streams_commit_latency_seconds',
  'streams_records_consumed_total',
  'streams_records_produced_total',
]

/** On SIGUSR2: the engine's commit count and time so far, and memory, as one `metrics` event. */
export function answerMetricsSignal(registry: Registry): void {
  process.on('SIGUSR2', () => {
    void registry.getMetricsAsJSON().then((metrics) => {
      const values: Record<string, number> = {}
      for (const metric of metrics) {
        if (!metricNames.includes(metric.name)) continue
        for (const value of metric.values as { metricName?: string; value: number }[]) {
          const name = value.metricName ?? metric.name
          if (name.endsWith('_bucket')) continue
          values[name] = (values[name] ?? 0) + value.value
        }
      }
      emit({ event: 'metrics', values, at: Date.now() })
    })
  })
}
