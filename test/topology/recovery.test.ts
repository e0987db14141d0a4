// Which recovery a failed commit gets: chosen by the error's class (recovery.ts), whatever its message says.
import { describe, expect, it } from 'vitest'
import { KafkaError, translateClientError } from '../../kafka/kafka-error.js'
import { ProducerFencedError, TaskCorruptedError, TaskMigratedError } from '../../topology/errors.js'
import { recoveryFor } from '../../topology/runtime/recovery.js'

describe('recoveryFor', () => {
  it('wipes and restores the tasks a TaskCorruptedError names', () => {
    expect(recoveryFor(new TaskCorruptedError(['0_1', '1_1'], 'unreadable'))).toEqual({
      kind: 'wipe-and-restore',
      taskIds: ['0_1', '1_1'],
    })
  })

  it('rejoins after a TaskMigratedError and makes a new producer after a ProducerFencedError', () => {
    expect(recoveryFor(new TaskMigratedError('stale generation'))).toEqual({ kind: 'rejoin' })
    expect(recoveryFor(new ProducerFencedError('fenced'))).toEqual({ kind: 'new-producer' })
  })

  it('goes back to the last commit after any other error, even one whose message names fencing', () => {
    expect(recoveryFor(new KafkaError('TIMEOUT', 'producer fenced? no: timed out'))).toEqual({
      kind: 'retry-from-commit',
    })
    expect(recoveryFor(new Error('ProducerFenced'))).toEqual({ kind: 'retry-from-commit' })
  })

  it('chooses by what the client adapters translate each library error into', () => {
    const kafkajsFenced = Object.assign(new Error('x'), {
      name: 'KafkaJSProtocolError',
      type: 'PRODUCER_FENCED',
    })
    const librdkafkaStale = Object.assign(new Error('y'), { code: 22 })
    expect(recoveryFor(translateClientError(kafkajsFenced, 'commit'))).toEqual({ kind: 'new-producer' })
    expect(
      recoveryFor(
        translateClientError(librdkafkaStale, 'commit', (c) =>
          c === 22 ? 'ERR_ILLEGAL_GENERATION' : undefined,
        ),
      ),
    ).toEqual({ kind: 'rejoin' })
  })
})
