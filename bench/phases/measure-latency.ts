// Phase 6 of a run: end-to-end latency of live records at fixed offered rates — half the system's drain
// rate (capped; full mode), then the rate common to every system, so that p99s also compare at equal load.
import type { RunningChild } from '../child-runner.js'
import { measureLatency, type LatencyResult } from '../latency.js'
import type { RunContext } from '../run-context.js'
import { outputTopicOf } from '../systems.js'
import { toProbeRecord, type ProbePhase } from '../workload-plan.js'
import { commitCount, type CommitCount } from './drain-backlog.js'

async function probe(
  ctx: RunContext,
  child: RunningChild,
  phase: ProbePhase,
  rate: number,
): Promise<LatencyResult> {
  const { settings, plan, topics, tag, say } = ctx
  say(`${tag}   latency at ${rate} records/s (${phase}) for ${settings.latencySeconds} s`)
  const live = plan.live(phase, ctx.n, ctx.rep, rate, rate * (settings.latencySeconds + 5))
  const records = {
    next: () => {
      const next = live.next()
      return next.done ? next : { done: false as const, value: toProbeRecord(next.value, topics) }
    },
  }
  const before = await commitCount(ctx, child)
  const result = await measureLatency({
    client: ctx.client,
    outputTopic: outputTopicOf(ctx.spec, ctx.scenario.workload, topics),
    records,
    tracker: plan.tracker(ctx.spec),
    rate,
    durationMs: settings.latencySeconds * 1000,
    warmupMs: settings.latencyWarmupMs,
    settleMs: 20_000,
    check: () => child.check(),
    groupId: `${ctx.applicationId}-latency-${phase}`,
  })
  const commits = commitsDuring(ctx, before?.commits, (await commitCount(ctx, child))?.commits)
  say(
    `${tag}   p50 ${result.p50Ms ?? '–'} ms, p99 ${result.p99Ms ?? '–'} ms (${result.samples} samples, ${result.unanswered} of ${result.sent} unanswered)${commits}`,
  )
  return result
}

/**
 * The commits while the probe ran, as a note for the progress line: our engine's count and mean duration
 * from its commit histogram; Kafka Streams' count and its own recent average (`commit-latency-avg-ms`, a
 * window of its recent samples: up to a minute, Kafka metrics' defaults, so partly the drain's).
 */
function commitsDuring(ctx: RunContext, before?: CommitCount, after?: CommitCount): string {
  if (!before || !after || after.count <= before.count) return ''
  const count = after.count - before.count
  const meanMs =
    ctx.spec.kind === 'kstreams'
      ? (1000 * after.seconds) / after.count
      : (1000 * (after.seconds - before.seconds)) / count
  return `; ${count} commits meanwhile, ${meanMs.toFixed(1)} ms each on average`
}

export interface Latencies {
  /** At half the drain rate (capped), when `settings.halfRateProbe`. */
  readonly latency?: LatencyResult
  readonly latencyCommon: LatencyResult
}

/** 6. The latency probes, on the running system. */
export async function measureLatencies(
  ctx: RunContext,
  child: RunningChild,
  throughput: number,
): Promise<Latencies> {
  const { settings } = ctx
  const halfRate = Math.max(50, Math.min(settings.maxOfferedRate, Math.round(throughput / 2)))
  const latency = settings.halfRateProbe ? await probe(ctx, child, 'half', halfRate) : undefined
  const latencyCommon = await probe(ctx, child, 'common', settings.commonRate)
  return { ...(latency ? { latency } : {}), latencyCommon }
}
