// KTable.suppress (Kafka Streams' KTableSuppressProcessorSupplier, KIP-328): holds back a table's updates
// in a buffer keyed by the table's key (a newer update replaces the held one but keeps its place in time
// order), and emits the latest update of a key once stream time passes its buffer time plus the wait:
// the window's end plus the grace period (untilWindowCloses: one final result per window), or the
// record's time plus a time limit (untilTimeLimit). The buffer is a changelogged store: it survives a crash.
import {
  bufferSerde,
  readInt64BE,
  storeRef,
  writeInt64BE,
  type KeyValueStoreRef,
  type Serde,
} from '../../state/index.js'
import type { Headers } from '../../kafka/index.js'
import { StreamsError, TopologyError } from '../errors.js'
import type { ProcessorSupplier } from '../processor.js'
import type { Change } from './change.js'
import type { TableProducer, ValueGetterSupplier } from './table-node.js'
import type { Windowed } from './windowed.js'

const unbounded = Number.MAX_SAFE_INTEGER

/** How much a suppression may hold, and what happens when it is full (Kafka Streams' BufferConfig). */
export class BufferConfig {
  private constructor(
    readonly maxRecords: number,
    readonly maxBytes: number,
    /** `emit-early`: emit the oldest updates to make room; `shut-down`: stop the application with an error. */
    readonly whenFull: 'emit-early' | 'shut-down',
    readonly logging: boolean,
  ) {}

  /** No bound: may use as much memory as the held updates need (never emits early). */
  static unbounded(): BufferConfig {
    return new BufferConfig(unbounded, unbounded, 'shut-down', true)
  }

  /** At most `records` held updates; emits early when full (call `shutDownWhenFull` to fail instead). */
  static maxRecords(records: number): BufferConfig {
    return new BufferConfig(records, unbounded, 'emit-early', true)
  }

  /** At most `bytes` of held updates (Kafka Streams' size estimate); emits early when full. */
  static maxBytes(bytes: number): BufferConfig {
    return new BufferConfig(unbounded, bytes, 'emit-early', true)
  }

  withMaxRecords(records: number): BufferConfig {
    return new BufferConfig(records, this.maxBytes, this.whenFull, this.logging)
  }

  withMaxBytes(bytes: number): BufferConfig {
    return new BufferConfig(this.maxRecords, bytes, this.whenFull, this.logging)
  }

  withNoBound(): BufferConfig {
    return new BufferConfig(unbounded, unbounded, 'shut-down', this.logging)
  }

  /** When full, stop with an error rather than emit an update early (the only choice for final results). */
  shutDownWhenFull(): BufferConfig {
    return new BufferConfig(this.maxRecords, this.maxBytes, 'shut-down', this.logging)
  }

  emitEarlyWhenFull(): BufferConfig {
    return new BufferConfig(this.maxRecords, this.maxBytes, 'emit-early', this.logging)
  }

  /** Without a changelog the buffer is lost on a crash (and its updates with it). */
  withLoggingDisabled(): BufferConfig {
    return new BufferConfig(this.maxRecords, this.maxBytes, this.whenFull, false)
  }
}

export class Suppressed {
  private constructor(
    readonly kind: 'window-close' | 'time-limit',
    readonly timeLimitMs: number,
    readonly buffer: BufferConfig,
    readonly name: string | undefined,
  ) {}

  /**
   * One final result per window: each window's last update, emitted once the window closed (stream time
   * passed its end plus the grace period). For windowed tables; the buffer must not emit early.
   */
  static untilWindowCloses(buffer: BufferConfig): Suppressed {
    if (buffer.whenFull !== 'shut-down')
      throw new TopologyError(
        'untilWindowCloses needs a buffer that shuts down when full (unbounded or shutDownWhenFull)',
      )
    return new Suppressed('window-close', 0, buffer, undefined)
  }

  /** Each key's latest update, emitted once stream time passed the update's time by `timeLimitMs`. */
  static untilTimeLimit(timeLimitMs: number, buffer: BufferConfig): Suppressed {
    if (!Number.isSafeInteger(timeLimitMs) || timeLimitMs < 0)
      throw new TopologyError(`the time limit must be an integer number of ms >= 0, got ${timeLimitMs}`)
    return new Suppressed('time-limit', timeLimitMs, buffer, undefined)
  }

  /** Names the processor and its buffer store (`<name>-store`), so they keep their state across topology changes. */
  withName(name: string): Suppressed {
    return new Suppressed(this.kind, this.timeLimitMs, this.buffer, name)
  }
}

