// Bytes a store keeps in memory for long, in memory of their own.

/**
 * `bytes` itself when it owns its `ArrayBuffer`, otherwise a copy in one of its own. Node hands out small
 * buffers (`Buffer.from(string)`, `Buffer.allocUnsafe`) as slices of a shared 8 KiB pool slab, and one slice
 * kept alive keeps the whole slab: in a heap snapshot of the reservation service mid-drain (2026-12-02), the
 * stores' cached keys and in-memory entries held 8,000 slabs (65 MB) for a few hundred KB of keys. A view of a
 * fetch response (kafkajs decodes records as slices of it) would keep the whole response. A buffer with its
 * own memory (a LevelDB read, a record fetched by librdkafka) is kept as it is.
 */
export function ownedBytes(bytes: Buffer): Buffer {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength) return bytes
  const owned = Buffer.allocUnsafeSlow(bytes.length)
  bytes.copy(owned)
  return owned
}
