// One run of the failover benchmark (run-failover.ts): a count per key on 6 partitions, state preloaded to
// N keys, three instances of one system, a constant live load, one instance SIGKILLed (and, with static
// membership, restarted at once with the same id and state directory):
//   1. fresh topics `f<n>-source` and `f<n>-sink`; N records, one per key, produced to the source;
//   2. three instances started; they drain the preload (the state: N keys over 6 tasks, changelogged);
//   3. the live load starts (failover-probe.ts); `steadySeconds` later instance 1 is killed (kill -9);
//   4. the load goes on until every input partition has answered an input sent after the kill and the
//      failover window has passed (bounded); then the last answers are awaited (bounded);
//   5. figures (failover-timing.ts); every instance stopped, state directories and topics deleted.
import { rm } from 'node:fs/promises'
import path from 'node:path'
import type { KafkaAdmin, KafkaClient, OutgoingRecord } from '../../kafka/index.js'
import type { RunningChild } from '../child-runner.js'
import type { FailoverOptions, FailoverSystem, FailoverVariantSpec } from '../failover-options.js'
import { FailoverProbe, failoverKey } from '../failover-probe.js'
import {
  failoverLatency,
  failoverTimeline,
  type FailoverLatency,
  type FailoverTimeline,
  type InstanceEvent,
} from '../failover-timing.js'
import {
  deleteTopicsWithPrefixes,
  endOffsetsByPartition,
  produceAll,
  runTopics,
  waitDrained,
} from '../kafka-bench.js'
import { launch, systems, type LaunchSettings } from '../systems.js'

export interface FailoverRunContext {
  readonly n: number
  readonly tag: string
  readonly say: (line: string) => void
  readonly client: KafkaClient
  readonly admin: KafkaAdmin
  readonly brokers: string
  readonly workDir: string
  readonly options: FailoverOptions
  readonly system: FailoverSystem
  readonly variant: FailoverVariantSpec
  readonly rep: number
}

export interface FailoverRunResult extends Partial<FailoverLatency>, Partial<FailoverTimeline> {
  readonly system: FailoverSystem
  readonly variant: string
  readonly rep: number
  readonly ok: boolean
  readonly reason?: string
  readonly keys: number
  readonly drainSeconds?: number
  /** The restarted instance (static membership): kill → its RUNNING. */
  readonly restartRunningSeconds?: number
  readonly sent?: number
  readonly revision?: string
}

const specOf = (system: FailoverSystem) => systems[system === 'engine' ? 'engine-confluent' : 'kstreams']

/** Produces one record per key, each to the partition its key belongs to (index mod partitions). */
async function preload(ctx: FailoverRunContext, topic: string): Promise<void> {
  const { keys, partitions } = ctx.options
  const producer = ctx.client.producer({ idempotent: true, lingerMs: 5 })
  await producer.connect()
  const timestamp = Date.now() - 60_000
  const value = Buffer.from('#p;')
  let lastSaid = Date.now()
  try {
    for (let from = 0; from < keys; from += 50_000) {
      const chunk: OutgoingRecord[] = []
      for (let i = from; i < Math.min(keys, from + 50_000); i++)
        chunk.push({ topic, key: Buffer.from(failoverKey(i)), value, partition: i % partitions, timestamp })
      await produceAll(producer, chunk)
      if (Date.now() - lastSaid > 10_000) {
        lastSaid = Date.now()
        ctx.say(`${ctx.tag}   preloading: ${from + chunk.length} of ${keys} keys`)
      }
    }
  } finally {
    await producer.disconnect()
  }
}

