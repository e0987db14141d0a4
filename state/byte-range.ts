// Byte ranges over serialized keys, and the byte-order helpers that all stores share.

/** A half-open range of keys in byte order: `gte <= key < lt`. A missing bound is unbounded. */
export interface ByteRange {
  readonly gte?: Buffer | undefined
  readonly lt?: Buffer | undefined
}

/**
 * The range of all keys that start with `prefix`. The upper bound is the prefix with its last
 * non-0xff byte incremented (and the rest dropped); a prefix of only 0xff bytes has no upper bound.
 */
export function prefixRange(prefix: Buffer): ByteRange {
  for (let i = prefix.length - 1; i >= 0; i--) {
    const byte = prefix[i]!
    if (byte !== 0xff) {
      const lt = Buffer.from(prefix.subarray(0, i + 1))
      lt[i] = byte + 1
      return { gte: prefix, lt }
    }
  }
  return { gte: prefix }
}

/**
 * A key's identity as a string: one char per byte (latin1). Comparing two such strings with `<`
 * gives byte order, which lets maps keyed by these strings be filtered and sorted without Buffers.
 */
export function keyString(key: Buffer): string {
  return key.toString('latin1')
}

/** The `keyString` bounds of a range, for slicing sorted `keyString`s. */
export interface StringRange {
  readonly gte: string | undefined
  readonly lt: string | undefined
}

export function stringRange(range: ByteRange): StringRange {
  return {
    gte: range.gte === undefined ? undefined : keyString(range.gte),
    lt: range.lt === undefined ? undefined : keyString(range.lt),
  }
}
