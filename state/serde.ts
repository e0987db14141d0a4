// Serdes: how keys and values become bytes for changelogs, topics and persistent stores.

/** Turns values of one type into bytes and back. `deserialize` throws on bytes it cannot read. */
export interface Serde<T> {
  serialize(value: T): Buffer
  deserialize(bytes: Buffer): T
  /**
   * Loads what `deserialize(bytes)` needs that is not local yet (e.g. a schema from a registry). The
   * runtime awaits it before `deserialize` when it returns a promise; most serdes have none.
   */
  prepare?(bytes: Buffer): Promise<void> | undefined
}

export const stringSerde: Serde<string> = {
  serialize: (value) => Buffer.from(value, 'utf8'),
  deserialize: (bytes) => bytes.toString('utf8'),
}

export const bufferSerde: Serde<Buffer> = {
  serialize: (value) => value,
  deserialize: (bytes) => bytes,
}

/** JSON text; for values that are plain data (no Dates, Maps or bigints). */
export function jsonSerde<T>(): Serde<T> {
  return {
    serialize: (value) => Buffer.from(JSON.stringify(value), 'utf8'),
    deserialize: (bytes) => JSON.parse(bytes.toString('utf8')) as T,
  }
}

const twoTo32 = 2 ** 32

/**
 * Writes an 8-byte big-endian signed integer (Kafka's long) at `offset`. A safe integer goes as two
 * 32-bit halves (no BigInt per value: counts and timestamps are written once per record or more); any
 * other integer through BigInt; a non-integer is a RangeError.
 */
export function writeInt64BE(out: Buffer, value: number, offset = 0): void {
  if (Number.isSafeInteger(value)) {
    const high = Math.floor(value / twoTo32)
    out.writeInt32BE(high, offset)
    out.writeUInt32BE(value - high * twoTo32, offset + 4)
  } else out.writeBigInt64BE(BigInt(value), offset)
}

/** Reads an 8-byte big-endian signed integer: one rounding (the sum), as Number(BigInt) rounds. */
export function readInt64BE(bytes: Buffer, offset = 0): number {
  return bytes.readInt32BE(offset) * twoTo32 + bytes.readUInt32BE(offset + 4)
}

/**
 * 8-byte big-endian signed integer (Kafka's LongSerde), so that byte order equals numeric order for
 * non-negative numbers.
 */
export const int64Serde: Serde<number> = {
  serialize: (value) => {
    const bytes = Buffer.allocUnsafe(8)
    writeInt64BE(bytes, value)
    return bytes
  },
  deserialize: (bytes) => readInt64BE(bytes),
}

/** 4-byte big-endian signed integer: Kafka's IntegerSerializer/IntegerDeserializer. */
export const int32Serde: Serde<number> = {
  serialize: (value) => {
    const bytes = Buffer.allocUnsafe(4)
    bytes.writeInt32BE(value)
    return bytes
  },
  deserialize: (bytes) => {
    if (bytes.length !== 4) throw new Error(`an int32 needs 4 bytes, got ${bytes.length}`)
    return bytes.readInt32BE()
  },
}

/** The writing half of a serde, e.g. for a key prefix that is not itself a key. */
export type Serializer<T> = Pick<Serde<T>, 'serialize'>

/** 2-byte big-endian signed integer (Kafka's ShortSerde). */
export const int16Serde: Serde<number> = {
  serialize: (value) => {
    const bytes = Buffer.allocUnsafe(2)
    bytes.writeInt16BE(value)
    return bytes
  },
  deserialize: (bytes) => {
    if (bytes.length !== 2) throw new Error(`an int16 needs 2 bytes, got ${bytes.length}`)
    return bytes.readInt16BE(0)
  },
}

/** 8-byte big-endian IEEE 754 double (Kafka's DoubleSerde). */
export const float64Serde: Serde<number> = {
  serialize: (value) => {
    const bytes = Buffer.allocUnsafe(8)
    bytes.writeDoubleBE(value)
    return bytes
  },
  deserialize: (bytes) => {
    if (bytes.length !== 8) throw new Error(`a double needs 8 bytes, got ${bytes.length}`)
    return bytes.readDoubleBE(0)
  },
}
