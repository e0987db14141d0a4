// Phases 1–3 of a run: fresh topics; the tables a stateful system needs before its inputs (resource
// definitions, the join's table), loaded in a start-stop of their own; and producing records of the plan.
import { createRunTopics, endOffsetsByPartition, produceAll, waitDrained } from '../kafka-bench.js'
import { startSystem, type RunContext } from '../run-context.js'
import { toOutgoing, type BenchRecord } from '../workload-plan.js'

/** 1. The run's topics, 6 partitions each (tables compacted). */
export async function createTopics(ctx: RunContext): Promise<void> {
  await createRunTopics(ctx.admin, ctx.topics, ctx.plan.topicRoles, ctx.settings.partitions)
}

/** Produces `records`, stamped `start + position × spacing`; resolves once all are acknowledged. */
export async function produceRecords(
  ctx: RunContext,
  records: readonly BenchRecord[],
  start: number,
): Promise<void> {
  const producer = ctx.client.producer({ idempotent: true, lingerMs: 5 })
  await producer.connect()
  try {
    const spacing = ctx.settings.backlogSpacingMs
    await produceAll(
      producer,
      records.map((r) => toOutgoing(r, ctx.topics, start + r.position * spacing)),
    )
  } finally {
    await producer.disconnect()
  }
}

/**
 * 2. A stateful system loads the tables before any input that needs them, in a start-stop of its own (so
 * that no input races its table, and the drain later measures only the backlog).
 */
export async function loadTables(ctx: RunContext): Promise<void> {
  if (!ctx.stateful || ctx.plan.tables.length === 0) return
  await produceRecords(ctx, ctx.plan.tables, ctx.times.tables)
  const roles = [...new Set(ctx.plan.tables.map((r) => r.topic))]
  const { child } = await startSystem(ctx, 'tables', 180_000)
  const inputs = new Map<string, ReadonlyMap<number, number>>()
  for (const role of roles)
    inputs.set(ctx.topics[role], await endOffsetsByPartition(ctx.admin, ctx.topics[role]))
  await waitDrained({
    admin: ctx.admin,
    groupId: ctx.applicationId,
    inputs,
    internal: [],
    markerSlack: 0,
    timeoutMs: 120_000,
    stallMs: 60_000,
    check: () => child.check(),
  })
  await child.stop()
  ctx.say(`${ctx.tag}   ${ctx.plan.tables.length.toLocaleString('en-US')} table records loaded`)
}

/** End offsets of the backlog's input topics, by topic and partition. */
export async function inputEndOffsets(ctx: RunContext): Promise<Map<string, ReadonlyMap<number, number>>> {
  const inputs = new Map<string, ReadonlyMap<number, number>>()
  for (const role of ctx.plan.inputRoles)
    inputs.set(ctx.topics[role], await endOffsetsByPartition(ctx.admin, ctx.topics[role]))
  return inputs
}
