// The record that flows between processors.
import type { Headers } from '../kafka/index.js'

export interface StreamRecord<K, V> {
  readonly key: K
  readonly value: V
  /** Event time in epoch milliseconds: the Kafka record timestamp unless a processor changed it. */
  readonly timestamp: number
  readonly headers?: Headers
}
