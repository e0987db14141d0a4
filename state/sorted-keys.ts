// A sorted set of strings with cheap inserts and deletes: the ordered index of in-memory stores.

/** Target chunk length; a chunk splits in two when it grows past twice this. */
const chunkLength = 512

/**
 * Sorted set of strings (compared with `<`, which for `keyString`s is byte order), stored as a
 * list of sorted chunks. Insert and delete cost a binary search plus a splice within one chunk
 * (O(log n + chunk)), instead of moving the whole array.
 *
 * Invariants: chunks are non-empty, sorted, and ordered (every key of chunk i is less than every
 * key of chunk i+1); `lasts[i]` is the last key of chunk i.
 */
export class SortedKeys {
  private chunks: string[][] = []
  private lasts: string[] = []
  private count = 0

  get size(): number {
    return this.count
  }

  /** Adds `key`; a key already present is not added twice. */
  add(key: string): void {
    if (this.chunks.length === 0) {
      this.chunks.push([key])
      this.lasts.push(key)
      this.count++
      return
    }
    const c = Math.min(lowerBound(this.lasts, key), this.chunks.length - 1)
    const chunk = this.chunks[c]!
    const i = lowerBound(chunk, key)
    if (chunk[i] === key) return
    chunk.splice(i, 0, key)
    this.count++
    if (chunk.length > 2 * chunkLength) {
      const tail = chunk.splice(chunkLength)
      this.chunks.splice(c + 1, 0, tail)
      this.lasts.splice(c, 1, chunk[chunk.length - 1]!, tail[tail.length - 1]!)
    } else {
      this.lasts[c] = chunk[chunk.length - 1]!
    }
  }

  delete(key: string): void {
    const c = lowerBound(this.lasts, key)
    const chunk = this.chunks[c]
    if (chunk === undefined) return
    const i = lowerBound(chunk, key)
    if (chunk[i] !== key) return
    chunk.splice(i, 1)
    this.count--
    if (chunk.length === 0) {
      this.chunks.splice(c, 1)
      this.lasts.splice(c, 1)
    } else {
      this.lasts[c] = chunk[chunk.length - 1]!
    }
  }

  /** A copy of the keys with `gte <= key < lt`, in order. */
  slice(gte: string | undefined, lt: string | undefined): string[] {
    const out: string[] = []
    let c = gte === undefined ? 0 : lowerBound(this.lasts, gte)
    let i = gte === undefined || c >= this.chunks.length ? 0 : lowerBound(this.chunks[c]!, gte)
    for (; c < this.chunks.length; c++, i = 0) {
      const chunk = this.chunks[c]!
      for (; i < chunk.length; i++) {
        const key = chunk[i]!
        if (lt !== undefined && key >= lt) return out
        out.push(key)
      }
    }
    return out
  }

  clear(): void {
    this.chunks = []
    this.lasts = []
    this.count = 0
  }
}

/** Index of the first element `>= target` in a sorted array. */
function lowerBound(sorted: readonly string[], target: string): number {
  let low = 0
  let high = sorted.length
  while (low < high) {
    const mid = (low + high) >>> 1
    if (sorted[mid]! < target) low = mid + 1
    else high = mid
  }
  return low
}
