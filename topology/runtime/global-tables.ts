// Global tables (Kafka Streams' GlobalKTable): every instance keeps each one whole, in memory, read
// straight from its topic (the topic is the changelog). `refresh` reads every partition to its end from
// where the previous refresh stopped; the runtime calls it at start (before any task runs) and on a timer.
import { TopicPartitionMap, type KafkaAdmin, type PartitionReader } from '../../kafka/index.js'
import { buildStore, type BuiltStore, type CacheBudget, type KeyValueStore } from '../../state/index.js'
import { errorMessage } from '../errors.js'
import type { GlobalTable } from '../topology.js'

export class GlobalTables {
  private readonly stores = new Map<string, { table: GlobalTable; built: BuiltStore<unknown> }>()
  /** Where the next refresh reads each partition from. */
  private readonly positions = new TopicPartitionMap<number>()

  constructor(
    private readonly tables: readonly GlobalTable[],
    private readonly log: (level: 'warn', message: string) => void,
  ) {}

  /** Opens every table's store, its cache under the instance's `storeCache` budget. */
  async open(stateDir: string, storeCache: CacheBudget): Promise<void> {
    for (const table of this.tables) {
      const built = buildStore(table.store, {
        dir: stateDir,
        changelog: { log: () => undefined },
        storeCache,
      })
      await built.open()
      this.stores.set(table.store.name, { table, built })
    }
  }

  /** The typed handles processors read, by store name. */
  handles(): Map<string, KeyValueStore<unknown, unknown>> {
    return new Map(
      [...this.stores].map(([name, { built }]) => [name, built.store as KeyValueStore<unknown, unknown>]),
    )
  }

  async refresh(admin: KafkaAdmin, reader: PartitionReader): Promise<void> {
    for (const { table, built } of this.stores.values()) {
      const store = built.store as KeyValueStore<unknown, unknown>
      const behind = (await admin.endOffsets(table.topic)).filter(
        (p) => p.offset > (this.positions.get(p) ?? 0),
      )
      for (const { partition } of behind) {
        const tp = { topic: table.topic, partition }
        const next = await reader.readToEnd(tp, this.positions.get(tp) ?? 'earliest', (records) => {
          for (const record of records) {
            if (record.key === null) continue
            try {
              const k = table.keySerde.deserialize(record.key)
              if (record.value === null) store.delete(k)
              else store.put(k, table.valueSerde.deserialize(record.value))
            } catch (error) {
              this.log(
                'warn',
                `global table ${table.topic}: skipping undecodable record at ${partition}/${record.offset}: ${errorMessage(error)}`,
              )
            }
          }
        })
        this.positions.set(tp, next)
      }
      built.flush()
      await built.commit()
    }
  }

  async close(): Promise<void> {
    for (const { built } of this.stores.values()) await built.close()
  }
}
