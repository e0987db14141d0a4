// Merging a sorted in-memory overlay (pending writes, dirty cache entries) over a sorted store scan.

/**
 * Yields the union of `overlay` and `underlay` in key byte order; where both hold a key, the
 * overlay wins. `fromOverlay` returning `undefined` marks a tombstone: the key is skipped, hiding
 * the underlay's entry.
 *
 * Preconditions: `overlay` is sorted by key bytes without duplicates and limited to the same
 * range as `underlay`; `underlay` yields keys in byte order.
 */
export async function* mergeRanges<O extends { readonly key: Buffer }, T>(
  overlay: readonly O[],
  underlay: AsyncIterable<readonly [Buffer, Buffer]>,
  fromOverlay: (entry: O) => T | undefined,
  fromUnderlay: (key: Buffer, value: Buffer) => T,
): AsyncGenerator<T> {
  let next = 0
  for await (const [key, value] of underlay) {
    let order = -1
    while (next < overlay.length && (order = Buffer.compare(overlay[next]!.key, key)) < 0) {
      const item = fromOverlay(overlay[next++]!)
      if (item !== undefined) yield item
    }
    if (next < overlay.length && order === 0) {
      const item = fromOverlay(overlay[next++]!)
      if (item !== undefined) yield item
    } else {
      yield fromUnderlay(key, value)
    }
  }
  while (next < overlay.length) {
    const item = fromOverlay(overlay[next++]!)
    if (item !== undefined) yield item
  }
}
