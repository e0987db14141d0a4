// End-to-end latency at a fixed offered rate: the harness produces live workload records at `rate` per
// second (each stamped with its send time), and a read_committed consumer of the system's output matches
// each output record to its input by id (the outcome event's causationId, or for the raw pipe the copied
// record's own commandId/paymentId). Latency = time the output is read − time the input was sent.
import type { KafkaClient, OutgoingRecord } from '../kafka/index.js'
import { summarizeLatencies, type LatencySummary } from './stats.js'
import type { WorkloadRecord } from './workload.js'

const idPattern = /"(?:causationId|commandId|paymentId)":"([^"]*)"/

/** The id an output record answers (the first causationId, commandId or paymentId in its JSON). */
export function answeredId(value: Buffer | null): string | undefined {
  if (!value) return undefined
  return idPattern.exec(value.toString('utf8'))?.[1]
}

export interface LatencyProbe {
  readonly client: KafkaClient
  readonly outputTopic: string
  readonly topicOf: (record: WorkloadRecord) => string
  readonly records: Iterator<WorkloadRecord>
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
  /** Inputs whose output was not seen (e.g. a payment for a rejected reservation). */
  readonly unanswered: number
}

export async function measureLatency(probe: LatencyProbe): Promise<LatencyResult> {
  const sentAt = new Map<string, number>()
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
          const id = answeredId(record.value)
          if (id === undefined) continue
          const at = sentAt.get(id)
          if (at === undefined) continue
          sentAt.delete(id)
          lastAnswer = now
          if (at >= countFrom) latencies.push(now - at)
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
        sentAt.set(record.id, now)
        batch.push({
          topic: probe.topicOf(record),
          key: Buffer.from(record.key),
          value: record.value,
          timestamp: now,
        })
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
    while (sentAt.size > 0 && Date.now() < settleUntil && Date.now() - lastAnswer < 3000) {
      probe.check()
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    return { ...summarizeLatencies(latencies), rate: probe.rate, sent, unanswered: sentAt.size }
  } finally {
    await consumer.disconnect().catch(() => undefined)
    await producer.disconnect().catch(() => undefined)
  }
}
