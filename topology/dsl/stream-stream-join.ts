// Windowed stream–stream joins (Kafka Streams' KStreamKStreamJoin, with the spurious-result fix of
// KIP-633): inner, left and outer. Each side puts its records into its window store (kept for
// before + after + grace of the store's stream time) and joins the other side's records of the same key
// within [t - before, t + after]. Left and outer joins hold a record that found no partner in a shared
// "outer" store and emit it joined with null only once its window has closed (stream time passed
// t + after + grace for the left side, t + before + grace for the right), unless a partner arrives first.
import {
  bufferSerde,
  readInt64BE,
  storeRef,
  windowStoreRef,
  type KeyValueStore,
  type KeyValueStoreRef,
  type Serde,
  type StoreRef,
  type TimestampedValue,
  type WindowStoreRef,
  writeInt64BE,
} from '../../state/index.js'
import type { ProcessorContext, ProcessorSupplier } from '../processor.js'
import type { StreamRecord } from '../record.js'
import type { DslContext } from './dsl-context.js'
import type { KStream } from './kstream.js'
import type { Named } from './options.js'
import type { JoinWindows } from './windows.js'

export { joinWindows } from './windows.js'
export type { JoinWindows } from './windows.js'

/** Stores of a stream–stream join (Kafka Streams' StreamJoined): their name prefix and serdes. */
export interface StreamJoined<K, V, VO> extends Named {
  /** Prefix of the store names (`<prefix>-this-join-store`, …), fixing their changelogs. */
  readonly storeName?: string
  readonly keySerde?: Serde<K>
  readonly thisValueSerde?: Serde<V>
  readonly otherValueSerde?: Serde<VO>
  /** Keep the window stores on LevelDB (default) or in memory. */
  readonly persistent?: boolean
  readonly logging?: boolean
}

export type StreamJoinKind = 'inner' | 'left' | 'outer'

/** Emitting held records is checked at most once per this much wall-clock time (Kafka Streams' default). */
const emitIntervalMs = 1000

/** Stream time and the oldest held record's time, shared by both sides of one task's join. */
interface TimeTracker {
  streamTime: number
  minTime: number
  nextTimeToEmit: number
}

/**
 * Outer store keys, `timestamp (8) ‖ side (1: left, 0: right) ‖ key`: byte order is time order, so the
 * oldest held records come first (Kafka Streams' TimestampedKeyAndJoinSide).
 */
function outerKey(keyBytes: Buffer, timestamp: number, left: boolean): Buffer {
  const out = Buffer.allocUnsafe(9 + keyBytes.length)
  writeInt64BE(out, timestamp, 0)
  out[8] = left ? 1 : 0
  keyBytes.copy(out, 9)
  return out
}

/** Held records of one key, time and side, in arrival order (Kafka Streams' list-value store). */
function heldListSerde(): Serde<Buffer[]> {
  return {
    serialize: (values) => {
      const parts: Buffer[] = []
      for (const value of values) {
        const length = Buffer.allocUnsafe(4)
        length.writeUInt32BE(value.length)
        parts.push(length, value)
      }
      return Buffer.concat(parts)
    },
    deserialize: (bytes) => {
      const values: Buffer[] = []
      for (let at = 0; at < bytes.length;) {
        const length = bytes.readUInt32BE(at)
        values.push(bytes.subarray(at + 4, at + 4 + length))
        at += 4 + length
      }
      return values
    },
  }
}

interface SideSpec<K, VThis, VOther, VR> {
  readonly name: string
  readonly left: boolean
  readonly outer: boolean
  readonly before: number
  readonly after: number
  readonly otherStore: WindowStoreRef<K, VOther>
  readonly joiner: (value: VThis | null, other: VOther | null, key: K) => VR
  readonly thisSerde: Serde<VThis>
  readonly otherSerde: Serde<VOther>
}

