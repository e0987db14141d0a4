// Stream–table join (Kafka Streams' KStreamKTableJoin): each stream record is joined with the table's
// current value for its key, read through the table's value getter (so the table's store is in the task).
import type { StoreRef } from '../../state/index.js'
import type { ProcessorSupplier } from '../processor.js'
import type { DslContext } from './dsl-context.js'
import type { KStream, ValueJoiner } from './kstream.js'
import type { KTable } from './ktable.js'

/**
 * Records with a null value, or a null key (inner join), are dropped and counted; a left join passes a
 * null-keyed record on with a null table value. Table misses: dropped (inner) or joined with null (left).
 */
export function streamTableJoin<K, V, VT, VR>(
  context: DslContext,
  stream: KStream<K, V>,
  table: KTable<K, VT>,
  joiner: ValueJoiner<V, VT, VR, K>,
  options: { readonly left: boolean; readonly name: string | undefined },
): string {
  const getter = table.valueGetterSupplier()
  const supplier: ProcessorSupplier<K, V, K, VR> = {
    get stores(): readonly StoreRef[] {
      return getter.storeRefs()
    },
    create: (ctx) => {
      const values = getter.create(ctx)
      return {
        process: async (record) => {
          const nullKey = record.key === null || record.key === undefined
          if (record.value === null || record.value === undefined || (nullKey && !options.left)) {
            ctx.droppedRecord()
            return
          }
          const row = nullKey ? undefined : await values.get(record.key)
          if (row === undefined && !options.left) return
          ctx.forward({ ...record, value: joiner(record.value, (row?.value ?? null) as VT, record.key) })
        },
      }
    },
  }
  const name = context.nameOr(options.name, options.left ? 'KSTREAM-LEFTJOIN-' : 'KSTREAM-JOIN-')
  return context.addProcessor(name, supplier, [stream.node])
}
