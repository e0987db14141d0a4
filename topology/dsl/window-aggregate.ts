// Aggregation over tumbling and hopping time windows (Kafka Streams' KStreamWindowAggregate): each record
// updates every window it falls in that is not closed yet; a window closes once the processor's stream
// time passes its end plus the grace period, and a record only for closed windows is dropped and counted.
import type { StoreRef, TimeWindowStoreRef } from '../../state/index.js'
import type { ProcessorSupplier } from '../processor.js'
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
        const sendOldValues = this.sendOldValues
        const windows = this.windows
        let observedStreamTime = -1
        return {
          process: async (record) => {
            if (record.key === null || record.key === undefined) {
              ctx.droppedRecord()
              return
            }
            const timestamp = record.timestamp
            observedStreamTime = Math.max(observedStreamTime, timestamp)
            const closeTime = observedStreamTime - windows.graceMs
            for (const window of windows.windowsFor(timestamp)) {
              if (window.end <= closeTime) {
                ctx.droppedRecord()
                continue
              }
              const old = await store.fetch(record.key, window.start)
              const base = old === undefined ? initializer() : old.value
              const newTimestamp = old === undefined ? timestamp : Math.max(timestamp, old.timestamp)
              const newValue = aggregator(record.key, record.value, base)
              // an update of a window the store already expired is dropped there, and counted (Kafka Streams)
              if (!store.put(record.key, { value: newValue, timestamp: newTimestamp }, window.start))
                ctx.droppedRecord()
              forwardChange(
                ctx,
                {
                  ...record,
                  key: new Windowed(record.key, window),
                  timestamp: newTimestamp,
                  value: { newValue, oldValue: base },
                },
                sendOldValues,
              )
            }
          },
        }
      },
    }
  }
}
