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
})
