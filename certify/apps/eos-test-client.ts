// The TypeScript port of Apache Kafka's EosTestClient (streams/src/test/java/org/apache/kafka/streams/tests/
// EosTestClient.java, checked against the 4.1.2 test jar with javap): the application that Kafka's
// StreamsEosTest verifier judges. Same application id, topics, serdes and settings:
//   data ─┬─▶ echo                                   String keys, big-endian Integer values
//         ├─▶ print("data")
//         ├─▶ groupByKey ─▶ min (Integer) ─▶ min      every update forwarded (cache off)
//         ├─▶ groupByKey ─▶ sum (Long)    ─▶ sum
//         └─▶ repartition                             complex only:
//   repartition ─┬─▶ print("repartition")
//                ├─▶ groupByKey ─▶ max (Integer) ─▶ max
//                └─▶ groupByKey ─▶ count (Long)  ─▶ cnt
// exactly-once, commit interval 5 s, application id EosTest, num.standby.replicas 2. Not ported: the
// warm-up settings (the engine has no warm-up tasks; see README known gaps).
//
// Like Kafka's client it prints "StateChange: <old> -> <new>", "processed <n> records from topic=<t>" every
// 100 records of a task, "EOS-TEST-CLIENT-EXCEPTION" and a restart when the engine stops on an error, and
// "EOS-TEST-CLIENT-CLOSED" after a clean close on SIGTERM or SIGINT — the lines the runner waits for.
//
// Environment: BROKERS, KAFKA_CLIENT (confluent|kafkajs), STATE_DIR, INSTANCE_ID, TOPOLOGY (simple|complex),
// REPLICATION_FACTOR (internal topics).
import { clientKindFromEnv, createKafkaClient } from '../../kafka/index.js'
import { int32Serde, int64Serde, stringSerde } from '../../state/index.js'
import { KafkaStreams, StreamsBuilder, type ProcessorSupplier, type Topology } from '../../topology/index.js'
import { exitWithParent } from './parent-watch.js'
import { required, say } from './app-env.js'

export const applicationId = 'EosTest'
const commitIntervalMs = 5000

/** SmokeTestUtil.printProcessorSupplier: counts a task's records and reports every 100th. */
function printProcessor(topic: string): ProcessorSupplier<string, number> {
  return {
    create(context) {
      let processed = 0
      let smallest = Number.POSITIVE_INFINITY
      let largest = Number.NEGATIVE_INFINITY
      return {
        init() {
          say(`[DEV] initializing processor: topic=${topic} taskId=${context.taskId}`)
        },
        process() {
          processed += 1
          if (processed % 100 === 0) say(`processed ${processed} records from topic=${topic}`)
          const offset = context.origin?.offset
          if (offset !== undefined) {
            smallest = Math.min(smallest, offset)
            largest = Math.max(largest, offset)
          }
        },
        close() {
          say(`Close processor for task ${context.taskId}`)
          say(`processed ${processed} records`)
          if (largest >= smallest)
            say(`offset ${smallest} to ${largest} -> processed ${largest - smallest + 1}`)
        },
      }
    },
  }
}

export function eosTopology(withRepartitioning: boolean): Topology {
  const serdes = { keySerde: stringSerde, valueSerde: int32Serde }
  const builder = new StreamsBuilder()
  const data = builder.stream('data', serdes)
  data.to('echo')
  data.process(printProcessor('data'))
  const grouped = data.groupByKey()
  grouped
    .aggregate(
      () => 2147483647,
      (_key, value, min) => (value < min ? value : min),
      {
        valueSerde: int32Serde,
        cacheMaxEntries: 0,
      },
    )
    .toStream()
    .to('min', { keySerde: stringSerde, valueSerde: int32Serde })
  grouped
    .aggregate(
      () => 0,
      (_key, value, sum) => value + sum,
      { valueSerde: int64Serde, cacheMaxEntries: 0 },
    )
    .toStream()
    .to('sum', { keySerde: stringSerde, valueSerde: int64Serde })
  if (withRepartitioning) {
    data.to('repartition')
    const repartitioned = builder.stream('repartition', serdes)
    repartitioned.process(printProcessor('repartition'))
    const regrouped = repartitioned.groupByKey()
    regrouped
      .aggregate(
        () => -2147483648,
        (_key, value, max) => (value > max ? value : max),
        {
          valueSerde: int32Serde,
          cacheMaxEntries: 0,
        },
      )
      .toStream()
      .to('max', { keySerde: stringSerde, valueSerde: int32Serde })
    regrouped
      .count({ valueSerde: int64Serde, cacheMaxEntries: 0 })
      .toStream()
      .to('cnt', { keySerde: stringSerde, valueSerde: int64Serde })
  }
  return builder.build()
}

function createStreams(): KafkaStreams {
  const topology = process.env['TOPOLOGY'] ?? 'complex'
  if (topology !== 'simple' && topology !== 'complex')
    throw new Error(`TOPOLOGY must be simple or complex, got ${topology}`)
  const replication = process.env['REPLICATION_FACTOR']
  return new KafkaStreams(eosTopology(topology === 'complex'), {
    applicationId,
    client: createKafkaClient({
      kind: clientKindFromEnv(),
      brokers: required('BROKERS').split(','),
      clientId: `EosTest-${required('INSTANCE_ID')}`,
    }),
    stateDir: required('STATE_DIR'),
    instanceId: required('INSTANCE_ID'),
    processingGuarantee: 'exactly_once',
    commitIntervalMs,
    numStandbyReplicas: 2,
    // EosTestClient sets statestore.cache.max.bytes to 0: its verifier checks every update
    cacheMaxBytes: 0,
    ...(replication ? { replicationFactor: Number(replication) } : {}),
    log: (level, message) => say(`[${level}] ${message}`),
  })
}

// EosTestClient.start(): a new KafkaStreams whenever the previous one stopped on an error, until a signal.
exitWithParent()
let running = true
let streams: KafkaStreams | undefined
let uncaughtException = false
let closing: Promise<void> | undefined

const shutdown = (signal: string) => {
  say(`${signal}: closing`)
  running = false
  closing ??= (async () => {
    await streams?.close()
    if (!uncaughtException) say('EOS-TEST-CLIENT-CLOSED')
    process.exit(0)
  })()
}
process.on('SIGTERM', () => shutdown('SIGTERM'))
process.on('SIGINT', () => shutdown('SIGINT'))

while (running) {
  if (!streams) {
    uncaughtException = false
    const current = createStreams()
    streams = current
    current.onStateChange((state, previous) => {
      say(`StateChange: ${previous} -> ${state}`)
      if (state === 'ERROR') {
        say('EOS-TEST-CLIENT-EXCEPTION')
        say(current.error?.stack ?? String(current.error))
        uncaughtException = true
      }
    })
    current.start().catch((error: unknown) => {
      if (uncaughtException) return // reported by the state change to ERROR
      say('EOS-TEST-CLIENT-EXCEPTION')
      say(error instanceof Error ? (error.stack ?? error.message) : String(error))
      uncaughtException = true
    })
  }
  if (uncaughtException && running) {
    await streams.close()
    streams = undefined
  }
  await new Promise((resolve) => setTimeout(resolve, 1000))
}