export async function measureFailover(ctx: FailoverRunContext): Promise<FailoverRunResult> {
  const { options, variant, tag, say } = ctx
  const topics = runTopics(`f${ctx.n}`)
  const applicationId = `failover${ctx.n}-${ctx.system}`
  const children: RunningChild[] = []
  let probe: FailoverProbe | undefined
  const base = { system: ctx.system, variant: variant.id, rep: ctx.rep, keys: options.keys }
  const settings = (k: number, phase: string): LaunchSettings => ({
    brokers: ctx.brokers,
    applicationId,
    stateDir: path.join(ctx.workDir, `state-${ctx.n}-${k}`),
    topics,
    guarantee: 'exactly_once',
    commitIntervalMs: options.commitIntervalMs,
    partitions: options.partitions,
    holdTimeoutMs: 3_600_000,
    punctuationIntervalMs: 10_000,
    strayGraceMs: 600_000,
    javaHeapMb: options.javaHeapMb,
    logFile: path.join(ctx.workDir, 'logs', `${ctx.n}-${ctx.system}-${variant.id}-i${k}-${phase}.log`),
    workload: 'count',
    pipeInputs: [],
    joinWindowMs: 100,
    windowSizeMs: 1000,
    windowAdvanceMs: 500,
    graceMs: 300_000,
    extraEnv: {
      INSTANCE_ID: `${applicationId}-i${k}`,
      NUM_STANDBY_REPLICAS: String(variant.standbys),
      GROUP_INSTANCE_ID: variant.restart ? `${applicationId}-m${k}` : '',
      CACHE_MAX_BYTES: String(options.engineCacheBytes),
    },
  })
  const start = (k: number, phase: string): RunningChild => {
    const child = launch(
      specOf(ctx.system),
      settings(k, phase),
      `instance ${k}${phase === 'run' ? '' : ` (${phase})`}`,
    )
    children.push(child)
    return child
  }
  const running = (child: RunningChild, timeoutMs: number) =>
    child.waitFor((e) => e.event === 'state' && e.state === 'RUNNING', timeoutMs, 'RUNNING state')
  try {
    await ctx.admin.createTopics(
      [topics.source, topics.sink].map((topic) => ({ topic, partitions: options.partitions })),
    )
    const preloadStarted = Date.now()
    await preload(ctx, topics.source)
    say(
      `${tag}   ${options.keys.toLocaleString('en-US')} keys preloaded in ${((Date.now() - preloadStarted) / 1000).toFixed(1)} s`,
    )

    // 2. three instances drain the preload
    const instances = Array.from({ length: options.instances }, (_, k) => start(k + 1, 'run'))
    const startedAt = Date.now()
    for (const child of instances) await running(child, 180_000)
    let lastSaid = Date.now()
    const drainedAt = await waitDrained({
      admin: ctx.admin,
      groupId: applicationId,
      inputs: new Map([[topics.source, await endOffsetsByPartition(ctx.admin, topics.source)]]),
      internal: [],
      markerSlack: 0,
      timeoutMs: options.quick ? 600_000 : 1_800_000,
      stallMs: 90_000,
      check: () => instances.forEach((child) => child.check()),
      progress: (committed, total) => {
        if (Date.now() - lastSaid < 10_000) return
        lastSaid = Date.now()
        say(`${tag}   state building: ${Math.round((100 * committed) / total)}% of the preload processed`)
      },
    })
    const drainSeconds = (drainedAt - startedAt) / 1000
    say(`${tag}   preload processed by ${options.instances} instances in ${drainSeconds.toFixed(1)} s`)

    // 3. live load; the kill
    probe = new FailoverProbe({
      client: ctx.client,
      source: topics.source,
      sink: topics.sink,
      keys: options.keys,
      partitions: options.partitions,
      rate: options.rate,
      seed: 1000 + ctx.n,
      groupId: `${applicationId}-probe`,
    })
    await probe.start()
    const live = probe
    say(`${tag}   live load at ${options.rate}/s; kill in ${options.steadySeconds} s`)
    await wait(options.steadySeconds * 1000, () => {
      live.check()
      instances.forEach((child) => child.check())
    })
    const victim = instances[0]!
    const killAt = Date.now()
    victim.kill()
    let restarted: RunningChild | undefined
    if (variant.restart) restarted = start(1, 'restart')
    say(
      `${tag}   instance 1 killed (kill -9)${restarted ? ' and restarted with the same group.instance.id' : ''}`,
    )
    const others = [...instances.slice(1), ...(restarted ? [restarted] : [])]

    // 4. until every partition is processed again and the window has passed (bounded)
    const windowMs = options.windowSeconds * 1000
    const deadline = killAt + options.recoveryTimeoutSeconds * 1000
    lastSaid = Date.now()
    for (;;) {
      live.check()
      others.forEach((child) => child.check())
      const now = Date.now()
      const figures = failoverLatency(live.samples(), killAt, options.partitions, windowMs)
      if (figures.failoverSeconds !== undefined && now >= killAt + windowMs) break
      if (now > deadline) {
        const done = figures.perPartitionSeconds.filter((s) => s !== undefined).length
        throw new Error(
          `${done} of ${options.partitions} partitions processed again ${options.recoveryTimeoutSeconds} s after the kill`,
        )
      }
      if (now - lastSaid > 5000) {
        lastSaid = now
        const done = figures.perPartitionSeconds.filter((s) => s !== undefined).length
        say(
          `${tag}   ${Math.round((now - killAt) / 1000)} s after the kill: ${done}/${options.partitions} partitions processed again`,
        )
      }
      await new Promise((resolve) => setTimeout(resolve, 500))
    }
    await live.stopSending()
    // the last answers: until all are in, or none came for 5 s (bounded by 30 s)
    const settleUntil = Date.now() + 30_000
    let unanswered = live.unanswered
    let lastMove = Date.now()
    while (unanswered > 0 && Date.now() < settleUntil && Date.now() - lastMove < 5000) {
      await new Promise((resolve) => setTimeout(resolve, 200))
      if (live.unanswered < unanswered) lastMove = Date.now()
      unanswered = live.unanswered
    }

    // 5. figures
    const latency = failoverLatency(live.samples(), killAt, options.partitions, windowMs)
    const events: InstanceEvent[] = others.flatMap((child) =>
      child.events.flatMap((e): InstanceEvent[] => {
        if (e.event === 'state') return [{ instance: child.name, event: 'state', state: e.state, at: e.at }]
        if (e.event === 'restored') return [{ instance: child.name, ...e }]
        return []
      }),
    )
    const timeline = failoverTimeline(events, killAt, new Set(restarted ? [restarted.name] : []))
    const restartRunning = restarted?.events.find((e) => e.event === 'state' && e.state === 'RUNNING')
    const result: FailoverRunResult = {
      ...base,
      ok: true,
      drainSeconds,
      ...latency,
      ...timeline,
      ...(restartRunning?.event === 'state'
        ? { restartRunningSeconds: (restartRunning.at - killAt) / 1000 }
        : {}),
      sent: live.sent,
    }
    report(ctx, result)
    return result
  } catch (error) {
    const warning = children.map((c) => c.lastWarning()).find(Boolean)
    const reason = `${error instanceof Error ? error.message.split('\n')[0]! : String(error)}${warning ? `; last warning: ${warning.slice(0, 200)}` : ''}`
    say(`${tag}   FAILED: ${reason}`)
    return { ...base, ok: false, reason }
  } finally {
    await probe?.close()
    await Promise.all(children.map((child) => child.stop(20_000).catch(() => child.kill())))
    for (let k = 1; k <= options.instances; k++)
      await rm(path.join(ctx.workDir, `state-${ctx.n}-${k}`), { recursive: true, force: true }).catch(
        () => undefined,
      )
    await deleteTopicsWithPrefixes(ctx.admin, [`f${ctx.n}-`, `${applicationId}-`]).catch((e: unknown) =>
      say(`${tag}   topic cleanup failed: ${String(e)}`),
    )
  }
}

