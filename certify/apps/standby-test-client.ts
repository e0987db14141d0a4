// The TypeScript port of Apache Kafka's StreamsStandByReplicaTest client (streams/src/test/java/org/apache/
// kafka/streams/tests/StreamsStandByReplicaTest.java, 4.1.2): the application that Kafka's standby system
// test (tests/kafkatest/tests/streams/streams_standby_replica_test.py) starts and stops. Same topology and
// settings:
//   sourceTopic ─┬─▶ groupByKey ─▶ count (in-memory-store)         ─▶ mapValues(toString) ─▶ sinkTopic1
//                └─▶ groupByKey ─▶ count (persistent-memory-store) ─▶ mapValues(toString) ─▶ sinkTopic2
// application id kafka-streams-standby-tasks, commit interval 100 ms, num.standby.replicas 1, cache 0,
// String keys and values, at-least-once (Kafka Streams' default).
//
// Like Kafka's client it prints "ACTIVE_TASKS:<n> STANDBY_TASKS:<m>" — here whenever the instance is
// RUNNING and either count changed (Kafka's prints on REBALANCING -> RUNNING; our standbys are placed
// moments after the rebalance, so the line is printed again once they are). It also prints the positions
// the system test checks for monotonicity (Kafka's "Writing checkpoint" and "Assigning and seeking" log
// lines): "CHECKPOINT <store>-<partition>=<offset>" for every standby position and restore start of the
// persistent store. Environment: BROKERS, KAFKA_CLIENT, STATE_DIR, INSTANCE_ID, SOURCE_TOPIC, SINK_TOPIC_1,
// SINK_TOPIC_2.
import { clientKindFromEnv, createKafkaClient } from '../../kafka/index.js'
import { stringSerde } from '../../state/index.js'
import { KafkaStreams, StreamsBuilder, type Topology } from '../../topology/index.js'
import { exitWithParent } from './parent-watch.js'
import { standbyApplicationId } from './standby-names.js'
import { required, say } from './app-env.js'

const persistentStore = 'persistent-memory-store'

export function standbyTopology(source: string, sink1: string, sink2: string): Topology {
  const builder = new StreamsBuilder()
  const input = builder.stream(source, { keySerde: stringSerde, valueSerde: stringSerde })
  input
    .groupByKey()
    .count({ storeName: 'in-memory-store', persistent: false, cacheMaxEntries: 0 })
    .toStream()
    .mapValues((count) => String(count), stringSerde)
    .to(sink1, { keySerde: stringSerde, valueSerde: stringSerde })
  input
    .groupByKey()
    .count({ storeName: persistentStore, persistent: true, cacheMaxEntries: 0 })
    .toStream()
    .mapValues((count) => String(count), stringSerde)
    .to(sink2, { keySerde: stringSerde, valueSerde: stringSerde })
  return builder.build()
}

exitWithParent()
say('StreamsTest instance started')
const streams = new KafkaStreams(
  standbyTopology(required('SOURCE_TOPIC'), required('SINK_TOPIC_1'), required('SINK_TOPIC_2')),
  {
    applicationId: standbyApplicationId,
    client: createKafkaClient({
      kind: clientKindFromEnv(),
      brokers: required('BROKERS').split(','),
      clientId: `standby-${required('INSTANCE_ID')}`,
    }),
    stateDir: required('STATE_DIR'),
    instanceId: required('INSTANCE_ID'),
    processingGuarantee: 'at_least_once',
    commitIntervalMs: 100,
    numStandbyReplicas: 1,
    log: (level, message) => say(`[${level}] ${message}`),
  },
)
streams.onStateChange((state, previous) => say(`StateChange: ${previous} -> ${state}`))

let printed = ''
let restoresSeen = 0
/** The last position printed per standby partition: a line is printed when it moves. */
const positions = new Map<string, number>()
const report = setInterval(() => {
  void (async () => {
    for (const restore of streams.restores.slice(restoresSeen)) {
      if (restore.store === persistentStore && restore.from !== 'earliest')
        say(`CHECKPOINT restore ${restore.store}-${restore.taskId.split('_')[1]}=${restore.from}`)
    }
    restoresSeen = streams.restores.length
    const standbys = await streams.standbyTasks()
    for (const standby of standbys)
      for (const store of standby.stores)
        if (store.name === persistentStore && store.position !== undefined) {
          const partition = `${store.name}-${standby.taskId.split('_')[1]}`
          if (positions.get(partition) !== store.position)
            say(`CHECKPOINT standby ${partition}=${store.position}`)
          positions.set(partition, store.position)
        }
    if (streams.state !== 'RUNNING') return
    const line = `ACTIVE_TASKS:${streams.activeTasks.length} STANDBY_TASKS:${standbys.length}`
    if (line !== printed) say(line)
    printed = line
  })().catch((error: unknown) => say(`report failed: ${String(error)}`))
}, 250)

let closing: Promise<void> | undefined
const shutdown = (signal: string) => {
  say(`${signal}: closing`)
  closing ??= (async () => {
    clearInterval(report)
    await streams.close()
    say('Shut down streams now')
    process.exit(0)
  })()
}
process.on('SIGTERM', () => shutdown('SIGTERM'))
process.on('SIGINT', () => shutdown('SIGINT'))

say('Start Kafka Streams')
await streams.start().catch((error: unknown) => {
  say(`FATAL: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
  process.exit(1)
})