/** A held update: its place in time order, the record's context, and the values as bytes. */
interface BufferEntry {
  readonly time: number
  readonly timestamp: number
  readonly topic: string
  readonly headers: Headers
  /** The table's value before the first update held for this key (what the table showed downstream). */
  readonly priorValue: Buffer | null
  readonly oldValue: Buffer | null
  readonly newValue: Buffer | null
}

function writeBytes(parts: Buffer[], bytes: Buffer | null): void {
  const length = Buffer.allocUnsafe(4)
  length.writeInt32BE(bytes === null ? -1 : bytes.length)
  parts.push(length)
  if (bytes !== null) parts.push(bytes)
}

/** `time ‖ timestamp ‖ topic ‖ headers ‖ prior ‖ old ‖ new`, each byte field with a length (-1: null). */
export const bufferEntrySerde: Serde<BufferEntry> = {
  serialize: (entry) => {
    const head = Buffer.allocUnsafe(16)
    writeInt64BE(head, entry.time, 0)
    writeInt64BE(head, entry.timestamp, 8)
    const parts: Buffer[] = [head]
    writeBytes(parts, Buffer.from(entry.topic))
    const headers = Object.entries(entry.headers)
    const count = Buffer.allocUnsafe(4)
    count.writeInt32BE(headers.length)
    parts.push(count)
    for (const [key, value] of headers) {
      writeBytes(parts, Buffer.from(key))
      writeBytes(parts, value)
    }
    writeBytes(parts, entry.priorValue)
    writeBytes(parts, entry.oldValue)
    writeBytes(parts, entry.newValue)
    return Buffer.concat(parts)
  },
  deserialize: (bytes) => {
    let at = 16
    const read = (): Buffer | null => {
      const length = bytes.readInt32BE(at)
      at += 4
      if (length < 0) return null
      const out = bytes.subarray(at, at + length)
      at += length
      return out
    }
    const time = readInt64BE(bytes, 0)
    const timestamp = readInt64BE(bytes, 8)
    const topic = read()?.toString() ?? ''
    const count = bytes.readInt32BE(at)
    at += 4
    const headers: Record<string, Buffer> = {}
    for (let i = 0; i < count; i++) {
      const key = read()!.toString()
      headers[key] = read() ?? Buffer.alloc(0)
    }
    return { time, timestamp, topic, headers, priorValue: read(), oldValue: read(), newValue: read() }
  },
}

/** Kafka Streams' estimate of a held update's memory, which `maxBytes` bounds. */
function entrySize(key: Buffer, entry: BufferEntry): number {
  let size = 8 + key.length
  size += entry.priorValue?.length ?? 0
  if (entry.oldValue !== null && entry.oldValue !== entry.priorValue) size += entry.oldValue.length
  size += entry.newValue?.length ?? 0
  size += 8 + 8 + entry.topic.length + 4
  for (const [header, value] of Object.entries(entry.headers)) size += header.length + value.length
  return size
}

/** Held keys in eviction order: buffer time, then key bytes (a binary heap on `time ‖ key`). */
class EvictionQueue {
  private readonly heap: { time: number; id: string }[] = []

  get size(): number {
    return this.heap.length
  }

  peek(): { time: number; id: string } | undefined {
    return this.heap[0]
  }

  push(time: number, id: string): void {
    const heap = this.heap
    heap.push({ time, id })
    for (let i = heap.length - 1; i > 0;) {
      const parent = (i - 1) >> 1
      if (!before(heap[i]!, heap[parent]!)) break
      ;[heap[i], heap[parent]] = [heap[parent]!, heap[i]!]
      i = parent
    }
  }

  pop(): { time: number; id: string } | undefined {
    const heap = this.heap
    const top = heap[0]
    const last = heap.pop()
    if (heap.length > 0 && last) {
      heap[0] = last
      for (let i = 0; ;) {
        const l = 2 * i + 1
        const r = l + 1
        let m = i
        if (l < heap.length && before(heap[l]!, heap[m]!)) m = l
        if (r < heap.length && before(heap[r]!, heap[m]!)) m = r
        if (m === i) break
        ;[heap[i], heap[m]] = [heap[m]!, heap[i]!]
        i = m
      }
    }
    return top
  }
}

function before(a: { time: number; id: string }, b: { time: number; id: string }): boolean {
  return a.time < b.time || (a.time === b.time && a.id < b.id)
}

export interface ParentTableView<K, V> {
  enableSendingOldValues(forceMaterialization: boolean): boolean
  valueGetterSupplier(): ValueGetterSupplier<K, V>
  readonly keySerde: Serde<K>
  readonly valueSerde: Serde<V>
}

export class SuppressNode<K, V> implements TableProducer<K, V> {
  readonly store: KeyValueStoreRef<Buffer, BufferEntry>

