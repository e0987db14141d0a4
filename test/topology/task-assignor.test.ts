// The assignment that follows the state (task-assignor.ts) as a pure function.
import { describe, expect, it } from 'vitest'
import { assignTasks, decodeMemberTasks, encodeMemberTasks } from '../../topology/runtime/task-assignor.js'

const tasks = ['0_0', '0_1', '0_2', '0_3', '0_4', '0_5']
const byMember = (owner: Map<string, string>) => {
  const out: Record<string, string[]> = {}
  for (const [task, member] of owner) (out[member] ??= []).push(task)
  for (const list of Object.values(out)) list.sort()
  return out
}

describe('task assignor', () => {
  it('keeps each task where it runs while the load stays balanced', () => {
    const owner = assignTasks(tasks, [
      { memberId: 'a', state: { active: ['0_0', '0_3'], standby: ['0_1'] } },
      { memberId: 'b', state: { active: ['0_1', '0_4'], standby: [] } },
      { memberId: 'c', state: { active: ['0_2', '0_5'], standby: [] } },
    ])
    expect(byMember(owner)).toEqual({ a: ['0_0', '0_3'], b: ['0_1', '0_4'], c: ['0_2', '0_5'] })
  })

  it("gives a departed member's tasks to the members holding their standby copies", () => {
    // c left; a keeps copies of c's 0_2, b of c's 0_5
    const owner = assignTasks(tasks, [
      { memberId: 'a', state: { active: ['0_0', '0_3'], standby: ['0_2', '0_4'] } },
      { memberId: 'b', state: { active: ['0_1', '0_4'], standby: ['0_5', '0_0'] } },
    ])
    expect(byMember(owner)).toEqual({ a: ['0_0', '0_2', '0_3'], b: ['0_1', '0_4', '0_5'] })
  })

  it('gives every task with a copy to its holder before a task without one takes the room', () => {
    // a left with 0_0 and 0_1; x keeps a copy of 0_1, y none of 0_0 (not known here): 0_0, first by task
    // id, went to x (tied load, first member id) and filled it, and 0_1 had to go to y
    const owner = assignTasks(tasks, [
      { memberId: 'x', state: { active: ['0_2', '0_5'], standby: ['0_1', '0_3'] } },
      { memberId: 'y', state: { active: ['0_3', '0_4'], standby: ['0_5', '0_2'] } },
    ])
    expect(byMember(owner)).toEqual({ x: ['0_1', '0_2', '0_5'], y: ['0_0', '0_3', '0_4'] })
  })

  it('moves tasks off an overloaded member, to a standby holder first, then to the least loaded', () => {
    // a ran everything alone; b joins with a copy of 0_4, c with nothing
    const owner = assignTasks(tasks, [
      { memberId: 'a', state: { active: tasks, standby: [] } },
      { memberId: 'b', state: { active: [], standby: ['0_4'] } },
      { memberId: 'c', state: undefined },
    ])
    const got = byMember(owner)
    expect(got['a']).toEqual(['0_0', '0_1'])
    expect(got['b']).toContain('0_4')
    expect(Object.values(got).map((l) => l.length)).toEqual([2, 2, 2])
    expect(owner.size).toBe(6)
  })

  it('reads back what a member sends, and ignores what it cannot read', () => {
    const state = { active: ['0_1'], standby: ['1_0'] }
    expect(decodeMemberTasks(encodeMemberTasks(state))).toEqual(state)
    expect(decodeMemberTasks(Buffer.alloc(0))).toBeUndefined()
    expect(decodeMemberTasks(Buffer.from('not json'))).toBeUndefined()
    expect(decodeMemberTasks(Buffer.from(JSON.stringify({ version: 2, active: [] })))).toBeUndefined()
  })
})
