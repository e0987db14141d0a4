// Where the standby replicas of the tasks go (Kafka Streams' num.standby.replicas). Pure: every instance
// computes the same answer from the same instance registry (instance-registry.ts), with no coordination.
//
// Placement, task by task in task-id order:
//   1. The candidates are the known instances other than the task's active owner (the newest claim in
//      the registry). A task nobody claims has no standby: there is no state to copy yet.
//   2. Its standbys are the `replicas` candidates holding the fewest standbys placed so far, ties broken
//      by a hash of (task, instance): balanced over the instances, as Kafka Streams' assignors balance
//      them, and never on the instance that runs the task.
//   3. Even out what the greedy choice left uneven (the last tasks may have had only loaded candidates).
import { createHash } from 'node:crypto'

function score(taskId: string, instanceId: string): string {
  return createHash('sha1').update(`${taskId}\u0000${instanceId}`).digest('hex')
}

/** Steps 1–2 for every task: the instances that keep a standby of each. */
export function placeStandbys(
  taskIds: readonly string[],
  instances: readonly string[],
  ownerOf: (taskId: string) => string | undefined,
  replicas: number,
): Map<string, string[]> {
  const placed = new Map<string, string[]>()
  const load = new Map([...new Set(instances)].sort().map((id) => [id, 0]))
  const byId = [...taskIds].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
  for (const taskId of byId) {
    const owner = ownerOf(taskId)
    if (owner === undefined || replicas <= 0) {
      placed.set(taskId, [])
      continue
    }
    const chosen = [...load.keys()]
      .filter((id) => id !== owner)
      .map((id) => ({ id, load: load.get(id)!, score: score(taskId, id) }))
      .sort((a, b) => a.load - b.load || (a.score < b.score ? 1 : a.score > b.score ? -1 : 0))
      .slice(0, replicas)
      .map((c) => c.id)
    for (const id of chosen) load.set(id, load.get(id)! + 1)
    placed.set(taskId, chosen)
  }
  rebalance(placed, load, ownerOf)
  return placed
}

/**
 * Step 3: while the most loaded instance holds two standbys more than the least loaded one, moves one of
 * its standbys there (the first task, in task-id order, that the least loaded may hold).
 */
function rebalance(
  placed: Map<string, string[]>,
  load: Map<string, number>,
  ownerOf: (taskId: string) => string | undefined,
): void {
  for (;;) {
    const byLoad = [...load.entries()].sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]))
    const [least, most] = [byLoad[0], byLoad[byLoad.length - 1]]
    if (!least || !most || most[1] - least[1] < 2) return
    const movable = [...placed.entries()].find(
      ([taskId, holders]) =>
        holders.includes(most[0]) && !holders.includes(least[0]) && ownerOf(taskId) !== least[0],
    )
    if (!movable) return
    movable[1][movable[1].indexOf(most[0])] = least[0]
    load.set(most[0], most[1] - 1)
    load.set(least[0], least[1] + 1)
  }
}

/** The tasks, among `taskIds`, of which instance `self` keeps a standby. */
export function standbyTasksOf(
  self: string,
  taskIds: readonly string[],
  instances: readonly string[],
  ownerOf: (taskId: string) => string | undefined,
  replicas: number,
): string[] {
  const placed = placeStandbys(taskIds, instances, ownerOf, replicas)
  return taskIds.filter((taskId) => placed.get(taskId)!.includes(self))
}
