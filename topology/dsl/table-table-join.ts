// Table–table joins (Kafka Streams' KTableKTableInnerJoin / LeftJoin / RightJoin / OuterJoin and
// KTableKTableJoinMerger): an update of either table is joined with the other table's current value, read
// through its value getter; both sides' results meet in a merge node, which is the joined table.
import type { KeyValueStoreRef, StoreRef } from '../../state/index.js'
import type { ProcessorSupplier } from '../processor.js'
import type { Change, ValueAndTimestamp } from './change.js'
import type { DslContext } from './dsl-context.js'
import {
  tableForwarder,
  storeGetter,
  type TableProducer,
  type ValueGetter,
  type ValueGetterSupplier,
} from './table-node.js'

export type TableJoinKind = 'inner' | 'left' | 'outer'

/** Which rule a join processor applies: `right` is the right side of a left join. */
type SideKind = 'inner' | 'left' | 'right' | 'outer'

interface JoinSide<K, V> {
  readonly node: string
  enableSendingOldValues(forceMaterialization: boolean): boolean
  valueGetterSupplier(): ValueGetterSupplier<K, V>
}

/** One side's join processor; `joiner` is oriented (this side's value, the other side's value). */
class JoinProcessorNode<K, VThis, VOther, VR> {
  sendOldValues = false
  private readonly otherValues: ValueGetterSupplier<K, VOther>

  constructor(
    private readonly kind: SideKind,
    private readonly thisTable: JoinSide<K, VThis>,
    private readonly otherTable: JoinSide<K, VOther>,
    private readonly joiner: (value: VThis | null, other: VOther | null, key: K) => VR,
  ) {
    this.otherValues = otherTable.valueGetterSupplier()
  }

  enableSendingOldValues(): void {
    this.thisTable.enableSendingOldValues(true)
    this.otherTable.enableSendingOldValues(true)
    this.sendOldValues = true
  }

  supplier(): ProcessorSupplier<K, Change<VThis>, K, Change<VR>> {
    const stores = (): readonly StoreRef[] => this.otherValues.storeRefs()
    return {
      get stores() {
        return stores()
      },
      create: (ctx) => {
        const other = this.otherValues.create(ctx)
        const sendOldValues = this.sendOldValues
        const { kind, joiner } = this
        return {
          process: async (record) => {
            if (record.key === null || record.key === undefined) {
              ctx.droppedRecord()
              return
            }
            const key = record.key
            const { newValue, oldValue } = record.value
            const row = await other.get(key)
            const otherValue = row === undefined ? null : row.value
            if (row === undefined && (kind === 'inner' || kind === 'right')) return
            if (row === undefined && newValue === null && oldValue === null) return
            const timestamp = row === undefined ? record.timestamp : Math.max(record.timestamp, row.timestamp)
            let joinedNew: VR | null = null
            let joinedOld: VR | null = null
            switch (kind) {
              case 'inner':
              case 'left':
                if (newValue !== null) joinedNew = joiner(newValue, otherValue, key)
                if (sendOldValues && oldValue !== null) joinedOld = joiner(oldValue, otherValue, key)
                break
              case 'right':
                joinedNew = joiner(newValue, otherValue, key)
                if (sendOldValues) joinedOld = joiner(oldValue, otherValue, key)
                break
              case 'outer':
                if (otherValue !== null || newValue !== null) joinedNew = joiner(newValue, otherValue, key)
                if (sendOldValues && (otherValue !== null || oldValue !== null))
                  joinedOld = joiner(oldValue, otherValue, key)
                break
            }
            ctx.forward({ ...record, timestamp, value: { newValue: joinedNew, oldValue: joinedOld } })
          },
        }
      },
    }
  }
}

