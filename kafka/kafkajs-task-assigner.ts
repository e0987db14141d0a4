// A kafkajs partition assigner that lets the engine choose the group's assignment by task (kafka-port.ts
// `TaskAssignor`; the engine's choice is topology/runtime/task-assignor.ts): each member sends what the
// engine gives (`memberState`) with its join, and the leader groups the partitions by task, asks the
// engine for each task's member and hands every member the partitions of its tasks. It is offered before
// the range assignor, which the group falls back to while a member that does not offer it is in the group
// (an older instance during a rolling upgrade).
import type { PartitionAssigner } from 'kafkajs'
import kafkajs from './kafkajs.js'
import type { TaskAssignor } from './kafka-port.js'
import { encodeAssignments } from './kafkajs-range-assigner.js'

const { AssignerProtocol } = kafkajs

export const taskAssignerName = 'streams-task'

/** The topic partitions of an encoded member assignment (for tests and tools). */
export function decodeAssignment(bytes: Buffer): Record<string, number[]> {
  return AssignerProtocol.MemberAssignment.decode(bytes)?.assignment ?? {}
}

export function taskAssigner(assignor: TaskAssignor): PartitionAssigner {
  return ({ cluster }) => ({
    name: taskAssignerName,
    version: 0,
    assign({ members, topics }) {
      const partitionsOf = new Map<string, { topic: string; partition: number }[]>()
      for (const topic of topics) {
        for (const { partitionId } of cluster.findTopicPartitionMetadata(topic)) {
          // a partition of no task (none in the engine's topologies) is a task of its own
          const task = assignor.taskOf(topic, partitionId) ?? `${topic}:${partitionId}`
          let list = partitionsOf.get(task)
          if (!list) partitionsOf.set(task, (list = []))
          list.push({ topic, partition: partitionId })
        }
      }
      const owner = assignor.assign(
        [...partitionsOf.keys()],
        members.map((m) => ({
          memberId: m.memberId,
          state: AssignerProtocol.MemberMetadata.decode(m.memberMetadata)?.userData,
        })),
      )
      const assignment = new Map<string, Record<string, number[]>>(members.map((m) => [m.memberId, {}]))
      for (const [task, partitions] of partitionsOf) {
        const memberId = owner.get(task)
        const topicsOfMember = memberId === undefined ? undefined : assignment.get(memberId)
        if (!topicsOfMember) continue
        for (const { topic, partition } of partitions) (topicsOfMember[topic] ??= []).push(partition)
      }
      for (const topicsOfMember of assignment.values())
        for (const list of Object.values(topicsOfMember)) list.sort((a, b) => a - b)
      return Promise.resolve(encodeAssignments(assignment))
    },
    protocol({ topics }) {
      return {
        name: taskAssignerName,
        metadata: AssignerProtocol.MemberMetadata.encode({
          version: 0,
          topics,
          userData: assignor.memberState(),
        }),
      }
    },
  })
}
