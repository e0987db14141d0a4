// The TypeScript port of Apache Kafka's SmokeTestClient (streams/src/test/java/org/apache/kafka/streams/tests/
// SmokeTestClient.java, checked against the 4.1.2 test jar with javap): the application that Kafka's
// StreamsSmokeTest driver judges. Same application id, topics, serdes, stores and windows:
//   data ─┬─▶ echo                                             (all but the "flush" key)
//         └─▶ (not END) ─┬─▶ print("data")
//                        ├─▶ 1-day windows, grace 1 min, min ──▶ min-raw, min-suppressed (final), min
//                        ├─▶ 2 s windows advancing 1 s, grace 30 s, sum (reduce) ──▶ sws-raw, sws-suppressed
//                        ├─▶ 2-day windows, max ──▶ max;  sum (Long) ──▶ sum;  count ──▶ cnt
//   min, max, sum, cnt tables ─▶ print(...);  max ⋈ min ──▶ dif;  sum ⋈ cnt ──▶ avg (Double)
//   cnt table re-grouped by its value, counted in memory ──▶ tagg
// String keys, big-endian Integer / Long / Double values, application id SmokeTest, the processing
// guarantee of PROCESSING_GUARANTEE (exactly_once by default, as the client's), windowed store changelogs
// kept 3 days longer, and the record cache at Kafka Streams' default size, 10 MiB, which the Java client
// runs with (it sets no cache size): the windowed aggregations, the tables min, max, cnt and the in-memory
// cntByCnt aggregate forward their updates per commit and on eviction.
//
// Like Kafka's client it prints "<name> <time>: <old> -> <new>" on state changes, SMOKE-TEST-CLIENT-STARTED
// once running, "processed <n> records from topic=<t>" every 100 records of a task,
// SMOKE-TEST-CLIENT-EXCEPTION when the engine stops on an error, and SMOKE-TEST-CLIENT-CLOSED after a clean
// close on SIGTERM or SIGINT.
//
// Environment: BROKERS, KAFKA_CLIENT (confluent|kafkajs), STATE_DIR, INSTANCE_ID, PROCESSING_GUARANTEE
// (exactly_once|at_least_once), REPLICATION_FACTOR (internal topics).
import { clientKindFromEnv, createKafkaClient } from '../../kafka/index.js'
import { float64Serde, int32Serde, int64Serde, stringSerde } from '../../state/index.js'
import {
  BufferConfig,
  KafkaStreams,
  StreamsBuilder,
  Suppressed,
  TimeWindows,
  type KTable,
  type ProcessingGuarantee,
  type ProcessorSupplier,
  type Topology,
  type Windowed,
} from '../../topology/index.js'
import { exitWithParent } from './parent-watch.js'
import { required } from './app-env.js'

const str = stringSerde
const int = int32Serde
const long = int64Serde
const END = 2147483647
const second = 1000
const minute = 60 * second
const hour = 60 * minute
const day = 24 * hour

const name = required('INSTANCE_ID')

function say(line: string): void {
  console.log(line)
}

/** SmokeTestUtil.printProcessorSupplier: counts a task's records and reports every 100th. */
function printProcessor(topic: string): ProcessorSupplier<string, unknown> {
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
          if (processed % 100 === 0) {
            say(`${name}: ${new Date().toISOString()}`)
            say(`processed ${processed} records from topic=${topic}`)
          }
          const offset = context.origin?.offset
          if (offset !== undefined) {
            smallest = Math.min(smallest, offset)
            largest = Math.max(largest, offset)
          }
        },
        close() {
          say(`Close processor for task ${context.taskId}`)
          say(`processed ${processed} records`)
          const count = largest >= smallest ? largest - smallest + 1 : 0
          say(`offset ${smallest} to ${largest} -> processed ${count}`)
        },
      }
    },
  }
}

/** The windowed table's updates as `[key@start/end]` keys, without the flush key. */
function streamify(windowed: KTable<Windowed<string>, number>, topic: string): void {
  windowed
    .toStream()
    .filterNot((k) => k.key === 'flush')
    .map((k, v) => ({ key: k.toString(), value: v }), { keySerde: str })
    .to(topic, { keySerde: str, valueSerde: int })
}

const unwindow = (windowed: Windowed<string>) => windowed.key

