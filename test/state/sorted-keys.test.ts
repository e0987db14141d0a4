import { describe, expect, it } from 'vitest'

import { SortedKeys } from '../../state/sorted-keys.js'

describe('SortedKeys', () => {
  it('matches a sorted reference set through many random inserts and deletes', () => {
    const keys = new SortedKeys()
    const reference = new Set<string>()
    let seed = 42
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
    for (let step = 0; step < 20_000; step++) {
      const key = String.fromCharCode(
        ...Array.from({ length: 1 + Math.floor(random() * 3) }, () => Math.floor(random() * 256)),
      )
      if (random() < 0.6) {
        keys.add(key)
        reference.add(key)
      } else {
        keys.delete(key)
        reference.delete(key)
      }
    }
    const sorted = [...reference].sort()
    expect(keys.size).toBe(reference.size)
    expect(keys.slice(undefined, undefined)).toEqual(sorted)
    expect(keys.slice('\u0040', '\u00a0')).toEqual(sorted.filter((k) => k >= '\u0040' && k < '\u00a0'))
    expect(keys.slice('\u00ff\u00ff\u00ff\u00ff', undefined)).toEqual([])
  })

  it('adds a key only once', () => {
    const keys = new SortedKeys()
    keys.add('b')
    keys.add('a')
    keys.add('b')
    expect(keys.slice(undefined, undefined)).toEqual(['a', 'b'])
    keys.delete('missing')
    expect(keys.size).toBe(2)
  })
})
