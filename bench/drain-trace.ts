// Experiments: where a Node child's main thread spends a drain. With BENCH_TRACE_MS=<ms> set, every <ms>
// the child writes one line `TRACE {json}` to stderr (kept with BENCH_KEEP_WORKDIR=1): the event loop's
// utilization over the interval (busy share of wall-clock time, perf_hooks), the records consumed,
// processed and produced and the commits in it, from the engine's metrics. A gap far longer than the
// interval is the harness's SIGSTOP. Off (no timer, metrics untouched) when the variable is unset.
import { performance } from 'node:perf_hooks'
import type { StreamsMetrics } from '../topology/index.js'

/** Wraps `metrics` so that it also counts for the trace, and starts the trace; `metrics` itself when off. */
export function traceDrain(metrics: StreamsMetrics): StreamsMetrics {
  const intervalMs = Number(process.env['BENCH_TRACE_MS'] ?? '0')
  if (!(intervalMs > 0)) return metrics
  const counts = { consumed: 0, processed: 0, produced: 0, commits: 0, commitMs: 0 }
  let last = performance.eventLoopUtilization()
  let lastAt = Date.now()
  setInterval(() => {
    const now = performance.eventLoopUtilization()
    const delta = performance.eventLoopUtilization(now, last)
    const at = Date.now()
    process.stderr.write(
      `TRACE ${JSON.stringify({ at, ms: at - lastAt, elu: Number(delta.utilization.toFixed(3)), ...counts })}\n`,
    )
    last = now
    lastAt = at
    counts.consumed = counts.processed = counts.produced = counts.commits = counts.commitMs = 0
  }, intervalMs).unref()
  const overrides: Partial<StreamsMetrics> = {
    recordsConsumed: (topic, partition, count) => {
      counts.consumed += count
      metrics.recordsConsumed(topic, partition, count)
    },
    recordsProduced: (topic, partition, count) => {
      counts.produced += count
      metrics.recordsProduced(topic, partition, count)
    },
    processed: (subtopology, seconds, count) => {
      counts.processed += count
      metrics.processed(subtopology, seconds, count)
    },
    committed: (seconds) => {
      counts.commits += 1
      counts.commitMs += Math.round(seconds * 1000)
      metrics.committed(seconds)
    },
  }
  return new Proxy(metrics, {
    get: (target, property) => {
      const own = (overrides as Record<string | symbol, unknown>)[property]
      if (own !== undefined) return own
      const value: unknown = Reflect.get(target, property)
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value
    },
  })
}