export function smokeTopology(): Topology {
  const builder = new StreamsBuilder()
  const source = builder.stream('data', { keySerde: str, valueSerde: int })
  source.filterNot((k) => k === 'flush').to('echo', { keySerde: str, valueSerde: int })
  const data = source.filter((_k, v) => v === null || v !== END)
  data.process(printProcessor('data'))

  // min
  const groupedData = data.groupByKey({ keySerde: str, valueSerde: int })
  const minAggregation = groupedData.windowedBy(TimeWindows.ofSizeAndGrace(day, minute)).aggregate(
    () => 2147483647,
    (_k, value, aggregate) => (value < aggregate ? value : aggregate),
    { storeName: 'uwin-min', valueSerde: int, retentionMs: 25 * hour },
  )
  streamify(minAggregation, 'min-raw')
  streamify(minAggregation.suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded())), 'min-suppressed')
  minAggregation
    .toStream(unwindow, { keySerde: str })
    .filterNot((k) => k === 'flush')
    .to('min', { keySerde: str, valueSerde: int })

  const smallWindowSum = groupedData
    .windowedBy(TimeWindows.ofSizeAndGrace(2 * second, 30 * second).advanceBy(second))
    .reduce((l, r) => l + r)
  streamify(smallWindowSum, 'sws-raw')
  streamify(smallWindowSum.suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded())), 'sws-suppressed')

  const minTable = builder.table('min', { keySerde: str, valueSerde: int, storeName: 'minStoreName' })
  minTable.toStream().process(printProcessor('min'))

  // max
  groupedData
    .windowedBy(TimeWindows.ofSizeWithNoGrace(2 * day))
    .aggregate(
      () => -2147483648,
      (_k, value, aggregate) => (value > aggregate ? value : aggregate),
      { storeName: 'uwin-max', valueSerde: int },
    )
    .toStream(unwindow, { keySerde: str })
    .filterNot((k) => k === 'flush')
    .to('max', { keySerde: str, valueSerde: int })
  const maxTable = builder.table('max', { keySerde: str, valueSerde: int, storeName: 'maxStoreName' })
  maxTable.toStream().process(printProcessor('max'))

  // sum
  groupedData
    .windowedBy(TimeWindows.ofSizeWithNoGrace(2 * day))
    .aggregate(
      () => 0,
      (_k, value, aggregate) => value + aggregate,
      { storeName: 'win-sum', valueSerde: long },
    )
    .toStream(unwindow, { keySerde: str })
    .filterNot((k) => k === 'flush')
    .to('sum', { keySerde: str, valueSerde: long })
  const sumTable = builder.table('sum', { keySerde: str, valueSerde: long })
  sumTable.toStream().process(printProcessor('sum'))

  // cnt
  groupedData
    .windowedBy(TimeWindows.ofSizeWithNoGrace(2 * day))
    .count({ storeName: 'uwin-cnt' })
    .toStream(unwindow, { keySerde: str })
    .filterNot((k) => k === 'flush')
    .to('cnt', { keySerde: str, valueSerde: long })
  const cntTable = builder.table('cnt', { keySerde: str, valueSerde: long, storeName: 'cntStoreName' })
  cntTable.toStream().process(printProcessor('cnt'))

  // dif
  maxTable
    .join(minTable, (value1, value2) => value1 - value2)
    .toStream()
    .filterNot((k) => k === 'flush')
    .to('dif', { keySerde: str, valueSerde: int })

  // avg
  sumTable
    .join(cntTable, (value1, value2) => value1 / value2, { valueSerde: float64Serde })
    .toStream()
    .filterNot((k) => k === 'flush')
    .to('avg', { keySerde: str, valueSerde: float64Serde })

  // test repartition
  cntTable
    .groupBy((_k, value) => ({ key: String(value), value: 1 }), { keySerde: str, valueSerde: long })
    .aggregate(
      () => 0,
      (_k, value, aggregate) => aggregate + value,
      (_k, value, aggregate) => aggregate - value,
      { storeName: 'cntByCnt', persistent: false, keySerde: str, valueSerde: long },
    )
    .toStream()
    .to('tagg', { keySerde: str, valueSerde: long })

  return builder.build()
}

function processingGuarantee(): ProcessingGuarantee {
  const value = process.env['PROCESSING_GUARANTEE'] ?? 'exactly_once'
  if (value !== 'exactly_once' && value !== 'at_least_once')
    throw new Error(`PROCESSING_GUARANTEE must be exactly_once or at_least_once, got ${value}`)
  return value
}

// SmokeTestClient.start(): one KafkaStreams; an uncaught error shuts the client down (SHUTDOWN_CLIENT).
exitWithParent()
const replication = process.env['REPLICATION_FACTOR']
const streams = new KafkaStreams(smokeTopology(), {
  applicationId: 'SmokeTest',
  client: createKafkaClient({
    kind: clientKindFromEnv(),
    brokers: required('BROKERS').split(','),
    clientId: `SmokeTest-${name}`,
  }),
  stateDir: required('STATE_DIR'),
  instanceId: name,
  processingGuarantee: processingGuarantee(),
  windowStoreChangelogAdditionalRetentionMs: 3 * day,
  cacheMaxBytes: 10 * 1024 * 1024,
  ...(replication ? { replicationFactor: Number(replication) } : {}),
  log: (level, message) => say(`[${level}] ${message}`),
})
let uncaughtException = false
let closing: Promise<void> | undefined
const close = () => {
  closing ??= (async () => {
    await streams.close()
    say(
      `${name}: ${uncaughtException ? 'SMOKE-TEST-CLIENT-EXCEPTION: Got an uncaught exception' : 'SMOKE-TEST-CLIENT-CLOSED'}`,
    )
    process.exit(0)
  })()
}
streams.onStateChange((state, previous) => {
  say(`${name} ${new Date().toISOString()}: ${previous} -> ${state}`)
  if (previous === 'REBALANCING' && state === 'RUNNING') {
    say(`${name}: SMOKE-TEST-CLIENT-STARTED`)
    say(`${name} started at ${new Date().toISOString()}`)
  }
  if (state === 'ERROR') {
    say(`${name}: SMOKE-TEST-CLIENT-EXCEPTION`)
    say(
      `${name}: FATAL: An unexpected exception is encountered: ${streams.error?.stack ?? String(streams.error)}`,
    )
    uncaughtException = true
    close()
  }
})
process.on('SIGTERM', close)
process.on('SIGINT', close)
streams.start().catch((error: unknown) => {
  if (uncaughtException) return
  say(
    `${name}: SMOKE-TEST-CLIENT-EXCEPTION: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
  )
  uncaughtException = true
  close()
})
