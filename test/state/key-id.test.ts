import { describe, expect, it } from 'vitest'
import { keyString } from '../../state/byte-range.js'
import { keyBytesOf, keyFromBytes, keyIdOf } from '../../state/key-id.js'
import { int64Serde, jsonSerde, stringSerde } from '../../state/serde.js'

const stringKeys = [
  '',
  'r|resource-1|2026-12-03T10:00:00.000Z|reservation-7',
  'zimmer-müller', // non-ASCII: two UTF-8 bytes for ü
  'emoji-🙂',
  'tab\tand\u0000nul', // control characters
  '~ !',
]

describe('keyIdOf', () => {
  it('gives keyString of the serialized key, by the short way or the long one, for every string key', () => {
    for (const key of stringKeys) {
      const id = keyIdOf(stringSerde, key)
      expect(id).toBe(keyString(stringSerde.serialize(key)))
      expect(keyBytesOf(id).equals(stringSerde.serialize(key))).toBe(true)
      expect(keyFromBytes(stringSerde, keyBytesOf(id), id)).toBe(key)
    }
  })

  it('serializes keys of other serdes, a JSON string key included', () => {
    expect(keyIdOf(int64Serde, 258)).toBe(keyString(int64Serde.serialize(258)))
    const json = jsonSerde<string>()
    expect(keyIdOf(json, 'a')).toBe('"a"')
    expect(keyFromBytes(json, json.serialize('a'), '"a"')).toBe('a')
    expect(keyFromBytes(int64Serde, int64Serde.serialize(7), keyIdOf(int64Serde, 7))).toBe(7)
  })
})
