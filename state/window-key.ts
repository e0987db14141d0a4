// The key schema of window stores: serialized key + 8-byte timestamp + 4-byte sequence number.

import { StateStoreError } from './errors.js'

/** Bytes after the serialized key: 8-byte big-endian timestamp, then 4-byte big-endian sequence. */
export const windowKeySuffixBytes = 12

const twoPow32 = 2 ** 32

/**
 * `key ‖ timestamp ‖ sequence`. Byte order is key, then timestamp, then sequence, so one key's
 * entries are contiguous and in time order. Timestamps must be non-negative safe integers (Kafka
 * record timestamps are); unsigned encoding keeps byte order equal to numeric order.
 */
export function windowKey(key: Buffer, timestamp: number, sequence: number): Buffer {
  const out = Buffer.allocUnsafe(key.length + windowKeySuffixBytes)
  key.copy(out, 0)
  writeTimestamp(out, key.length, timestamp)
  out.writeUInt32BE(sequence >>> 0, key.length + 8)
  return out
}

export function writeTimestamp(out: Buffer, offset: number, timestamp: number): void {
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
    throw new StateStoreError(
      'STORE_INVALID_ARGUMENT',
      `window timestamps must be integers >= 0, got ${timestamp}`,
    )
  }
  out.writeUInt32BE(Math.floor(timestamp / twoPow32), offset)
  out.writeUInt32BE(timestamp >>> 0, offset + 4)
}

export function readTimestamp(bytes: Buffer, offset: number): number {
  return bytes.readUInt32BE(offset) * twoPow32 + bytes.readUInt32BE(offset + 4)
}

/** Timestamp of a window key. */
export function windowKeyTimestamp(windowKey: Buffer): number {
  return readTimestamp(windowKey, windowKey.length - windowKeySuffixBytes)
}

/** Bytes after the serialized key of a session key: 8-byte end, then 8-byte start (Kafka's SessionKeySchema). */
export const sessionKeySuffixBytes = 16

/** `key ‖ end ‖ start`: one key's sessions contiguous, ordered by end time, then start time. */
export function sessionKey(key: Buffer, start: number, end: number): Buffer {
  const out = Buffer.allocUnsafe(key.length + sessionKeySuffixBytes)
  key.copy(out, 0)
  writeTimestamp(out, key.length, end)
  writeTimestamp(out, key.length + 8, start)
  return out
}

/** The window of a session key. */
export function sessionKeyWindow(composite: Buffer): { start: number; end: number } {
  const at = composite.length - sessionKeySuffixBytes
  return { end: readTimestamp(composite, at), start: readTimestamp(composite, at + 8) }
}
