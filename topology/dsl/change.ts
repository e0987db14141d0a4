// What flows between table operators (Kafka Streams' Change<V>) and what their stores hold
// (ValueAndTimestamp<V>), with the serdes of both.
import { readInt64BE, writeInt64BE, type Serde } from '../../state/index.js'

/**
 * An update of a table row: the new value and, when the downstream operator asked for old values
 * (`enableSendingOldValues`), the value it replaces. `null` means "no row" (a delete, or not sent).
 */
export interface Change<V> {
  readonly newValue: V | null
  readonly oldValue: V | null
}

/** A table row as its store keeps it: the value and the timestamp of the update that produced it. */
export interface ValueAndTimestamp<V> {
  readonly value: V
  readonly timestamp: number
}

/** Marks serdes that wrap a value with its timestamp, so tools can show the value alone. */
export interface ValueAndTimestampSerde<V> extends Serde<ValueAndTimestamp<V>> {
  readonly valueSerde: Serde<V>
}

/** `timestamp (8 bytes, big-endian) ‖ value`: Kafka Streams' ValueAndTimestampSerializer format. */
export function valueAndTimestampSerde<V>(valueSerde: Serde<V>): ValueAndTimestampSerde<V> {
  return {
    valueSerde,
    serialize: ({ value, timestamp }) => {
      const bytes = valueSerde.serialize(value)
      const out = Buffer.allocUnsafe(8 + bytes.length)
      writeInt64BE(out, timestamp)
      bytes.copy(out, 8)
      return out
    },
    deserialize: (bytes) => ({
      timestamp: readInt64BE(bytes),
      value: valueSerde.deserialize(bytes.subarray(8)),
    }),
  }
}

export function isValueAndTimestampSerde(serde: Serde<unknown>): serde is ValueAndTimestampSerde<unknown> {
  return 'valueSerde' in serde
}

/**
 * A `Change` in one record, as Kafka Streams' ChangedSerializer writes it to a repartition topic:
 * `old ‖ 0x00`, `new ‖ 0x01`, or `newLength (4 bytes) ‖ new ‖ old ‖ 0x02` when both are present.
 */
export function changeSerde<V>(valueSerde: Serde<V>): Serde<Change<V>> {
  return {
    serialize: ({ newValue, oldValue }) => {
      if (newValue !== null && oldValue !== null) {
        const n = valueSerde.serialize(newValue)
        const o = valueSerde.serialize(oldValue)
        const out = Buffer.allocUnsafe(4 + n.length + o.length + 1)
        out.writeUInt32BE(n.length, 0)
        n.copy(out, 4)
        o.copy(out, 4 + n.length)
        out[out.length - 1] = 2
        return out
      }
      if (newValue === null && oldValue === null) throw new Error('a change needs a new or an old value')
      const bytes = valueSerde.serialize((newValue ?? oldValue) as V)
      return Buffer.concat([bytes, Buffer.from([newValue === null ? 0 : 1])])
    },
    deserialize: (bytes) => {
      const flag = bytes[bytes.length - 1] ?? -1
      const body = bytes.subarray(0, bytes.length - 1)
      switch (flag) {
        case 0:
          return { newValue: null, oldValue: valueSerde.deserialize(body) }
        case 1:
          return { newValue: valueSerde.deserialize(body), oldValue: null }
        case 2: {
          const length = body.readUInt32BE(0)
          return {
            newValue: valueSerde.deserialize(body.subarray(4, 4 + length)),
            oldValue: valueSerde.deserialize(body.subarray(4 + length)),
          }
        }
        default:
          throw new Error(`unknown change flag ${String(flag)}`)
      }
    },
  }
}
