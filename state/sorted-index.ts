// The sorted ids of a map of cache entries, for the caching stores' range reads: built by the first range
// read and kept up to date after, so a store never read by range pays nothing for it.

import type { ByteRange } from './byte-range.js'
import { stringRange } from './byte-range.js'
import { SortedKeys } from './sorted-keys.js'

/**
 * Invariant: when built, the index holds exactly the ids of `entries` — the owner calls `add` and `delete`
 * with every change of the map's ids, and `reset` when it clears the map.
 */
export class SortedIndex<E> {
  private sorted: SortedKeys | undefined

  constructor(private readonly entries: ReadonlyMap<string, E>) {}

  add(id: string): void {
    this.sorted?.add(id)
  }

  delete(id: string): void {
    this.sorted?.delete(id)
  }

  /** Forgets the index; the next range read builds it again. */
  reset(): void {
    this.sorted = undefined
  }

  /** Entries with ids in the byte range, in byte order: O(log n + k) once the index is built. */
  in(range: ByteRange): E[] {
    if (this.entries.size === 0) return []
    let sorted = this.sorted
    if (sorted === undefined) {
      sorted = new SortedKeys()
      for (const id of this.entries.keys()) sorted.add(id)
      this.sorted = sorted
    }
    const bounds = stringRange(range)
    return sorted.slice(bounds.gte, bounds.lt).map((id) => this.entries.get(id)!)
  }
}
