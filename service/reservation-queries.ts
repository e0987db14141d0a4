// Read-only queries over the service's local state (spec §9): a reservation by id and the availability of
// a resource over a range. Each is answered where its key's task runs: here, or by naming the instance
// that runs it. What retention removed (processors/domain/retention.ts) answers not-found (404): a
// reservation kept no longer, and slots before the retention horizon (their usage may be gone).
import { keyRanges, parseSlotKey, storeKeys, type Reservation } from '../processors/domain/index.js'
import { paymentRoutesRef, reservationStoreRefs } from '../processors/reservation-stores.js'
import { parseInstant, type ResourceDefinition } from '../schemas/index.js'
import type { KeyValueStore } from '../state/index.js'
import type { KafkaStreams } from '../topology/index.js'

export interface InstanceRef {
  readonly instanceId: string
  readonly url: string
}

export type QueryAnswer =
  | { readonly kind: 'found'; readonly value: unknown }
  | { readonly kind: 'not-found'; readonly message: string }
  | { readonly kind: 'invalid'; readonly message: string }
  | { readonly kind: 'unavailable'; readonly message: string }
  /** Another instance runs the task; `path` when the query must be asked differently there. */
  | {
      readonly kind: 'elsewhere'
      readonly owner: InstanceRef
      readonly taskId: string
      readonly path?: string
    }

export interface SlotAvailability {
  readonly start: string
  readonly used: number
  readonly capacity: number
  readonly overbookingLimit: number
  readonly available: number
}

export class ReservationQueries {
  /** `retentionMs`: RETENTION_MS, the horizon of the past that availability answers for. */
  constructor(
    private readonly streams: KafkaStreams,
    private readonly retentionMs: number,
  ) {}

  /** A reservation by id alone: the payment router's table names its resource, then the resource's task has it. */
  async reservation(reservationId: string): Promise<QueryAnswer> {
    const route = await this.streams.queries.queryKey(paymentRoutesRef, reservationId)
    switch (route.where) {
      case 'remote':
        return { kind: 'elsewhere', owner: route.owner, taskId: route.taskId }
      case 'unavailable':
        return { kind: 'unavailable', message: route.reason }
      case 'local':
      case 'standby': // asked without stale reads: never
        if (route.value === undefined)
          return {
            kind: 'not-found',
            message: `no reservation '${reservationId}' (never created, or removed by retention after it ended)`,
          }
        return this.reservationOfResource(route.value.resourceId, reservationId)
    }
  }

  async reservationOfResource(resourceId: string, reservationId: string): Promise<QueryAnswer> {
    const result = await this.streams.queries.queryKey(
      reservationStoreRefs.reservations,
      storeKeys.reservation(resourceId, reservationId),
      Buffer.from(resourceId, 'utf8'),
    )
    switch (result.where) {
      case 'remote':
        return {
          kind: 'elsewhere',
          owner: result.owner,
          taskId: result.taskId,
          path: `/resources/${encodeURIComponent(resourceId)}/reservations/${encodeURIComponent(reservationId)}`,
        }
      case 'unavailable':
        return { kind: 'unavailable', message: result.reason }
      case 'local':
      case 'standby': // asked without stale reads: never
        return result.value === undefined
          ? {
              kind: 'not-found',
              message: `no reservation '${reservationId}' on resource '${resourceId}' (never created, or removed by retention after it ended)`,
            }
          : { kind: 'found', value: result.value satisfies Reservation }
    }
  }

  /** Units used and available in every slot of [start, end) of a resource. */
  async availability(resourceId: string, start: string, end: string): Promise<QueryAnswer> {
    const from = parseInstant(start)
    const to = parseInstant(end)
    if (from === undefined || to === undefined || to <= from) {
      return { kind: 'invalid', message: 'start and end must be ISO-8601 UTC instants with end after start' }
    }
    const taskId = this.streams.queries.taskIdFor(
      reservationStoreRefs.slots.name,
      Buffer.from(resourceId, 'utf8'),
    )
    if (!taskId) return { kind: 'unavailable', message: 'the service is not running yet' }
    const answer = await this.streams.queries.queryTask(
      taskId,
      reservationStoreRefs.resources.name,
      async () => {
        const task = this.streams.activeTasks.find((t) => t.id === taskId)!
        const resources = task.stores.get(reservationStoreRefs.resources.name)!.store as KeyValueStore<
          string,
          ResourceDefinition
        >
        const slots = task.stores.get(reservationStoreRefs.slots.name)!.store as KeyValueStore<
          string,
          { used: number }
        >
        const resource = await resources.get(storeKeys.resource(resourceId))
        if (!resource) return { kind: 'not-found', message: `no resource '${resourceId}'` } as const
        const horizon = task.streamTime - this.retentionMs
        if (task.streamTime >= 0 && from < horizon) {
          return {
            kind: 'not-found',
            message: `slots before ${new Date(horizon).toISOString()} are no longer kept (retention: RETENTION_MS=${this.retentionMs})`,
          } as const
        }
        const slotMs = resource.slotMinutes * 60_000
        if (from % slotMs !== 0 || to % slotMs !== 0) {
          return {
            kind: 'invalid',
            message: `start and end must be aligned to the resource's ${resource.slotMinutes}-minute slots`,
          } as const
        }
        if ((to - from) / slotMs > 10_000)
          return { kind: 'invalid', message: 'at most 10000 slots per query' } as const
        const used = new Map<number, number>()
        const range = keyRanges.slots(resourceId, { start: from / 60_000, end: to / 60_000 })
        for await (const { key, value } of slots.range({ gte: range.gte, lt: range.lt }))
          used.set(parseSlotKey(key).slotStart, value.used)
        const result: SlotAvailability[] = []
        for (let t = from; t < to; t += slotMs) {
          const u = used.get(t / 60_000) ?? 0
          result.push({
            start: new Date(t).toISOString(),
            used: u,
            capacity: resource.capacity,
            overbookingLimit: resource.overbookingLimit,
            available: Math.max(0, resource.capacity - u),
          })
        }
        return {
          kind: 'found',
          value: { resourceId, slotMinutes: resource.slotMinutes, slots: result },
        } as const
      },
    )
    if (answer.found) return answer.value
    const owner = this.streams.queries.ownerOfTask(taskId)
    if (owner && owner.instanceId !== this.streams.instanceId) return { kind: 'elsewhere', owner, taskId }
    return {
      kind: 'unavailable',
      message: `task ${taskId} is not running anywhere right now (rebalancing or restoring)`,
    }
  }

  /** Entries of a store over every local task (for the gauges). */
  async count(store: 'holds' | 'waitlist'): Promise<number> {
    let n = 0
    for (const task of this.streams.activeTasks) {
      const counted = await this.streams.queries.queryTask(task.id, store, async (handle) => {
        let entries = 0
        for await (const _ of (handle as KeyValueStore<string, unknown>).range()) entries++
        return entries
      })
      if (counted.found) n += counted.value
    }
    return n
  }
}
