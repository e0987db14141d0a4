// Assignment that follows the state (Kafka Streams' HighAvailabilityTaskAssignor, reduced), for a client
// that lets the engine choose the group's assignment (kafkajs: kafka/kafkajs-task-assigner.ts; librdkafka
// takes no custom assignor, so on confluent the range / cooperative-sticky assignors decide — README).
//
// Assignment protocol (the group leader, on every rebalance; a pure function of what the members sent):
//   1. Each member sends, with its join, the tasks it runs (active or restoring) and those it keeps
//      standby copies of (standby-tasks.ts: caught up every half second; the copies of a task whose owner
//      left are kept until it is claimed again, so the join after a departure lists them).
//   2. Capacity: every member takes at most ceil(tasks / members) tasks, so the load stays balanced.
//   3. A task stays with a member that runs it, while that member has capacity (no restore at all).
//   4. Otherwise it goes to a member that keeps a standby copy of it, the least loaded of them: its
//      restore starts at the copy's position and reads only the tail.
//   5. Otherwise to the least loaded member (ties: member id order); it restores from its own local
//      state if any, else from the beginning. Step 4 runs for every task before step 5 for any: a task
//      without a copy must not take the room of a copy holder that another task needs.
// A task's partitions (co-partitioned inputs: partition p of each of its source topics) always go to one
// member together. Not done: warm-up tasks (Kafka Streams moves state ahead of a move to balance load:
// here a task moves when a member's capacity requires it, to its standby holder when there is one).
import type { MemberTasks, TaskAssignor } from '../../kafka/index.js'

/** Steps 2–5: the member of each task. */
export function assignTasks(
  tasks: readonly string[],
  members: readonly { readonly memberId: string; readonly state: MemberTasks | undefined }[],
): Map<string, string> {
  const owner = new Map<string, string>()
  if (members.length === 0) return owner
  const ordered = [...members].sort((a, b) =>
    a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0,
  )
  const capacity = Math.ceil(tasks.length / ordered.length) // 2
  const load = new Map(ordered.map((m) => [m.memberId, 0]))
  const give = (task: string, memberId: string) => {
    owner.set(task, memberId)
    load.set(memberId, load.get(memberId)! + 1)
  }
  const hasRoom = (memberId: string) => load.get(memberId)! < capacity
  const leastLoaded = (candidates: readonly string[]) =>
    candidates.filter(hasRoom).reduce<string | undefined>((best, m) => {
      if (best === undefined) return m
      return load.get(m)! < load.get(best)! ? m : best
    }, undefined)
  const sorted = [...tasks].sort()
  for (const task of sorted) {
    // 3: the first member (by id) that runs it, should two claim it after a split
    const runner = ordered.find((m) => m.state?.active.includes(task) && hasRoom(m.memberId))
    if (runner) give(task, runner.memberId)
  }
  for (const task of sorted) {
    if (owner.has(task)) continue
    const holders = ordered.filter((m) => m.state?.standby.includes(task)).map((m) => m.memberId)
    const holder = leastLoaded(holders) // 4
    if (holder !== undefined) give(task, holder)
  }
  for (const task of sorted) if (!owner.has(task)) give(task, leastLoaded(ordered.map((m) => m.memberId))!) // 5
  return owner
}

/** What this instance sends with each join (step 1). */
export function encodeMemberTasks(state: MemberTasks): Buffer {
  return Buffer.from(JSON.stringify({ version: 1, active: state.active, standby: state.standby }))
}

/** A member's state as sent, or undefined when it sent none or something else (an older version). */
export function decodeMemberTasks(bytes: Buffer | undefined): MemberTasks | undefined {
  if (!bytes || bytes.length === 0) return undefined
  try {
    const parsed = JSON.parse(bytes.toString('utf8')) as {
      version?: unknown
      active?: unknown
      standby?: unknown
    }
    if (parsed.version !== 1 || !Array.isArray(parsed.active) || !Array.isArray(parsed.standby))
      return undefined
    return {
      active: parsed.active.filter((t): t is string => typeof t === 'string'),
      standby: parsed.standby.filter((t): t is string => typeof t === 'string'),
    }
  } catch {
    return undefined
  }
}

/** The engine's side of the port (kafka-port.ts `TaskAssignor`). */
export function taskAssignor(
  taskOf: (topic: string, partition: number) => string | undefined,
  local: () => MemberTasks,
): TaskAssignor {
  return {
    taskOf,
    memberState: () => encodeMemberTasks(local()),
    assign: (tasks, members) =>
      assignTasks(
        tasks,
        members.map((m) => ({ memberId: m.memberId, state: decodeMemberTasks(m.state) })),
      ),
  }
}