/** The value getter of an unmaterialized join: both tables' getters, combined by the join's rule. */
function joinedGetter<K, V1, V2, VR>(
  kind: TableJoinKind,
  left: ValueGetterSupplier<K, V1>,
  right: ValueGetterSupplier<K, V2>,
  joiner: (value: V1 | null, other: V2 | null, key: K) => VR,
): ValueGetterSupplier<K, VR> {
  return {
    storeRefs: () => [...new Set([...left.storeRefs(), ...right.storeRefs()])],
    create: (ctx): ValueGetter<K, VR> => {
      const g1 = left.create(ctx)
      const g2 = right.create(ctx)
      return {
        get: async (key): Promise<ValueAndTimestamp<VR> | undefined> => {
          const r1 = await g1.get(key)
          if (r1 === undefined && kind !== 'outer') return undefined
          const r2 = await g2.get(key)
          if (r2 === undefined && (kind === 'inner' || r1 === undefined)) return undefined
          const timestamp = Math.max(r1?.timestamp ?? -1, r2?.timestamp ?? -1)
          return { value: joiner(r1?.value ?? null, r2?.value ?? null, key), timestamp }
        },
      }
    },
  }
}

/** The joined table's producer: the merge node of both sides, materialized when a store is given. */
export class TableJoinMergeNode<K, V1, V2, VR> implements TableProducer<K, VR> {
  private sendOldValues = false
  readonly thisSide: JoinProcessorNode<K, V1, V2, VR>
  readonly otherSide: JoinProcessorNode<K, V2, V1, VR>
  private readonly getter: ValueGetterSupplier<K, VR>

  constructor(
    kind: TableJoinKind,
    left: JoinSide<K, V1>,
    right: JoinSide<K, V2>,
    joiner: (value: V1 | null, other: V2 | null, key: K) => VR,
    readonly store: KeyValueStoreRef<K, ValueAndTimestamp<VR>> | undefined,
  ) {
    if (kind !== 'inner') left.enableSendingOldValues(true)
    if (kind === 'outer') right.enableSendingOldValues(true)
    const reversed = (value: V2 | null, other: V1 | null, key: K) => joiner(other, value, key)
    this.thisSide = new JoinProcessorNode(kind, left, right, joiner)
    this.otherSide = new JoinProcessorNode(kind === 'left' ? 'right' : kind, right, left, reversed)
    this.getter = store
      ? storeGetter(store)
      : joinedGetter(kind, left.valueGetterSupplier(), right.valueGetterSupplier(), joiner)
  }

  enableSendingOldValues(): boolean {
    this.thisSide.enableSendingOldValues()
    this.otherSide.enableSendingOldValues()
    this.sendOldValues = true
    return true
  }

  view(): ValueGetterSupplier<K, VR> {
    return this.getter
  }

  supplier(): ProcessorSupplier<K, Change<VR>, K, Change<VR>> {
    const stores = (): readonly StoreRef[] => (this.store ? [this.store] : [])
    return {
      get stores() {
        return stores()
      },
      create: (ctx) => {
        const store = this.store ? ctx.store(this.store) : undefined
        const forward = tableForwarder(ctx, store, this.sendOldValues)
        return {
          process: (record) => {
            if (store !== undefined) {
              const { newValue } = record.value
              if (newValue === null) store.delete(record.key)
              else store.put(record.key, { value: newValue, timestamp: record.timestamp })
            }
            forward(record)
          },
        }
      },
    }
  }
}

/** Adds both join processors and the merge node; returns the merge node's name. */
export function tableTableJoin<K, V1, V2, VR>(
  context: DslContext,
  merge: TableJoinMergeNode<K, V1, V2, VR>,
  left: JoinSide<K, V1>,
  right: JoinSide<K, V2>,
  names: { readonly merge: string; readonly thisName: string; readonly otherName: string },
): string {
  context.addProcessor(names.thisName, merge.thisSide.supplier(), [left.node])
  context.addProcessor(names.otherName, merge.otherSide.supplier(), [right.node])
  return context.addProcessor(names.merge, merge.supplier(), [names.thisName, names.otherName])
}
