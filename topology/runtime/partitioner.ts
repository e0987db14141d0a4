// Kafka's default key partitioning, as the Java client computes it: murmur2 of the key bytes, made
// positive, modulo the partition count. Records with the same key land on the same partition whichever
// client produced them, which co-partitioning depends on.

export function murmur2(key: Buffer): number {
  const m = 0x5bd1e995
  let h = (0x9747b28c ^ key.length) | 0
  let i = 0
  for (; i + 4 <= key.length; i += 4) {
    let k = key.readInt32LE(i)
    k = Math.imul(k, m)
    k ^= k >>> 24
    k = Math.imul(k, m)
    h = Math.imul(h, m) ^ k
  }
  const rest = key.length - i
  if (rest === 3) h ^= key[i + 2]! << 16
  if (rest >= 2) h ^= key[i + 1]! << 8
  if (rest >= 1) h = Math.imul(h ^ key[i]!, m)
  h ^= h >>> 13
  h = Math.imul(h, m)
  h ^= h >>> 15
  return h
}

export function partitionForKey(key: Buffer, partitions: number): number {
  return (murmur2(key) & 0x7fffffff) % partitions
}
