// Phase 5 of a run: the measured drain. From the resume until the consumer group has committed every
// input (and internal repartition) partition to its end: records/s, the system's and the broker's CPU
// per million records, the commits it took, and what it wrote (the event mix, or output records per input).
import type { RunningChild } from '../child-runner.js'
import { countRecords, totalEndOffset } from '../kafka-bench.js'
import { cpuSeconds } from '../proc-stats.js'
import type { RunResult } from '../report.js'
import type { RunContext } from '../run-context.js'
import { outputTopicOf } from '../systems.js'
import type { ResumedSystem } from './warm-up.js'
import { waitInputsDrained } from './warm-up.js'

export interface CommitCount {
  readonly count: number
  readonly seconds: number
}

/**
 * The system's commits so far, if it reports them: our engine on SIGUSR2 (and its memory), Kafka Streams
 * every second (its average commit latency is a recent-window average, so `seconds` is approximate).
 */
export async function commitCount(
  ctx: RunContext,
  child: RunningChild,
): Promise<{ commits: CommitCount; memory?: RunResult['memory'] } | undefined> {
  if (ctx.spec.kind === 'service' || ctx.spec.kind === 'engine') {
    const asked = Date.now()
    child.process.kill('SIGUSR2')
    const metrics = await child
      .waitFor((e) => e.event === 'metrics' && e.at >= asked, 10_000, 'metrics')
      .catch(() => undefined)
    if (metrics?.event !== 'metrics') return undefined
    const mb = (name: string) => (metrics.values[name] ?? 0) / 2 ** 20
    return {
      commits: {
        count: metrics.values['streams_commit_latency_seconds_count'] ?? 0,
        seconds: metrics.values['streams_commit_latency_seconds_sum'] ?? 0,
      },
      memory: {
        rssMb: mb('process_resident_memory_bytes'),
        heapTotalMb: mb('nodejs_heap_size_total_bytes'),
        heapUsedMb: mb('nodejs_heap_size_used_bytes'),
        externalMb: mb('nodejs_external_memory_bytes'),
      },
    }
  }
  if (ctx.spec.kind === 'kstreams') {
    const asked = Date.now()
    const metrics = await child
      .waitFor((e) => e.event === 'metrics' && e.at >= asked, 5_000, 'metrics')
      .catch(() => undefined)
    if (metrics?.event !== 'metrics') return undefined
    const count = metrics.values['commit-total'] ?? 0
    return { commits: { count, seconds: (count * (metrics.values['commit-latency-avg-ms'] ?? 0)) / 1000 } }
  }
  return undefined
}

export type DrainResult = Pick<
  RunResult,
  | 'records'
  | 'throughput'
  | 'drainSeconds'
  | 'appCpuPerMillion'
  | 'brokerCpuPerMillion'
  | 'outputPerInput'
  | 'outputTypes'
  | 'commits'
  | 'memory'
>

/** 5. Waits for the drain of the backlog and takes its figures; `before` is the commit count after the warm-up. */
export async function drainBacklog(
  ctx: RunContext,
  child: RunningChild,
  resumed: ResumedSystem,
  before: CommitCount | undefined,
): Promise<DrainResult> {
  const records = ctx.plan.backlog.length
  let lastReport = Date.now()
  const drainedAt = await waitInputsDrained(ctx, child, resumed.inputs, (committed, total) => {
    if (Date.now() - lastReport < 5000) return
    lastReport = Date.now()
    ctx.say(`${ctx.tag}   draining: ${Math.round((100 * committed) / total)}% of the inputs committed`)
  })
  const pid = child.measuredPid()
  const appCpu1 = pid === undefined ? undefined : cpuSeconds(pid)
  const brokerCpu1 = ctx.brokerPid === undefined ? undefined : cpuSeconds(ctx.brokerPid)
  const drainSeconds = Math.max(0.001, (drainedAt - resumed.resumedAt) / 1000)
  const throughput = records / drainSeconds
  const millions = records / 1e6
  const perMillion = (from: number | undefined, to: number | undefined) =>
    from === undefined || to === undefined ? undefined : (to - from) / millions

  const after = await commitCount(ctx, child)
  const commits =
    after === undefined
      ? undefined
      : {
          count: after.commits.count - (before?.count ?? 0),
          seconds: after.commits.seconds - (before?.seconds ?? 0),
          shareOfDrain: (after.commits.seconds - (before?.seconds ?? 0)) / drainSeconds,
        }
  const outputs = await outputCounts(ctx)
  const result: DrainResult = {
    records,
    throughput,
    drainSeconds,
    ...optional('appCpuPerMillion', perMillion(resumed.appCpu0, appCpu1)),
    ...optional('brokerCpuPerMillion', perMillion(resumed.brokerCpu0, brokerCpu1)),
    outputPerInput: outputs.perInput,
    ...(outputs.types ? { outputTypes: outputs.types } : {}),
    ...(commits ? { commits } : {}),
    ...(after?.memory ? { memory: after.memory } : {}),
  }
  report(ctx, result)
  return result
}

function optional<K extends string>(key: K, value: number | undefined): Partial<Record<K, number>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, number>)
}

/**
 * What the system wrote for the warm-up and the backlog, read back read_committed: the event mix of a
 * stateful reservation system (the same counts show the same work), else the output records per input.
 */
async function outputCounts(
  ctx: RunContext,
): Promise<{ perInput: number; types?: Readonly<Record<string, number>> }> {
  const inputs = ctx.plan.warmup.length + ctx.plan.backlog.length
  const topic = outputTopicOf(ctx.spec, ctx.scenario.workload, ctx.topics)
  if (ctx.scenario.workload === 'reservation' && ctx.stateful) {
    const types = await countRecords(ctx.client, ctx.admin, topic, jsonType)
    return { perInput: Object.values(types).reduce((a, b) => a + b, 0) / inputs, types }
  }
  if (ctx.scenario.guarantee === 'exactly_once') {
    const counted = await countRecords(ctx.client, ctx.admin, topic, () => 'records')
    return { perInput: (counted['records'] ?? 0) / inputs }
  }
  return { perInput: (await totalEndOffset(ctx.admin, topic)) / inputs } // no transaction markers
}

const typePattern = /"type":"([A-Za-z]+)"/

function jsonType(value: Buffer | null): string {
  return value ? (typePattern.exec(value.toString('utf8'))?.[1] ?? '?') : '?'
}

function report(ctx: RunContext, drain: DrainResult): void {
  const { tag, say } = ctx
  say(
    `${tag}   drained in ${drain.drainSeconds!.toFixed(1)} s: ${Math.round(drain.throughput!)} records/s (${drain.outputPerInput!.toFixed(2)} output records per input)`,
  )
  if (drain.memory)
    say(
      `${tag}   memory after the drain: RSS ${Math.round(drain.memory.rssMb)} MB = V8 heap ${Math.round(drain.memory.heapTotalMb)} MB (${Math.round(drain.memory.heapUsedMb)} used) + external ${Math.round(drain.memory.externalMb)} MB + native rest`,
    )
  if (drain.commits)
    say(
      `${tag}   ${drain.commits.count} commits took ${drain.commits.seconds.toFixed(1)} s (${Math.round(100 * drain.commits.shareOfDrain)}% of the drain)`,
    )
  if (drain.outputTypes) {
    const mix = Object.entries(drain.outputTypes).sort(([a], [b]) => a.localeCompare(b))
    say(`${tag}   events: ${mix.map(([type, count]) => `${type} ${count}`).join(', ')}`)
  }
}
