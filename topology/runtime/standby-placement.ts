// Where the standby replicas of a task go (Kafka Streams' num.standby.replicas). Pure: every instance
// computes the same answer from the same instance registry (instance-registry.ts), with no coordination.
//
// Placement, per task:
//   1. The candidates are the known instances other than the task's active owner (the newest claim in
//      the registry). A task nobody claims has no standby: there is no state to copy yet.
//   2. Its standbys are the `replicas` candidates with the highest rendezvous hash of (task, instance), so
//      an instance joining or leaving moves only the standbys it takes or held, and a standby never sits
//      on the instance that runs the task.
import { createHash } from 'node:crypto'

function score(taskId: string, instanceId: string): string {
  return createHash('sha1').update(`${taskId}\u0000${instanceId}`).digest('hex')
}

/** Step 1–2 for one task: the instances that keep a standby of it. */
export function standbysOf(
  taskId: string,
  instances: readonly string[],
  owner: string | undefined,
  replicas: number,
): string[] {
  if (owner === undefined || replicas <= 0) return []
  return [...new Set(instances)]
    .filter((id) => id !== owner)
    .map((id) => ({ id, score: score(taskId, id) }))
    .sort((a, b) => (a.score < b.score ? 1 : a.score > b.score ? -1 : 0))
    .slice(0, replicas)
    .map((c) => c.id)
}

/** The tasks, among `taskIds`, of which instance `self` keeps a standby. */
export function standbyTasksOf(
  self: string,
  taskIds: readonly string[],
  instances: readonly string[],
  ownerOf: (taskId: string) => string | undefined,
  replicas: number,
): string[] {
  return taskIds.filter((taskId) => standbysOf(taskId, instances, ownerOf(taskId), replicas).includes(self))
}
