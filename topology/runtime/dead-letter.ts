// A record that failed to deserialize, process or produce: the configured handling (dead-letter it and go
// on, or stop the task), and the dead-letter record — the original bytes, with why and where from in
// headers. The failed record is always passed in; nothing here knows which record a task is processing.
import type { ConsumedRecord, Headers } from '../../kafka/index.js'
import { StreamsError, errorMessage } from '../errors.js'
import type { DeadLetterRecord } from '../processor.js'
import { dlqHeaders, type FailureStage } from './record-sink.js'
import type { TaskEnv } from './task-environment.js'

const stageCodes = {
  deserialization: 'DESERIALIZATION',
  processing: 'PROCESSING',
  production: 'PRODUCTION',
} as const satisfies Record<FailureStage, string>

/**
 * Applies the configured handling to `error` at `stage`: dead-letters `record` and returns, or throws
 * (the handling says fail, there is no dead-letter topic, or no input record failed — a punctuation).
 */
export function handleFailure(
  env: TaskEnv,
  taskId: string,
  stage: FailureStage,
  error: unknown,
  record: ConsumedRecord | undefined,
): void {
  if (env.handling[stage] === 'fail' || !record || !env.deadLetterTopic) {
    if (error instanceof StreamsError) throw error
    throw new StreamsError(stageCodes[stage], `${stage} failed in task ${taskId}: ${errorMessage(error)}`, {
      cause: error,
    })
  }
  deadLetter(env, taskId, stage, errorMessage(error), record)
}

/** Sends `record`'s bytes to the dead-letter topic with `reason` and its source coordinates in headers. */
export function deadLetter(
  env: TaskEnv,
  taskId: string,
  stage: FailureStage,
  reason: string,
  record: (DeadLetterRecord & { readonly headers?: Headers }) | undefined,
): void {
  if (!record)
    throw new StreamsError('PROCESSING', `deadLetter(${reason}) called outside of record processing`)
  if (!env.deadLetterTopic)
    throw new StreamsError('CONFIG_INVALID', `no dead-letter topic configured; cannot dead-letter: ${reason}`)
  const headers: Headers = {
    ...record.headers,
    [dlqHeaders.reason]: Buffer.from(reason),
    [dlqHeaders.stage]: Buffer.from(stage),
    [dlqHeaders.topic]: Buffer.from(record.topic),
    [dlqHeaders.partition]: Buffer.from(String(record.partition)),
    [dlqHeaders.offset]: Buffer.from(String(record.offset)),
    [dlqHeaders.task]: Buffer.from(taskId),
  }
  env.sink.send({
    topic: env.deadLetterTopic,
    key: record.key,
    value: record.value,
    headers,
    timestamp: record.timestamp,
  })
  env.deadLettered?.(stage)
}
