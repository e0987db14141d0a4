// Stream–table join (Kafka Streams' KStreamKTableJoin): each stream record is joined with the table's
// current value for its key, read through the table's value getter (so the table's store is in the task).
import type { StoreRef } from '../../state/index.js'
import type { ProcessorSupplier } from '../processor.js'
import type { StreamRecord } from '../record.js'
import type { ValueAndTimestamp } from './change.js'
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
      const join = (record: StreamRecord<K, V>, value: V, row: ValueAndTimestamp<VT> | undefined) => {
        if (row === undefined && !options.left) return
        ctx.forward({ ...record, value: joiner(value, (row?.value ?? null) as VT, record.key) })
      }
      return {
        // synchronous when the table has the row at hand (no promise per record), else after its get
        process: (record) => {
          const { key, value } = record
          const nullKey = key === null || key === undefined
          if (value === null || value === undefined || (nullKey && !options.left)) {
            ctx.droppedRecord()
            return
          }
          if (nullKey) return join(record, value, undefined)
          const now = values.getNow?.(key)
          if (now !== undefined) return join(record, value, now.value)
          return values.get(key).then((row) => join(record, value, row))
        },
      }
    },
  }
  const name = context.nameOr(options.name, options.left ? 'KSTREAM-LEFTJOIN-' : 'KSTREAM-JOIN-')
  return context.addProcessor(name, supplier, [stream.node])
}
