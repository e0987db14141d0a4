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

/** `mergeRanges` over an underlay already read into an array: the same union, computed at once. */
export function mergeSorted<O extends { readonly key: Buffer }, T>(
  overlay: readonly O[],
  underlay: readonly (readonly [Buffer, Buffer])[],
  fromOverlay: (entry: O) => T | undefined,
  fromUnderlay: (key: Buffer, value: Buffer) => T,
): T[] {
  const out: T[] = []
  let next = 0
  const take = (entry: O): void => {
    const item = fromOverlay(entry)
    if (item !== undefined) out.push(item)
  }
  for (const [key, value] of underlay) {
    let order = -1
    while (next < overlay.length && (order = Buffer.compare(overlay[next]!.key, key)) < 0)
      take(overlay[next++]!)
    if (next < overlay.length && order === 0) take(overlay[next++]!)
    else out.push(fromUnderlay(key, value))
  }
  while (next < overlay.length) take(overlay[next++]!)
  return out
}

/** An array as an `AsyncIterable`: what a synchronous scan hands to callers of the async store API. */
export function asyncIterableOf<T>(items: readonly T[]): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator]() {
      let index = 0
      return {
        next: () =>
          Promise.resolve(
            index < items.length
              ? { value: items[index++]!, done: false as const }
              : { value: undefined, done: true as const },
          ),
      }
    },
  }
}
