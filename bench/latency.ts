// End-to-end latency at a fixed offered rate: the harness produces live records at `rate` per second (each
// stamped with its send time), and a read_committed consumer of the system's output tells, through a
// tracker, which inputs each output answers. Latency = time the output is read − time the input was sent.
//
// Trackers: by id — the outcome event's causationId, or the copied record's commandId/paymentId (the
// reservation workload), or the ids carried in the values (`#<id>;`, the engine workloads' pipe and
// joins); by key and timestamp — a count for key k stamped t answers every input of k sent at or before t
// (one partition keeps a key's inputs in order; a cached count may skip the intermediate values).
import type { ConsumedRecord, KafkaClient, OutgoingRecord } from '../kafka/index.js'
import { summarizeLatencies, type LatencySummary } from './stats.js'

const idPattern = /"(?:causationId|commandId|paymentId)":"([^"]*)"/

/** The id an output record answers (the first causationId, commandId or paymentId in its JSON). */
export function answeredId(value: Buffer | null): string | undefined {
  if (!value) return undefined
  return idPattern.exec(value.toString('utf8'))?.[1]
}

/** A live input, its topic resolved. */
export interface ProbeRecord {
  readonly topic: string
  readonly key: string
  readonly value: Buffer
  readonly id: string
  /** Timed: the record makes output by itself (a join's first record waits for its partner, untimed). */
  readonly answered: boolean
}

export interface LatencyTracker {
  sent(record: ProbeRecord, at: number): void
  /** The send times of the inputs `output` answers, each returned once. */
  answer(output: ConsumedRecord): number[]
  /** Timed inputs not answered yet. */
  readonly pending: number
}

/** Matches outputs to inputs by the ids `idsOf` reads from an output value. */
export function idTracker(idsOf: (value: Buffer | null) => readonly string[]): LatencyTracker {
  const sentAt = new Map<string, number>()
  return {
    sent: (record, at) => {
      if (record.answered) sentAt.set(record.id, at)
    },
    answer: (output) => {
      const times: number[] = []
      for (const id of idsOf(output.value)) {
        const at = sentAt.get(id)
        if (at === undefined) continue
        sentAt.delete(id)
        times.push(at)
      }
      return times
    },
    get pending() {
      return sentAt.size
    },
  }
}

/**
 * Matches an output for key k with timestamp t to every timed input of k sent at or before t; `keyOf`
 * reads k from the output's key bytes (a windowed key carries the window start after it).
 */
export function keyTimeTracker(
  keyOf: (key: Buffer) => string = (key) => key.toString('utf8'),
): LatencyTracker {
  const byKey = new Map<string, number[]>()
  let pending = 0
  return {
    sent: (record, at) => {
      if (!record.answered) return
      const queue = byKey.get(record.key)
      if (queue) queue.push(at)
      else byKey.set(record.key, [at])
      pending += 1
    },
    answer: (output) => {
      const queue = output.key ? byKey.get(keyOf(output.key)) : undefined
      if (!queue) return []
      let answered = 0
      while (answered < queue.length && queue[answered]! <= output.timestamp) answered += 1
      pending -= answered
      return queue.splice(0, answered)
    },
    get pending() {
      return pending
    },
  }
}

export interface LatencyProbe {
  readonly client: KafkaClient
  readonly outputTopic: string
  readonly records: Iterator<ProbeRecord>
  readonly tracker: LatencyTracker
  readonly rate: number
  readonly durationMs: number
  /** Samples of inputs sent in the first `warmupMs` are not counted. */
  readonly warmupMs: number
  /** How long to wait for the last outputs after the last send. */
  readonly settleMs: number
  readonly check: () => void
  readonly groupId: string
}

export interface LatencyResult extends LatencySummary {
  readonly rate: number
  readonly sent: number
  /** Timed inputs whose output was not seen (e.g. a payment for a rejected reservation). */
  readonly unanswered: number
}

export async function measureLatency(probe: LatencyProbe): Promise<LatencyResult> {
  const { tracker } = probe
  const latencies: number[] = []
  let countFrom = Number.POSITIVE_INFINITY
  let lastAnswer = Date.now()
  let assigned: () => void = () => {}
  const isAssigned = new Promise<void>((resolve) => (assigned = resolve))
  const consumer = probe.client.consumer({
    groupId: probe.groupId,
    isolation: 'read_committed',
    autoOffsetReset: 'latest',
    rebalance: 'eager',
    maxBatchSize: 5000,
  })
  const producer = probe.client.producer({ idempotent: true, lingerMs: 1 })
  await consumer.connect()
  await producer.connect()
  try {
    await consumer.subscribe([probe.outputTopic])
    await consumer.run({
      eachBatch: async (batch) => {
        const now = Date.now()
        for (const record of batch.records) {
          for (const at of tracker.answer(record)) {
            lastAnswer = now
            if (at >= countFrom) latencies.push(now - at)
          }
        }
      },
      onAssigned: async (partitions) => {
        if (partitions.length > 0) assigned()
      },
    })
    await Promise.race([
      isAssigned,
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error('latency probe: no partitions assigned in 30 s')), 30_000),
      ),
    ])
    await new Promise((resolve) => setTimeout(resolve, 1000)) // let 'latest' resolve before anything is sent

    const started = Date.now()
    countFrom = started + probe.warmupMs
    let sent = 0
    let failure: unknown
    const inflight = new Set<Promise<unknown>>()
    while (Date.now() - started < probe.durationMs) {
      probe.check()
      if (failure !== undefined)
        throw failure instanceof Error ? failure : new Error('produce failed', { cause: failure })
      const due = Math.floor((probe.rate * (Date.now() - started)) / 1000) - sent
      const batch: OutgoingRecord[] = []
      const now = Date.now()
      for (let i = 0; i < due; i++) {
        const next = probe.records.next()
        if (next.done) break
        const record = next.value
        tracker.sent(record, now)
        batch.push({ topic: record.topic, key: Buffer.from(record.key), value: record.value, timestamp: now })
      }
      if (batch.length > 0) {
        sent += batch.length
        const sending: Promise<unknown> = producer.send(batch).then(
          (): unknown => inflight.delete(sending),
          (error: unknown): unknown => (failure ??= error),
        )
        inflight.add(sending)
      }
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
    await Promise.all(inflight)
    const settleUntil = Date.now() + probe.settleMs
    // stop when everything is answered, or nothing more was answered for 3 s (some inputs have no answer)
    while (tracker.pending > 0 && Date.now() < settleUntil && Date.now() - lastAnswer < 3000) {
      probe.check()
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    return { ...summarizeLatencies(latencies), rate: probe.rate, sent, unanswered: tracker.pending }
  } finally {
    await consumer.disconnect().catch(() => undefined)
    await producer.disconnect().catch(() => undefined)
  }
}
