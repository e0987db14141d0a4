// Where standby replicas go: computed alike by every instance from the instance registry.
import { describe, expect, it } from 'vitest'
import { standbysOf, standbyTasksOf } from '../../topology/runtime/standby-placement.js'

const tasks = Array.from({ length: 12 }, (_, i) => `${i % 2}_${Math.floor(i / 2)}`)

describe('standby placement', () => {
  it('never places a standby on the instance running the task, and places as many as asked while there are instances', () => {
    const instances = ['a', 'b', 'c']
    for (const task of tasks) {
      for (const owner of instances) {
        const one = standbysOf(task, instances, owner, 1)
        expect(one).toHaveLength(1)
        expect(one).not.toContain(owner)
        const all = standbysOf(task, instances, owner, 5)
        expect(all.sort()).toEqual(instances.filter((i) => i !== owner).sort())
      }
    }
  })

  it('places none for a task nobody runs yet, or with 0 replicas', () => {
    expect(standbysOf('0_0', ['a', 'b'], undefined, 1)).toEqual([])
    expect(standbysOf('0_0', ['a', 'b'], 'a', 0)).toEqual([])
  })

  it('gives every instance the same answer, whatever order it lists the instances in', () => {
    for (const task of tasks)
      expect(standbysOf(task, ['c', 'a', 'b', 'd'], 'a', 2)).toEqual(
        standbysOf(task, ['b', 'd', 'c', 'a'], 'a', 2),
      )
  })

  it('moves only the standbys of an instance that leaves', () => {
    const owner = (task: string) => (task.startsWith('0') ? 'a' : 'b')
    const before = new Map(tasks.map((t) => [t, standbysOf(t, ['a', 'b', 'c', 'd'], owner(t), 1)[0]]))
    const after = new Map(tasks.map((t) => [t, standbysOf(t, ['a', 'b', 'c'], owner(t), 1)[0]]))
    for (const task of tasks) if (before.get(task) !== 'd') expect(after.get(task)).toBe(before.get(task))
  })

  it('spreads the standbys of many tasks over the instances', () => {
    const many = Array.from({ length: 60 }, (_, i) => `0_${i}`)
    const instances = ['a', 'b', 'c', 'd']
    const counts = instances.map(
      (self) => standbyTasksOf(self, many, instances, (t) => instances[Number(t.slice(2)) % 4], 1).length,
    )
    expect(counts.reduce((x, y) => x + y, 0)).toBe(60)
    for (const count of counts) expect(count).toBeGreaterThan(5)
  })
})
