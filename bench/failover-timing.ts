// The failover benchmark's figures from timestamps (pure, unit-tested): for each live input its send time,
// its input partition and when its answer was read; the moment an instance was killed. From them:
//   - failover seconds: from the kill until every input partition has answered an input sent after the
//     kill (the last partition to be processed again decides);
//   - latency (p50 / p99 / max) of the inputs sent in the failover window (from `inFlightMs` before the
//     kill — inputs in flight when it happened — to `windowMs` after it), and of those sent before that
//     window, for reference;
//   - a timeline of what the surviving (or restarted) instances reported after the kill: when the first
//     one left RUNNING (the group noticed the loss), when the last one was RUNNING again, when restores
//     started and ended, and how many changelog records they restored.
import { summarizeLatencies, type LatencySummary } from './stats.js'

/** One live input: sent at `sentAt` to input partition `partition`; `answeredAt` NaN while unanswered. */
export interface ProbeSample {
  readonly sentAt: number
  readonly partition: number
  readonly answeredAt: number
}

export interface FailoverLatency {
  /** Seconds from the kill until the last input partition answered its first input sent after the kill. */
  readonly failoverSeconds: number | undefined
  /** Per input partition: seconds from the kill to its first answer to an input sent after the kill. */
  readonly perPartitionSeconds: readonly (number | undefined)[]
  /** Inputs sent before the failover window (reference). */
  readonly before: LatencySummary
  /** Inputs sent in [kill − inFlightMs, kill + windowMs]. */
  readonly during: LatencySummary
  /** Inputs sent in the window and never answered. */
  readonly unansweredDuring: number
}

export function failoverLatency(
  samples: Iterable<ProbeSample>,
  killAt: number,
  partitions: number,
  windowMs: number,
  inFlightMs = 2000,
): FailoverLatency {
  const first: (number | undefined)[] = Array.from({ length: partitions }, () => undefined)
  const before: number[] = []
  const during: number[] = []
  let unansweredDuring = 0
  for (const sample of samples) {
    const answered = Number.isFinite(sample.answeredAt)
    if (sample.sentAt < killAt - inFlightMs) {
      if (answered) before.push(sample.answeredAt - sample.sentAt)
      continue
    }
    if (answered && sample.sentAt >= killAt) {
      const seen = first[sample.partition]
      if (seen === undefined || sample.answeredAt < seen) first[sample.partition] = sample.answeredAt
    }
    if (sample.sentAt > killAt + windowMs) continue
    if (answered) during.push(sample.answeredAt - sample.sentAt)
    else unansweredDuring += 1
  }
  const perPartitionSeconds = first.map((at) => (at === undefined ? undefined : (at - killAt) / 1000))
  const recovered = perPartitionSeconds.filter((s) => s !== undefined)
  const failoverSeconds = recovered.length === partitions ? Math.max(...recovered) : undefined
  return {
    failoverSeconds,
    perPartitionSeconds,
    before: summarizeLatencies(before),
    during: summarizeLatencies(during),
    unansweredDuring,
  }
}

/** What an instance reported (child-protocol.ts events), with the instance's name. */
export type InstanceEvent =
  | { readonly instance: string; readonly event: 'state'; readonly state: string; readonly at: number }
  | {
      readonly instance: string
      readonly event: 'restored'
      readonly store: string
      readonly partition: string
      readonly records: number
      readonly startAt: number
      readonly endAt: number
    }

export interface FailoverTimeline {
  /**
   * Kill → the first surviving instance leaving RUNNING (the group noticed: ~ the session timeout after a
   * kill -9); undefined when none did (a static member restarted in time: no rebalance).
   */
  readonly detectedSeconds: number | undefined
  /** Kill → the last surviving instance RUNNING again after that. */
  readonly runningSeconds: number | undefined
  /** Kill → the first restore started / the last restore ended (changelog records after the kill). */
  readonly restoreStartSeconds: number | undefined
  readonly restoreEndSeconds: number | undefined
  /** Changelog records restored after the kill (each store partition counted once, at its largest report). */
  readonly restoredRecords: number
}

/**
 * `events`: what the instances running after the kill reported — the survivors' and a restarted
 * instance's (named in `restarted`, whose states are not the group's reaction, but whose restores count).
 */
export function failoverTimeline(
  events: readonly InstanceEvent[],
  killAt: number,
  restarted: ReadonlySet<string> = new Set(),
): FailoverTimeline {
  const seconds = (at: number | undefined) => (at === undefined ? undefined : (at - killAt) / 1000)
  const after = events.filter((e) => (e.event === 'state' ? e.at : e.endAt) >= killAt)
  const states = after.filter((e) => e.event === 'state' && !restarted.has(e.instance))
  const left = states.filter((e) => e.event === 'state' && e.state !== 'RUNNING')
  const detected =
    left.length > 0 ? Math.min(...left.map((e) => (e.event === 'state' ? e.at : 0))) : undefined
  // the last RUNNING of each instance that reported a state after the kill
  const lastRunning = new Map<string, number>()
  const lastState = new Map<string, string>()
  for (const e of states) {
    if (e.event !== 'state') continue
    lastState.set(e.instance, e.state)
    if (e.state === 'RUNNING') lastRunning.set(e.instance, Math.max(lastRunning.get(e.instance) ?? 0, e.at))
  }
  const allRunning =
    detected !== undefined && [...lastState.values()].every((s) => s === 'RUNNING')
      ? Math.max(...lastRunning.values())
      : undefined
  const restores = new Map<string, { records: number; startAt: number; endAt: number }>()
  for (const e of after) {
    if (e.event !== 'restored' || e.records === 0) continue
    const key = `${e.instance}/${e.store}/${e.partition}`
    const seen = restores.get(key)
    if (!seen || e.records > seen.records)
      restores.set(key, { records: e.records, startAt: e.startAt, endAt: e.endAt })
  }
  const list = [...restores.values()]
  return {
    detectedSeconds: seconds(detected),
    runningSeconds: seconds(allRunning),
    restoreStartSeconds: seconds(list.length > 0 ? Math.min(...list.map((r) => r.startAt)) : undefined),
    restoreEndSeconds: seconds(list.length > 0 ? Math.max(...list.map((r) => r.endAt)) : undefined),
    restoredRecords: list.reduce((sum, r) => sum + r.records, 0),
  }
}
