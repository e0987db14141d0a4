// Where a task's output goes: buffered by the runtime's record collector (sent in batches, inside the
// transaction under exactly-once), or captured in memory by the test driver.
import type { OutgoingRecord } from '../../kafka/index.js'

export interface RecordSink {
  /** Buffers a record to produce; never awaits the broker. */
  send(record: OutgoingRecord): void
}

/** Header names on dead-letter records. */
export const dlqHeaders = {
  reason: 'dlq.reason',
  stage: 'dlq.stage',
  topic: 'dlq.source.topic',
  partition: 'dlq.source.partition',
  offset: 'dlq.source.offset',
  task: 'dlq.task',
} as const

export const failureStages = ['deserialization', 'processing', 'production'] as const
export type FailureStage = (typeof failureStages)[number]

/** What to do with a record that failed at one stage: dead-letter it and continue, or stop the application. */
export type FailureHandling = 'dead-letter' | 'fail'
