// The kafkajs assigner that carries the engine's assignment by task (kafkajs-task-assigner.ts), against a
// stand-in for kafkajs's cluster metadata: each member's join carries its state, and the partitions of a
// task (partition p of co-partitioned topics) go together to the task's member.
import { describe, expect, it } from 'vitest'
import { decodeAssignment, taskAssigner } from '../../kafka/kafkajs-task-assigner.js'
import { taskAssignor } from '../../topology/runtime/task-assignor.js'

const taskOf = (topic: string, partition: number) => (topic === 'other' ? undefined : `0_${partition}`)
const cluster = {
  findTopicPartitionMetadata: (topic: string) =>
    Array.from({ length: topic === 'other' ? 1 : 4 }, (_, partitionId) => ({ partitionId })),
}
/** A member's assigner, as its instance builds it, with the tasks it runs and keeps copies of. */
const memberAssigner = (active: string[], standby: string[]) =>
  taskAssigner(taskAssignor(taskOf, () => ({ active, standby })))({ cluster } as never)

describe('kafkajs task assigner', () => {
  it('gives every partition of a task to its member, keeping tasks where they run', async () => {
    const join = (memberId: string, active: string[], standby: string[]) => ({
      memberId,
      memberMetadata: memberAssigner(active, standby).protocol({ topics: ['left', 'right'] }).metadata,
    })
    const leader = memberAssigner([], [])
    const result = await leader.assign({
      members: [join('m1', ['0_0', '0_1', '0_2'], []), join('m2', [], ['0_2'])],
      topics: ['left', 'right', 'other'],
      groupId: 'g',
    } as never)
    const got = Object.fromEntries(result.map((r) => [r.memberId, decodeAssignment(r.memberAssignment)]))
    // 5 tasks (4 co-partitioned and `other:0`, a task of its own), capacity 3: m1 keeps what it runs
    expect(got['m1']).toEqual({ left: [0, 1, 2], right: [0, 1, 2] })
    expect(got['m2']).toEqual({ left: [3], right: [3], other: [0] })
  })
})
