// The fixed-width number serdes: Kafka's byte layouts, checked against the reference encodings.
import { describe, expect, it } from 'vitest'
import { int64Serde, readInt64BE, writeInt64BE } from '../../state/index.js'

/** Kafka's LongSerializer layout, through BigInt (the reference). */
function reference(value: bigint): Buffer {
  const bytes = Buffer.alloc(8)
  bytes.writeBigInt64BE(value)
  return bytes
}

describe('int64Serde', () => {
  const safe = [
    0,
    1,
    -1,
    255,
    256,
    2 ** 31 - 1,
    2 ** 31,
    -(2 ** 31),
    -(2 ** 31) - 1,
    2 ** 32 - 1,
    2 ** 32,
    -(2 ** 32),
    -(2 ** 32) - 1,
    1_733_100_000_000,
    -1_733_100_000_000,
    Number.MAX_SAFE_INTEGER,
    Number.MIN_SAFE_INTEGER,
  ]

  it('writes every safe integer as Kafka’s 8-byte big-endian long, and reads it back', () => {
    for (const value of safe) {
      const bytes = int64Serde.serialize(value)
      expect(bytes.equals(reference(BigInt(value))), String(value)).toBe(true)
      expect(int64Serde.deserialize(bytes)).toBe(value)
    }
  })

  it('writes larger integers exactly and reads any 8 bytes as Number(BigInt) would', () => {
    for (const value of [2 ** 60, -(2 ** 60), 2 ** 63 - 2 ** 11, -(2 ** 63)]) {
      expect(int64Serde.serialize(value).equals(reference(BigInt(value))), String(value)).toBe(true)
    }
    for (const raw of [
      2n ** 63n - 1n,
      -(2n ** 63n),
      2n ** 53n + 1n,
      -(2n ** 53n) - 3n,
      123456789012345678n,
    ]) {
      expect(int64Serde.deserialize(reference(raw))).toBe(Number(raw))
    }
  })

  it('refuses a number that is not an integer', () => {
    expect(() => int64Serde.serialize(1.5)).toThrow(RangeError)
    expect(() => int64Serde.serialize(Number.NaN)).toThrow(RangeError)
  })
})

describe('writeInt64BE / readInt64BE (the longs inside composite layouts: timestamps, window bounds)', () => {
  it('writes at an offset what BigInt would, leaves the bytes around it, and reads it back', () => {
    for (const value of [
      0,
      -1,
      2 ** 32,
      -(2 ** 32) - 1,
      1_733_100_000_000,
      Number.MAX_SAFE_INTEGER,
      2 ** 60,
    ]) {
      const out = Buffer.alloc(20, 0xab)
      writeInt64BE(out, value, 5)
      const expected = Buffer.alloc(20, 0xab)
      expected.writeBigInt64BE(BigInt(value), 5)
      expect(out.equals(expected), String(value)).toBe(true)
      expect(readInt64BE(out, 5)).toBe(Number(expected.readBigInt64BE(5)))
    }
  })

  it('refuses a number that is not an integer, as BigInt does', () => {
    expect(() => writeInt64BE(Buffer.alloc(8), 0.5)).toThrow(RangeError)
  })
})