  constructor(
    private readonly parent: ParentTableView<K, V>,
    private readonly suppressed: Suppressed,
    storeName: string,
    /** untilWindowCloses: the grace period of the windowed aggregation upstream. */
    private readonly graceMs: number,
  ) {
    this.store = storeRef({
      name: storeName,
      keySerde: bufferSerde,
      valueSerde: bufferEntrySerde,
      persistent: false,
      logging: suppressed.buffer.logging,
    })
    parent.enableSendingOldValues(true)
  }

  enableSendingOldValues(forceMaterialization: boolean): boolean {
    return this.parent.enableSendingOldValues(forceMaterialization)
  }

  /** A held key reads as its prior value (what downstream last saw), others through the parent. */
  view(): ValueGetterSupplier<K, V> {
    const parent = this.parent.valueGetterSupplier()
    const { store } = this
    const { keySerde, valueSerde } = this.parent
    return {
      storeRefs: () => [store, ...parent.storeRefs()],
      create: (ctx) => {
        const buffer = ctx.store(store)
        const parentGetter = parent.create(ctx)
        return {
          get: async (key) => {
            const held = await buffer.get(keySerde.serialize(key))
            if (held === undefined) return parentGetter.get(key)
            return held.priorValue === null
              ? undefined
              : { value: valueSerde.deserialize(held.priorValue), timestamp: -1 }
          },
        }
      },
    }
  }

  supplier(): ProcessorSupplier<K, Change<V>, K, Change<V>> {
    const { store, suppressed } = this
    const { keySerde, valueSerde } = this.parent
    const windowClose = suppressed.kind === 'window-close'
    const waitMs = windowClose ? this.graceMs : suppressed.timeLimitMs
    const { maxRecords, maxBytes, whenFull } = suppressed.buffer
    return {
      stores: [store],
      create: (ctx) => {
        const buffer = ctx.store(store)
        const held = new Map<string, { key: Buffer; entry: BufferEntry }>()
        const queue = new EvictionQueue()
        let bytes = 0
        let observedStreamTime = -1
        const serialize = (value: V | null) => (value === null ? null : valueSerde.serialize(value))
        const hold = (key: Buffer, entry: BufferEntry, log: boolean) => {
          const id = key.toString('latin1')
          const previous = held.get(id)
          if (previous) bytes -= entrySize(key, previous.entry)
          else queue.push(entry.time, id)
          // a newer update keeps the older one's place in time order (Kafka Streams' non-resetting put)
          const placed = previous ? { ...entry, time: previous.entry.time } : entry
          held.set(id, { key, entry: placed })
          bytes += entrySize(key, placed)
          if (log) buffer.put(key, placed)
        }
        const evictOldest = () => {
          const top = queue.pop()!
          const { key, entry } = held.get(top.id)!
          held.delete(top.id)
          bytes -= entrySize(key, entry)
          buffer.delete(key)
          if (entry.newValue === null && windowClose) return // a final result needs no tombstone
          ctx.forward({
            key: keySerde.deserialize(key),
            value: {
              newValue: entry.newValue === null ? null : valueSerde.deserialize(entry.newValue),
              oldValue: entry.oldValue === null ? null : valueSerde.deserialize(entry.oldValue),
            },
            timestamp: entry.timestamp,
            headers: entry.headers,
          })
        }
        const overCapacity = () => held.size > maxRecords || bytes > maxBytes
        return {
          init: async () => {
            for await (const { key, value } of buffer.range()) hold(key, value, false)
          },
          process: (record) => {
            observedStreamTime = Math.max(observedStreamTime, record.timestamp)
            const key = keySerde.serialize(record.key)
            const time = windowClose ? (record.key as Windowed<unknown>).window.end : record.timestamp
            const previous = held.get(key.toString('latin1'))
            const oldValue = serialize(record.value.oldValue)
            hold(
              key,
              {
                time,
                timestamp: record.timestamp,
                topic: ctx.origin?.topic ?? '',
                headers: record.headers ?? {},
                priorValue: previous ? previous.entry.priorValue : oldValue,
                oldValue,
                newValue: serialize(record.value.newValue),
              },
              true,
            )
            const expiry = observedStreamTime - waitMs
            while (queue.size > 0 && queue.peek()!.time <= expiry) evictOldest()
            if (!overCapacity()) return
            if (whenFull === 'emit-early') {
              while (queue.size > 0 && overCapacity()) evictOldest()
              return
            }
            throw new StreamsError(
              'PROCESSING',
              `suppression buffer ${store.name} exceeded its capacity: ${held.size}/${maxRecords} records, ` +
                `${bytes}/${maxBytes} bytes (shutDownWhenFull)`,
            )
          },
        }
      },
    }
  }
}
