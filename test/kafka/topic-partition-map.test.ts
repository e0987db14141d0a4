import { describe, expect, it } from 'vitest'
import { TopicPartitionMap } from '../../kafka/index.js'

describe('TopicPartitionMap', () => {
  it('keeps one value per topic and partition, whatever characters the topic name has', () => {
    const map = new TopicPartitionMap<string>()
    map.set({ topic: 'a/1', partition: 0 }, 'x')
    map.set({ topic: 'a', partition: 10 }, 'y')
    map.set({ topic: 'a/1', partition: 0 }, 'z')
    expect(map.size).toBe(2)
    expect(map.get({ topic: 'a/1', partition: 0 })).toBe('z')
    expect(map.get({ topic: 'a', partition: 1 })).toBeUndefined()
    expect([...map.keys()]).toEqual([
      { topic: 'a/1', partition: 0 },
      { topic: 'a', partition: 10 },
    ])
    expect(map.delete({ topic: 'a', partition: 10 })).toBe(true)
    expect(map.delete({ topic: 'a', partition: 10 })).toBe(false)
    expect([...map]).toEqual([[{ topic: 'a/1', partition: 0 }, 'z']])
  })
  it('answers getAt and setAt as get and set, without a TopicPartition object', () => {
    const map = new TopicPartitionMap<number>()
    map.setAt('t', 3, 1).setAt('t', 3, 2).setAt('t', 4, 5)
    expect(map.size).toBe(2)
    expect(map.get({ topic: 't', partition: 3 })).toBe(2)
    expect(map.getAt('t', 4)).toBe(5)
    expect(map.getAt('t', 5)).toBeUndefined()
    expect(map.getAt('u', 3)).toBeUndefined()
  })
})