/** Waits `ms`, calling `check` every half second (it throws to abort). */
async function wait(ms: number, check: () => void): Promise<void> {
  const until = Date.now() + ms
  while (Date.now() < until) {
    check()
    await new Promise((resolve) => setTimeout(resolve, Math.min(500, Math.max(0, until - Date.now()))))
  }
}

const s = (value: number | undefined) => (value === undefined ? '–' : value.toFixed(1))

function report(ctx: FailoverRunContext, r: FailoverRunResult): void {
  ctx.say(
    `${ctx.tag}   every partition processed again ${s(r.failoverSeconds)} s after the kill (per partition: ${(r.perPartitionSeconds ?? []).map(s).join(', ')})`,
  )
  ctx.say(
    `${ctx.tag}   timeline: group noticed ${s(r.detectedSeconds)} s, all RUNNING ${s(r.runningSeconds)} s, restore ${r.restoreStartSeconds === undefined ? 'none' : `${s(r.restoreStartSeconds)}–${s(r.restoreEndSeconds)} s`} (${(r.restoredRecords ?? 0).toLocaleString('en-US')} records)${r.restartRunningSeconds !== undefined ? `, restarted instance RUNNING ${s(r.restartRunningSeconds)} s` : ''}`,
  )
  ctx.say(
    `${ctx.tag}   latency before the kill p50 ${r.before?.p50Ms ?? '–'} / p99 ${r.before?.p99Ms ?? '–'} ms; from 2 s before it to ${ctx.options.windowSeconds} s after it p50 ${r.during?.p50Ms ?? '–'} / p99 ${r.during?.p99Ms ?? '–'} / max ${r.during?.maxMs ?? '–'} ms (${r.during?.samples ?? 0} answered, ${r.unansweredDuring ?? 0} unanswered)`,
  )
}
