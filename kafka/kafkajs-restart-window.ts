// kafkajs restarts its consumer after a crash on a retriable error (a broker gone for longer than its
// retries, as in a rolling restart): it stops the consumer group, waits, and builds a new one that joins
// again. In between, `seek`, `pause` and `resume` throw ("Consumer group was not initialized") — a recovery
// that rewound its tasks then, stopped the instance (broker-loss certification) — and the new group forgets
// the pauses. This keeps what was asked for meanwhile and applies it when the new group has joined
// (GROUP_JOIN, before its first fetch): to the caller, the consumer never went away, as Java's never does.
// A crash kafkajs does not restart from — "Failed to find group coordinator" while every broker was down
// (broker-down certification) — would leave the consumer stopped for good and the instance RUNNING with
// nothing to process; Java's consumer never stops looking for its coordinator: it runs again, with growing
// pauses, unless retrying cannot help (credentials, ACLs, TLS, a wrong argument). A group ACL missing
// crashes it the same way, with the same error: kafkajs-consumer.ts asks the broker which it is first.
import type { ConsumerRunConfig, Consumer as KjsConsumer } from 'kafkajs'
import type { StreamsError } from '../errors/index.js'
import { translateClientError } from './kafka-error.js'
import type { TopicPartition, TopicPartitionOffset } from './kafka-port.js'
import { TopicPartitionMap } from './topic-partition-map.js'

type Controls = Pick<KjsConsumer, 'seek' | 'pause' | 'resume' | 'run' | 'logger'>

const crashPauseMinMs = 1_000
const crashPauseMaxMs = 10_000
/** Crashes that running the consumer again cannot fix. */
const permanentFailures = new Set([
  'AUTHENTICATION_FAILED',
  'AUTHORIZATION_FAILED',
  'TLS_FAILED',
  'INVALID_ARGUMENT',
])

export class KafkajsRestartWindow {
  private restarting = false
  /** The last position sought per partition while restarting. */
  private readonly seeks = new TopicPartitionMap<TopicPartitionOffset>()
  /** Every partition paused and not resumed since, restarting or not: the new group must pause them again. */
  private readonly paused = new TopicPartitionMap<TopicPartition>()

  private runConfig: ConsumerRunConfig | undefined
  /** The pause before running again after a crash kafkajs did not restart from; reset by a join. */
  private crashPauseMs = crashPauseMinMs

  constructor(
    private readonly consumer: Controls,
    /** The caller is disconnecting: a stop is its own, and nothing runs again. */
    private readonly leaving: () => boolean,
  ) {}

  /** The configuration the consumer runs with, kept to run it again after a crash. */
  running(config: ConsumerRunConfig): ConsumerRunConfig {
    this.runConfig = config
    return config
  }

  /** The consumer group stopped (kafkajs's STOP): unless the caller is leaving, calls wait for the join. */
  stopped(): void {
    if (!this.leaving()) this.restarting = true
  }

  /**
   * kafkajs crashed and will not restart the consumer: run it again after a pause, unless that cannot help.
   * Returns the failure when it cannot (credentials, ACLs, TLS, a wrong argument): the consumer stays
   * stopped, and the caller must hear of it.
   */
  notRestarted(error: unknown, during = 'consumer crashed'): StreamsError | undefined {
    const failure = translateClientError(error, during)
    if (this.leaving() || this.runConfig === undefined) return undefined
    if (permanentFailures.has(failure.code)) return failure
    const pause = this.crashPauseMs
    this.crashPauseMs = Math.min(pause * 2, crashPauseMaxMs)
    this.consumer
      .logger()
      .warn(`${failure.message}; kafkajs does not restart the consumer: running it again in ${pause} ms`)
    setTimeout(() => {
      if (this.leaving() || this.runConfig === undefined) return
      // a crash of this start is reported by CRASH again, and comes back here
      this.consumer.run(this.runConfig).catch(() => undefined)
    }, pause)
    return undefined
  }

  /** A group joined with this assignment: after a restart, what was asked for meanwhile is applied now. */
  joined(assigned: TopicPartitionMap<TopicPartition>): void {
    this.crashPauseMs = crashPauseMinMs
    if (!this.restarting) return
    this.restarting = false
    for (const position of this.seeks.values()) if (assigned.has(position)) this.seekNow(position)
    this.seeks.clear()
    const paused = [...this.paused.values()].filter((tp) => assigned.has(tp))
    if (paused.length > 0) this.consumer.pause(byTopic(paused))
  }

  seek(position: TopicPartitionOffset): void {
    if (this.restarting) this.seeks.set(position, position)
    else this.seekNow(position)
  }

  pause(partitions: readonly TopicPartition[]): void {
    for (const tp of partitions) this.paused.set(tp, tp)
    if (!this.restarting) this.consumer.pause(byTopic(partitions))
  }

  resume(partitions: readonly TopicPartition[]): void {
    for (const tp of partitions) this.paused.delete(tp)
    if (!this.restarting) this.consumer.resume(byTopic(partitions))
  }

  private seekNow(position: TopicPartitionOffset): void {
    this.consumer.seek({
      topic: position.topic,
      partition: position.partition,
      offset: String(position.offset),
    })
  }
}

function byTopic(partitions: readonly TopicPartition[]): { topic: string; partitions: number[] }[] {
  return partitions.map((p) => ({ topic: p.topic, partitions: [p.partition] }))
}