export function streamStreamJoin<K, V, VO, VR>(
  context: DslContext,
  left: KStream<K, V>,
  right: KStream<K, VO>,
  joiner: (value: V | null, otherValue: VO | null, key: K) => VR,
  windows: JoinWindows,
  kind: StreamJoinKind,
  options: StreamJoined<K, V, VO> = {},
): string {
  const named = options.name
  const thisWindowed = context.suffixedOr(named, '-this-windowed', 'KSTREAM-WINDOWED-')
  const otherWindowed = context.suffixedOr(named, '-other-windowed', 'KSTREAM-WINDOWED-')
  const thisGenerated = context.newName(kind === 'outer' ? 'KSTREAM-OUTERTHIS-' : 'KSTREAM-JOINTHIS-')
  const otherGenerated = context.newName(kind === 'inner' ? 'KSTREAM-JOINOTHER-' : 'KSTREAM-OUTEROTHER-')
  const thisName = named === undefined ? thisGenerated : `${named}-this-join`
  const otherName = named === undefined ? otherGenerated : `${named}-other-join`
  const mergeName = context.suffixedOr(named, '-merge', 'KSTREAM-MERGE-')
  const keySerde = options.keySerde ?? left.keySerde
  const thisSerde = options.thisValueSerde ?? left.valueSerde
  const otherSerde = options.otherValueSerde ?? right.valueSerde
  const retentionMs = windows.sizeMs + windows.graceMs
  const storeSettings = { persistent: options.persistent, logging: options.logging, retentionMs }
  const storeBase = options.storeName
  const thisStore = windowStoreRef<K, V>({
    name: storeBase === undefined ? `${thisGenerated}-store` : `${storeBase}-this-join-store`,
    keySerde,
    valueSerde: thisSerde,
    ...storeSettings,
  })
  const otherStore = windowStoreRef<K, VO>({
    name: storeBase === undefined ? `${otherGenerated}-store` : `${storeBase}-other-join-store`,
    keySerde,
    valueSerde: otherSerde,
    ...storeSettings,
  })
  const outerStore =
    kind === 'inner'
      ? undefined
      : storeRef<Buffer, Buffer[]>({
          name:
            storeBase === undefined
              ? `${context.newName('KSTREAM-OUTERSHARED-')}-store`
              : `${storeBase}-outer-shared-join-store`,
          keySerde: bufferSerde,
          valueSerde: heldListSerde(),
          persistent: options.persistent,
          logging: options.logging,
        })
  const trackers = new Map<string, TimeTracker>()

  const windowed = <VThis>(store: WindowStoreRef<K, VThis>): ProcessorSupplier<K, VThis, K, VThis> => ({
    stores: [store],
    create: (ctx) => {
      const window = ctx.store(store)
      return {
        process: (record) => {
          ctx.forward(record)
          if (record.key === null || record.key === undefined) return
          if (!window.put(record.key, record.value, record.timestamp)) ctx.droppedRecord()
        },
      }
    },
  })

  const side = <VThis, VOther>(spec: SideSpec<K, VThis, VOther, VR>): ProcessorSupplier<K, VThis, K, VR> => ({
    stores: [spec.otherStore, ...(outerStore ? [outerStore as unknown as StoreRef] : [])],
    create: (ctx) => {
      const other = ctx.store(spec.otherStore)
      const held = outerStore ? ctx.store(outerStore) : undefined
      let tracker = trackers.get(ctx.taskId)
      if (!tracker)
        trackers.set(ctx.taskId, (tracker = { streamTime: -1, minTime: Infinity, nextTimeToEmit: 0 }))
      const time = tracker
      /** Forwards `record` joined with each match (a held record of the other side so found is no longer pending). */
      const joinMatches = (
        record: StreamRecord<K, VThis>,
        matches: readonly TimestampedValue<VOther>[],
      ): void => {
        const key = record.key
        for (const match of matches) {
          if (held) held.delete(outerKey(keySerde.serialize(key), match.timestamp, !spec.left))
          ctx.forward({
            ...record,
            value: spec.joiner(record.value, match.value, key),
            timestamp: Math.max(record.timestamp, match.timestamp),
          })
        }
      }
      /** A left or outer join's record: emits held records whose window closed, joins, holds it if unmatched. */
      const processHeld = async (
        record: StreamRecord<K, VThis>,
        held: KeyValueStore<Buffer, Buffer[]>,
      ): Promise<void> => {
        const key = record.key
        const timestamp = record.timestamp
        if (timestamp === time.streamTime) await emitHeld(ctx, held, time, record, spec)
        const from = Math.max(0, timestamp - spec.before)
        const to = Math.max(0, timestamp + spec.after)
        const matches = await other.fetch(key, from, to)
        joinMatches(record, matches)
        if (!spec.outer || matches.length > 0) return
        if (to < time.streamTime) {
          ctx.forward({ ...record, value: spec.joiner(record.value, null, key) })
          return
        }
        time.minTime = Math.min(time.minTime, timestamp)
        const id = outerKey(keySerde.serialize(key), timestamp, spec.left)
        const list = (await held.get(id)) ?? []
        held.put(id, [...list, spec.thisSerde.serialize(record.value)])
      }
      return {
        // an inner join whose store answers at once runs synchronously: no promise per record
        process: (record) => {
          const timestamp = record.timestamp
          time.streamTime = Math.max(time.streamTime, timestamp)
          const nullKey = record.key === null || record.key === undefined
          const nullValue = record.value === null || record.value === undefined
          if (spec.outer && nullKey && !nullValue) {
            ctx.forward({ ...record, value: spec.joiner(record.value, null, record.key) })
            return
          }
          if (nullKey || nullValue) {
            ctx.droppedRecord()
            return
          }
          if (held) return processHeld(record, held)
          // inner join: neither held records nor records joined with null
          const from = Math.max(0, timestamp - spec.before)
          const to = Math.max(0, timestamp + spec.after)
          const matches = other.fetchNow?.(record.key, from, to)
          if (matches !== undefined) return joinMatches(record, matches)
          return other.fetch(record.key, from, to).then((found) => joinMatches(record, found))
        },
        close: () => {
          trackers.delete(ctx.taskId)
        },
      }
    },
  })

  /** Emits held records whose window closed, oldest first, each joined with null (then forgets them). */
  async function emitHeld<VThis, VOther>(
    ctx: ProcessorContext<K, VR>,
    held: KeyValueStore<Buffer, Buffer[]>,
    time: TimeTracker,
    record: StreamRecord<K, VThis>,
    spec: SideSpec<K, VThis, VOther, VR>,
  ): Promise<void> {
    if (time.minTime + spec.after + windows.graceMs >= time.streamTime) return
    const now = ctx.wallClockTime
    if (now < time.nextTimeToEmit) return
    time.nextTimeToEmit = now + emitIntervalMs
    time.minTime = Infinity
    let leftOpen = false
    let rightOpen = false
    const emitted: Buffer[] = []
    for await (const { key: id, value: values } of held.range()) {
      const heldTime = readInt64BE(id, 0)
      const heldLeft = id[8] === 1
      time.minTime = heldTime
      if (leftOpen && rightOpen) break
      // a left record waits for right records up to `after` later; a right one for left records `before` later
      const lookBack = heldLeft ? windows.afterMs : windows.beforeMs
      if (time.minTime + lookBack + windows.graceMs >= time.streamTime) {
        if (heldLeft) leftOpen = true
        else rightOpen = true
        continue
      }
      const key = keySerde.deserialize(id.subarray(9))
      for (const bytes of values) {
        const joined =
          heldLeft === spec.left
            ? spec.joiner(spec.thisSerde.deserialize(bytes), null, key)
            : spec.joiner(null, spec.otherSerde.deserialize(bytes), key)
        ctx.forward({ ...record, key, value: joined, timestamp: heldTime })
      }
      emitted.push(id)
    }
    for (const id of emitted) held.delete(id)
  }

  const reversed = (value: VO | null, otherValue: V | null, key: K) => joiner(otherValue, value, key)
  context.addProcessor(thisWindowed, windowed(thisStore), [left.node])
  context.addProcessor(otherWindowed, windowed(otherStore), [right.node])
  context.addProcessor(
    thisName,
    side<V, VO>({
      name: thisName,
      left: true,
      outer: kind !== 'inner',
      before: windows.beforeMs,
      after: windows.afterMs,
      otherStore,
      joiner,
      thisSerde,
      otherSerde,
    }),
    [thisWindowed],
  )
  context.addProcessor(
    otherName,
    side<VO, V>({
      name: otherName,
      left: false,
      outer: kind === 'outer',
      before: windows.afterMs,
      after: windows.beforeMs,
      otherStore: thisStore,
      joiner: reversed,
      thisSerde: otherSerde,
      otherSerde: thisSerde,
    }),
    [otherWindowed],
  )
  context.addProcessor(mergeName, { create: (ctx) => ({ process: (r) => ctx.forward(r) }) }, [
    thisName,
    otherName,
  ])
  return mergeName
}

export type { KeyValueStoreRef }
