// Where standby replicas go: computed alike by every instance from the instance registry.
import { describe, expect, it } from 'vitest'
import { placeStandbys, standbyTasksOf } from '../../topology/runtime/standby-placement.js'

/** Six tasks of one subtopology, as the standby oracle runs them. */
const tasks = Array.from({ length: 6 }, (_, p) => `0_${p}`)
const roundRobin = (instances: readonly string[]) => (task: string) =>
  instances[Number(task.split('_')[1]) % instances.length]

describe('standby placement', () => {
  it('never places a standby on the instance running the task, and places as many as asked while there are instances', () => {
    const instances = ['a', 'b', 'c']
    for (const replicas of [1, 2, 5]) {
      const placed = placeStandbys(tasks, instances, roundRobin(instances), replicas)
      for (const task of tasks) {
        expect(placed.get(task)).not.toContain(roundRobin(instances)(task))
        expect(placed.get(task)).toHaveLength(Math.min(replicas, 2))
      }
    }
  })

  it('places none for a task nobody runs yet, or with 0 replicas', () => {
    expect(placeStandbys(['0_0'], ['a', 'b'], () => undefined, 1).get('0_0')).toEqual([])
    expect(placeStandbys(['0_0'], ['a', 'b'], () => 'a', 0).get('0_0')).toEqual([])
  })

  it('gives every instance the same answer, whatever order it lists the instances and tasks in', () => {
    const owner = roundRobin(['a', 'b', 'c', 'd'])
    expect(placeStandbys(tasks, ['c', 'a', 'b', 'd'], owner, 2)).toEqual(
      placeStandbys([...tasks].reverse(), ['b', 'd', 'c', 'a'], owner, 2),
    )
  })

  it('balances the standbys: 3 each with two instances, 2 each with three (Kafka Streams’ standby system test)', () => {
    for (const instances of [
      ['a', 'b'],
      ['a', 'b', 'c'],
    ]) {
      const counts = instances.map(
        (self) => standbyTasksOf(self, tasks, instances, roundRobin(instances), 1).length,
      )
      expect(counts).toEqual(instances.map(() => 6 / instances.length))
    }
    const many = Array.from({ length: 60 }, (_, p) => `1_${p}`)
    const four = ['a', 'b', 'c', 'd']
    expect(four.map((self) => standbyTasksOf(self, many, four, roundRobin(four), 2).length)).toEqual([
      30, 30, 30, 30,
    ])
  })
})
