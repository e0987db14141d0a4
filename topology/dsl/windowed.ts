// Windowed keys and their serdes, in Kafka Streams' wire formats, so Java consumers read our output:
// TimeWindowedSerializer writes `key ‖ start (8 bytes)`, SessionWindowedSerializer `key ‖ end ‖ start`.
import { readInt64BE, writeInt64BE, type Serde, type Window } from '../../state/index.js'
import { partitionForKey } from '../runtime/partitioner.js'
import type { Partitioner } from '../topology.js'

/** A key and the window it was aggregated in. `toString()` is Kafka Streams' `[key@start/end]`. */
export class Windowed<K> {
  constructor(
    readonly key: K,
    readonly window: Window,
  ) {}

  toString(): string {
    return `[${String(this.key)}@${this.window.start}/${this.window.end}]`
  }
}

/** A serde of windowed keys; `suffixBytes` of window after the plain key's bytes. */
export interface WindowedSerde<K> extends Serde<Windowed<K>> {
  readonly keySerde: Serde<K>
  readonly suffixBytes: number
}

export function isWindowedSerde(serde: Serde<unknown>): serde is WindowedSerde<unknown> {
  return 'suffixBytes' in serde && 'keySerde' in serde
}

const maxTime = Number.MAX_SAFE_INTEGER

/**
 * Time-windowed keys (Kafka Streams' TimeWindowedSerde): the end is not on the wire, so the reader needs
 * the window size (`windowSizeMs`; unknown: the end reads as the maximum time).
 */
export function timeWindowedSerde<K>(keySerde: Serde<K>, windowSizeMs = maxTime): WindowedSerde<K> {
  return {
    keySerde,
    suffixBytes: 8,
    serialize: (windowed) => {
      const key = keySerde.serialize(windowed.key)
      const out = Buffer.allocUnsafe(key.length + 8)
      key.copy(out, 0)
      writeInt64BE(out, windowed.window.start, key.length)
      return out
    },
    deserialize: (bytes) => {
      const start = readInt64BE(bytes, bytes.length - 8)
      const key = keySerde.deserialize(bytes.subarray(0, bytes.length - 8))
      return new Windowed(key, { start, end: Math.min(maxTime, start + windowSizeMs) })
    },
  }
}

/** Session-windowed keys (Kafka Streams' SessionWindowedSerde): `key ‖ end ‖ start`. */
export function sessionWindowedSerde<K>(keySerde: Serde<K>): WindowedSerde<K> {
  return {
    keySerde,
    suffixBytes: 16,
    serialize: (windowed) => {
      const key = keySerde.serialize(windowed.key)
      const out = Buffer.allocUnsafe(key.length + 16)
      key.copy(out, 0)
      writeInt64BE(out, windowed.window.end, key.length)
      writeInt64BE(out, windowed.window.start, key.length + 8)
      return out
    },
    deserialize: (bytes) => {
      const at = bytes.length - 16
      const key = keySerde.deserialize(bytes.subarray(0, at))
      return new Windowed(key, { start: readInt64BE(bytes, at + 8), end: readInt64BE(bytes, at) })
    },
  }
}

/** Partitions windowed keys by their plain key (Kafka Streams' WindowedStreamPartitioner). */
export function windowedPartitioner(serde: WindowedSerde<unknown>): Partitioner {
  return (key, _value, partitions) =>
    key === null ? undefined : partitionForKey(key.subarray(0, key.length - serde.suffixBytes), partitions)
}
