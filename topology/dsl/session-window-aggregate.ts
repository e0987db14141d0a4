// Aggregation over session windows (Kafka Streams' KStreamSessionWindowAggregate): a record joins the
// sessions of its key within the inactivity gap; when it bridges several, they merge into one (each merged
// session is deleted downstream with a tombstone, then the merged session is forwarded). A session that
// ends before the processor's stream time minus gap and grace is closed: its records are dropped and counted.
import type { SessionStoreRef, StoreRef, Window } from '../../state/index.js'
import type { ProcessorSupplier } from '../processor.js'
import type { Change } from './change.js'
import type { Aggregator, Initializer } from './stream-aggregate.js'
import { forwardChange, type TableProducer, type ValueGetterSupplier } from './table-node.js'
import { Windowed } from './windowed.js'
import type { SessionWindows } from './windows.js'

/** Merges two session aggregates when a record bridges their sessions. */
export type Merger<K, VA> = (key: K, aggregate1: VA, aggregate2: VA) => VA

export class SessionAggregateNode<K, VA> implements TableProducer<Windowed<K>, VA> {
  private sendOldValues = false

  constructor(
    readonly store: SessionStoreRef<K, VA>,
    private readonly windows: SessionWindows,
  ) {}

  enableSendingOldValues(): boolean {
    this.sendOldValues = true
    return true
  }

  /** A session's row: its aggregate, timestamped with the session's end. */
  view(): ValueGetterSupplier<Windowed<K>, VA> {
    const ref = this.store
    return {
      storeRefs: () => [ref],
      create: (ctx) => {
        const store = ctx.store(ref)
        return {
          get: async (windowed) => {
            const value = await store.fetchSession(windowed.key, windowed.window.start, windowed.window.end)
            return value === undefined ? undefined : { value, timestamp: windowed.window.end }
          },
        }
      },
    }
  }

  aggregator<V>(
    initializer: Initializer<VA>,
    aggregator: Aggregator<K, V, VA>,
    merger: Merger<K, VA>,
  ): ProcessorSupplier<K, V, Windowed<K>, Change<VA>> {
    const stores = (): readonly StoreRef[] => [this.store]
    return {
      get stores() {
        return stores()
      },
      create: (ctx) => {
        const store = ctx.store(this.store)
        const sendOldValues = this.sendOldValues
        const { inactivityGapMs: gap, graceMs } = this.windows
        let observedStreamTime = -1
        // with record caching (Kafka Streams' CachingSessionStore) the store hands each session's latest
        // update on at flush or eviction, timestamped with the record that wrote it last; otherwise every
        // update is forwarded here, timestamped with the session's end
        const caching =
          store.setFlushListener?.(
            (change) =>
              ctx.forward({
                key: new Windowed(change.key, change.window),
                value: { newValue: change.newValue ?? null, oldValue: change.oldValue ?? null },
                timestamp: change.timestamp,
              }),
            sendOldValues,
          ) === true
        const forward = (key: Windowed<K>, oldValue: VA | null, newValue: VA | null) => {
          if (!caching)
            forwardChange(
              ctx,
              { key, value: { newValue, oldValue }, timestamp: key.window.end },
              sendOldValues,
            )
        }
        return {
          process: async (record) => {
            if (record.key === null || record.key === undefined) {
              ctx.droppedRecord()
              return
            }
            const timestamp = record.timestamp
            observedStreamTime = Math.max(observedStreamTime, timestamp)
            const closeTime = observedStreamTime - graceMs - gap
            const merged = await store.findSessions(record.key, timestamp - gap, timestamp + gap)
            let window: Window = { start: timestamp, end: timestamp }
            let aggregate = initializer()
            for (const session of merged) {
              aggregate = merger(record.key, aggregate, session.value)
              window = {
                start: Math.min(window.start, session.window.start),
                end: Math.max(window.end, session.window.end),
              }
            }
            if (window.end < closeTime) {
              ctx.droppedRecord()
              return
            }
            if (window.start !== timestamp || window.end !== timestamp) {
              for (const session of merged) {
                store.remove(record.key, session.window)
                forward(new Windowed(record.key, session.window), session.value, null)
              }
            }
            aggregate = aggregator(record.key, record.value, aggregate)
            const key = new Windowed(record.key, window)
            if (!store.put(record.key, window, aggregate)) ctx.droppedRecord()
            forward(key, null, aggregate)
          },
        }
      },
    }
  }
}
