// Phases 3–4 of a run: the system is started for the drain and first drains a warm-up backlog (so that the
// JVM's and V8's JIT compilers have compiled the hot paths, as in a service that has been up for a
// while); then it is stopped (SIGSTOP) while the measured backlog is produced, and resumed (SIGCONT): the
// drain measured from there starts warm, with every input already on the broker.
import type { RunningChild } from '../child-runner.js'
import { recordsFromReader, waitDrained } from '../kafka-bench.js'
import { cpuSeconds } from '../proc-stats.js'
import { startSystem, type RunContext, type StartedSystem } from '../run-context.js'
import { internalTopicsOf } from '../systems.js'
import { inputEndOffsets, produceRecords } from './load-inputs.js'

/** Waits until the consumer group has committed every input and internal partition to its end. */
export async function waitInputsDrained(
  ctx: RunContext,
  child: RunningChild,
  inputs: ReadonlyMap<string, ReadonlyMap<number, number>>,
  progress?: (committed: number, total: number) => void,
): Promise<number> {
  const reader = recordsFromReader(ctx.client)
  // a stall (stallMs) ends a run that hangs; the whole drain may take its time, at least 2 ms a record: a
  // long backlog on a slow day took more than 300 s (300,000 records at ~1,000 records/s)
  let records = 0
  for (const partitions of inputs.values()) for (const end of partitions.values()) records += end
  try {
    return await waitDrained({
      admin: ctx.admin,
      groupId: ctx.applicationId,
      inputs,
      internal: internalTopicsOf(ctx.spec, ctx.scenario.workload, ctx.applicationId),
      markerSlack: ctx.scenario.guarantee === 'exactly_once' ? 1 : 0,
      recordsFrom: reader.recordsFrom,
      timeoutMs: Math.max(ctx.quick ? 300_000 : 900_000, records * 2),
      stallMs: 60_000,
      check: () => child.check(),
      ...(progress ? { progress } : {}),
    })
  } finally {
    await reader.close()
  }
}

export interface WarmSystem extends StartedSystem {
  /** From RUNNING until the warm-up backlog was committed. */
  readonly warmupSeconds: number
}

/** 3. Starts the system and lets it drain the warm-up backlog. */
export async function startWarm(ctx: RunContext): Promise<WarmSystem> {
  const warmup = ctx.plan.warmup.length
  if (warmup > 0) await produceRecords(ctx, ctx.plan.warmup, ctx.times.warmup)
  const started = await startSystem(ctx, 'drain', 180_000)
  if (warmup === 0) return { ...started, warmupSeconds: 0 }
  const drainedAt = await waitInputsDrained(ctx, started.child, await inputEndOffsets(ctx))
  const warmupSeconds = (drainedAt - started.runningAt) / 1000
  ctx.say(
    `${ctx.tag}   warm-up: ${warmup.toLocaleString('en-US')} records in ${warmupSeconds.toFixed(1)} s (${Math.round(warmup / Math.max(0.001, warmupSeconds))} records/s, not counted)`,
  )
  return { ...started, warmupSeconds }
}

export interface ResumedSystem {
  /** When the system was resumed with the backlog on the broker: the start of the measured drain. */
  readonly resumedAt: number
  readonly pausedSeconds: number
  /** End offsets of the inputs with the backlog. */
  readonly inputs: ReadonlyMap<string, ReadonlyMap<number, number>>
  /** CPU seconds of the system and of the broker at the resume. */
  readonly appCpu0: number | undefined
  readonly brokerCpu0: number | undefined
}

/**
 * Longer pauses risk the consumer group's session timeout (10 s, both engines): the member would be
 * removed and the drain would include a rebalance. Said in the progress lines; the run goes on.
 */
const pauseWarningSeconds = 7

/** 4. Produces the measured backlog while the system is stopped, then resumes it. */
export async function preloadWhilePaused(ctx: RunContext, child: RunningChild): Promise<ResumedSystem> {
  const pid = child.measuredPid()
  const records = ctx.plan.backlog.length
  const pausedAt = Date.now()
  child.pause()
  try {
    await produceRecords(ctx, ctx.plan.backlog, ctx.times.backlog)
  } catch (error) {
    child.resume()
    throw error
  }
  const inputs = await inputEndOffsets(ctx)
  const appCpu0 = pid === undefined ? undefined : cpuSeconds(pid)
  const brokerCpu0 = ctx.brokerPid === undefined ? undefined : cpuSeconds(ctx.brokerPid)
  const resumedAt = Date.now()
  child.resume()
  const pausedSeconds = (resumedAt - pausedAt) / 1000
  ctx.say(
    `${ctx.tag}   ${records.toLocaleString('en-US')} records preloaded while paused (${pausedSeconds.toFixed(1)} s)${pausedSeconds > pauseWarningSeconds ? ' — WARNING: close to the 10 s session timeout, the drain may include a rebalance' : ''}`,
  )
  return { resumedAt, pausedSeconds, inputs, appCpu0, brokerCpu0 }
}
