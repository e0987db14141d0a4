// Stream–GlobalKTable join (Kafka Streams' KStreamGlobalKTableJoin): each stream record looks up the global
// table's row under a key it selects from the record. Every instance holds the whole global table, so the
// join needs no repartitioning and causes none: the key is unchanged (a key changed upstream stays marked).
import type { KeyValueStoreRef } from '../../state/index.js'
import { TopologyError } from '../errors.js'
import type { ProcessorSupplier } from '../processor.js'
import type { DslContext } from './dsl-context.js'
import type { ValueJoiner } from './kstream.js'

/** A global table as `StreamsBuilder.globalTable` returns it: the ref of its (read-only) store. */
export type GlobalKTable<K, V> = KeyValueStoreRef<K, V>

const missing = (x: unknown): x is null | undefined => x === null || x === undefined

/**
 * Adds the join processor; returns its name (Kafka Streams names both kinds `KSTREAM-LEFTJOIN-…`). As Kafka
 * Streams 4.1 does (test/topology/reference/branches.scenario): a record with a null value is dropped and
 * counted; an inner join also drops and counts a record whose selected key is null, a left join joins it
 * with null; a null stream key alone drops nothing. A table miss: dropped (inner) or joined with null (left).
 */
export function streamGlobalTableJoin<K, V, KG, VG, VR>(
  context: DslContext,
  parent: string,
  globalTable: GlobalKTable<KG, VG>,
  keySelector: (key: K, value: V) => KG | null | undefined,
  joiner: ValueJoiner<V, VG | null, VR, K>,
  options: { readonly left: boolean; readonly name: string | undefined },
): string {
  if (!context.topology.globalStoreNames().includes(globalTable.name)) {
    throw new TopologyError(
      `join: store ${globalTable.name} is not a global table's (pass what StreamsBuilder.globalTable returned)`,
    )
  }
  const supplier: ProcessorSupplier<K, V, K, VR> = {
    create: (ctx) => {
      const table = ctx.store(globalTable)
      return {
        process: async (record) => {
          const mappedKey = keySelector(record.key, record.value)
          if (missing(record.value) || (!options.left && missing(mappedKey))) {
            ctx.droppedRecord()
            return
          }
          const row = missing(mappedKey) ? undefined : await table.get(mappedKey)
          if (row === undefined && !options.left) return
          ctx.forward({ ...record, value: joiner(record.value, row ?? null, record.key) })
        },
      }
    },
  }
  return context.addProcessor(context.nameOr(options.name, 'KSTREAM-LEFTJOIN-'), supplier, [parent])
}
