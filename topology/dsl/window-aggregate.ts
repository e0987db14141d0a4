// Aggregation over tumbling and hopping time windows (Kafka Streams' KStreamWindowAggregate): each record
// updates every window it falls in that is not closed yet; a window closes once the processor's stream
// time passes its end plus the grace period, and a record only for closed windows is dropped and counted.
import type { StoreRef, TimeWindowStore, TimeWindowStoreRef, Window } from '../../state/index.js'
import type { ProcessorContext, ProcessorSupplier } from '../processor.js'
import type { StreamRecord } from '../record.js'
import type { Change, ValueAndTimestamp } from './change.js'
import type { Aggregator, Initializer } from './stream-aggregate.js'
import { forwardChange, type TableProducer, type ValueGetterSupplier } from './table-node.js'
import { Windowed } from './windowed.js'
import type { TimeWindows } from './windows.js'

/** Reads a windowed aggregate's row for a windowed key (the window store, by key and window start). */
export function windowStoreGetter<K, VA>(
  store: TimeWindowStoreRef<K, ValueAndTimestamp<VA>>,
): ValueGetterSupplier<Windowed<K>, VA> {
  return {
    storeRefs: () => [store],
    create: (ctx) => {
      const windows = ctx.store(store)
      return { get: (windowed) => windows.fetch(windowed.key, windowed.window.start) }
    },
  }
}

/**
 * How a windowed aggregation forwards its updates (Kafka Streams' TimestampedTupleForwarder over a caching
 * window store). When its store caches records (the instance's `cacheMaxBytes` > 0, the store's cache on),
 * there is no function: the store hands each window's latest update on when its cache is flushed (every
 * commit) or evicts it, with the store's previous value as old value when asked for — and the caller builds
 * no update record to throw away. Otherwise it forwards every update. `sizeMs` gives a window's end from
 * its start.
 */
export function windowForwarder<K, VA>(
  context: ProcessorContext<Windowed<K>, Change<VA>>,
  store: TimeWindowStore<K, ValueAndTimestamp<VA>>,
  sizeMs: number,
  sendOldValues: boolean,
): ((record: StreamRecord<Windowed<K>, Change<VA>>) => void) | undefined {
  const caching =
    store.setFlushListener?.(
      (change) =>
        context.forward({
          key: new Windowed(change.key, { start: change.windowStart, end: change.windowStart + sizeMs }),
          value: { newValue: change.newValue?.value ?? null, oldValue: change.oldValue?.value ?? null },
          timestamp: change.newValue?.timestamp ?? change.timestamp,
        }),
      sendOldValues,
    ) === true
  return caching ? undefined : (record) => forwardChange(context, record, sendOldValues)
}

export class WindowAggregateNode<K, VA> implements TableProducer<Windowed<K>, VA> {
  private sendOldValues = false

  constructor(
    readonly store: TimeWindowStoreRef<K, ValueAndTimestamp<VA>>,
    private readonly windows: TimeWindows,
  ) {}

  enableSendingOldValues(): boolean {
    this.sendOldValues = true
    return true
  }

  view(): ValueGetterSupplier<Windowed<K>, VA> {
    return windowStoreGetter(this.store)
  }

  /**
   * A processor folding records into their windows. A window's first update carries the initial aggregate
   * as its old value; its row's timestamp is the latest record timestamp in it.
   */
  aggregator<V>(
    initializer: Initializer<VA>,
    aggregator: Aggregator<K, V, VA>,
  ): ProcessorSupplier<K, V, Windowed<K>, Change<VA>> {
    const stores = (): readonly StoreRef[] => [this.store]
    return {
      get stores() {
        return stores()
      },
      create: (ctx) => {
        const store = ctx.store(this.store)
        const windows = this.windows
        const forward = windowForwarder(ctx, store, windows.sizeMs, this.sendOldValues)
        let observedStreamTime = -1
        type Row = ValueAndTimestamp<VA> | undefined
        /** Folds the record into one window whose row was read. */
        const update = (record: StreamRecord<K, V>, window: Window, old: Row) => {
          const base = old === undefined ? initializer() : old.value
          const newTimestamp =
            old === undefined ? record.timestamp : Math.max(record.timestamp, old.timestamp)
          const newValue = aggregator(record.key, record.value, base)
          // an update of a window the store already expired is dropped there, and counted (Kafka Streams)
          if (!store.put(record.key, { value: newValue, timestamp: newTimestamp }, window.start))
            ctx.droppedRecord()
          forward?.({
            ...record,
            key: new Windowed(record.key, window),
            timestamp: newTimestamp,
            value: { newValue, oldValue: base },
          })
        }
        /**
         * The record's windows from `from` on: one closed (ending at or before `closeTime`) is dropped, the
         * others read as the store answers — at once when it can, else awaited — and updated.
         */
        const fold = (
          record: StreamRecord<K, V>,
          windowsOf: readonly Window[],
          closeTime: number,
          from: number,
        ): void | Promise<void> => {
          for (let i = from; i < windowsOf.length; i++) {
            const window = windowsOf[i]!
            if (window.end <= closeTime) {
              ctx.droppedRecord()
              continue
            }
            const now = store.fetchNow?.(record.key, window.start)
            if (now === undefined)
              return store.fetch(record.key, window.start).then((old) => {
                update(record, window, old)
                return fold(record, windowsOf, closeTime, i + 1)
              })
            update(record, window, now.value)
          }
        }
        return {
          // synchronous while the store answers at once (a record cache hit, or a synchronous read below)
          process: (record) => {
            if (record.key === null || record.key === undefined) {
              ctx.droppedRecord()
              return
            }
            observedStreamTime = Math.max(observedStreamTime, record.timestamp)
            const closeTime = observedStreamTime - windows.graceMs
            return fold(record, windows.windowsFor(record.timestamp), closeTime, 0)
          },
        }
      },
    }
  }
}
