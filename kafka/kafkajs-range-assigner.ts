// Kafka's range assignor for kafkajs, which ships only round-robin: per topic, the subscribed members sorted
// by member id get consecutive partitions, the first ones one more when the division leaves a remainder.
// Partition p of every topic with the same partition count goes to the same member, so a task reading
// co-partitioned topics has all its partitions on one instance (round-robin splits them).
import type { PartitionAssigner } from 'kafkajs'
import kafkajs from './kafkajs.js'

const { AssignerProtocol } = kafkajs

export const rangeAssigner: PartitionAssigner = ({ cluster }) => ({
  name: 'range',
  version: 0,
  assign({ members, topics }) {
    const subscribed = new Map<string, string[]>()
    for (const member of members) {
      const metadata = AssignerProtocol.MemberMetadata.decode(member.memberMetadata)
      for (const topic of metadata?.topics ?? topics) {
        let list = subscribed.get(topic)
        if (!list) subscribed.set(topic, (list = []))
        list.push(member.memberId)
      }
    }
    const assignment = new Map<string, Record<string, number[]>>(members.map((m) => [m.memberId, {}]))
    for (const topic of topics) {
      const consumers = (subscribed.get(topic) ?? []).sort()
      if (consumers.length === 0) continue
      const partitions = cluster
        .findTopicPartitionMetadata(topic)
        .map((p) => p.partitionId)
        .sort((a, b) => a - b)
      const share = Math.floor(partitions.length / consumers.length)
      const extra = partitions.length % consumers.length
      consumers.forEach((memberId, i) => {
        const start = i * share + Math.min(i, extra)
        const count = share + (i < extra ? 1 : 0)
        if (count > 0) assignment.get(memberId)![topic] = partitions.slice(start, start + count)
      })
    }
    return Promise.resolve(encodeAssignments(assignment))
  },
  protocol({ topics }) {
    return {
      name: 'range',
      metadata: AssignerProtocol.MemberMetadata.encode({ version: 0, topics, userData: Buffer.alloc(0) }),
    }
  },
})

/** Each member's topic partitions as the group protocol carries them (shared by the kafkajs assigners). */
export function encodeAssignments(assignment: ReadonlyMap<string, Record<string, number[]>>) {
  return [...assignment].map(([memberId, topicPartitions]) => ({
    memberId,
    memberAssignment: AssignerProtocol.MemberAssignment.encode({
      version: 0,
      assignment: topicPartitions,
      userData: Buffer.alloc(0),
    }),
  }))
}
