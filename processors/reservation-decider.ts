// The processor that owns every decision about the resources of one partition: it loads what the domain's
// read plan names, calls the pure decide(), writes the state changes and forwards the events (to the
// `reservation` topic, keyed by resource, in sequence order), the notifications (keyed by customer) and
// the payment routes (reservationId → resourceId, for the payment router). A stream-time punctuator
// expires due holds, then sweeps what retention removes (processors/domain/retention.ts).
import type {
  PaymentEvent,
  PromotionDefinition,
  ReservationEvent,
  ReservationNotification,
} from '../schemas/index.js'
import type { KeyValueStore, KeyValueStoreRef } from '../state/index.js'
import type { ProcessorContext, ProcessorSupplier } from '../topology/index.js'
import type { DeciderInput, RouteValue } from './decider-input.js'
import {
  decide,
  keyRanges,
  parseCommandIndexKey,
  parseHoldKey,
  preloadedView,
  retentionInputs,
  storeKeys,
  type DecisionConfig,
  type DecisionInput,
  type DueHold,
  type PreloadedData,
  type StateWrite,
} from './domain/index.js'
import { reservationStoreRefs, type ReservationStores } from './reservation-stores.js'
import { loadDecisionState } from './state-loader.js'

/** Names of the decider's children in the topology. */
export const deciderOutputs = {
  events: 'events-sink',
  notifications: 'notifications-sink',
  routes: 'routes-sink',
} as const

/**
 * Events, notifications, and to the payment router routes (a resourceId, or `null`: a tombstone for a
 * removed reservation) and this task's progress.
 */
export type DeciderOutput = ReservationEvent | ReservationNotification | RouteValue | null | PaymentEvent

/** What retention removes, as counted by `OutcomeMetrics.removed`. */
export const retainedKinds = ['reservation', 'waitlist-entry', 'command-id'] as const
export type RetainedKind = (typeof retainedKinds)[number]

/** Business outcomes, counted as decisions are made. */
export interface OutcomeMetrics {
  event(type: ReservationEvent['type']): void
  rejected(reason: string): void
  /** Retention removed `count` of `kind`. */
  removed(kind: RetainedKind, count: number): void
}

/** At most this many keys of each retention index are removed per punctuation; the rest at the next. */
const maxRemovalsPerSweep = 10_000

export interface DeciderOptions {
  readonly config: DecisionConfig
  /** How often (in stream time) the expiry punctuator looks for due holds. */
  readonly punctuationIntervalMs: number
  /**
   * How often (in stream time) the task publishes its progress to every payment-router task, after the
   * routes it forwarded (payment-router.ts): a stray payment is judged at most this much later.
   */
  readonly progressIntervalMs: number
  /**
   * Wall-clock time without a record after which the task publishes that it is idle, so that a partition
   * without traffic (no resources there) does not keep the router from judging stray payments.
   */
  readonly idleAfterMs: number
  readonly promotions: KeyValueStoreRef<string, PromotionDefinition>
  readonly metrics?: OutcomeMetrics
}

export function reservationDecider(
  options: DeciderOptions,
): ProcessorSupplier<string, DeciderInput, string, DeciderOutput> {
  return {
    name: 'reservation-decider',
    stores: [...Object.values(reservationStoreRefs), options.promotions],
    create(ctx) {
      const stores = Object.fromEntries(
        Object.entries(reservationStoreRefs).map(([name, ref]) => [name, ctx.store(ref)]),
      ) as unknown as ReservationStores
      const promotions = ctx.store(options.promotions)

      /** Loads, decides and applies: synchronously when the state is at hand (state-loader.ts). */
      const run = (input: DecisionInput, now: number): void | Promise<void> => {
        const loading = loadDecisionState(stores, promotions, input, now, options.config)
        if (loading instanceof Promise) return loading.then((data) => decideAndApply(input, now, data))
        decideAndApply(input, now, loading)
      }
      const decideAndApply = (input: DecisionInput, now: number, data: PreloadedData) => {
        const result = decide(preloadedView(data), input, now, options.config)
        if (result.deadLetter !== undefined) {
          ctx.deadLetter(result.deadLetter)
          return
        }
        apply(stores, result.writes)
        emit(ctx, result.events, result.notifications, options.metrics)
        if (input.type === 'retention-due') {
          forgetRoutes(ctx, input, result.writes)
          countRemovals(result.writes, options.metrics)
        }
      }
      /**
       * Where the scan of `command-index` starts: every key before it was removed. Keys are added at stream
       * time, never behind a cutoff, so nothing is missed; the scan then never walks over the deletion
       * markers LevelDB keeps of removed keys until it compacts them (only once, from 0, after a restart).
       */
      let commandsSweptFrom = 0
      const sweep = async (now: number) => {
        const keys = async (store: KeyValueStore<string, string>, range: { gte: string; lt: string }) => {
          const found: string[] = []
          for await (const { key } of store.range(range)) {
            found.push(key)
            if (found.length === maxRemovalsPerSweep) break
          }
          return found
        }
        const cutoff = now - options.config.retentionMs
        const retained = [
          ...(await keys(stores['retention-index'], keyRanges.reservationsRetainedUpTo(cutoff))),
          ...(await keys(stores['retention-index'], keyRanges.waitlistRetainedUpTo(cutoff))),
        ]
        const dedupCutoff = now - options.config.dedupRetentionMs
        const recorded = await keys(
          stores['command-index'],
          keyRanges.commandsRecorded(commandsSweptFrom, dedupCutoff),
        )
        const last = recorded.at(-1)
        commandsSweptFrom =
          recorded.length === maxRemovalsPerSweep && last !== undefined
            ? parseCommandIndexKey(last).recordedAt
            : Math.max(commandsSweptFrom, dedupCutoff + 1)
        for (const input of retentionInputs(retained, recorded)) await run(input, now)
      }

      /** Wall-clock time of the last record processed (or of the start), and whether idleness was published. */
      let active = ctx.wallClockTime
      let idle = false
      const publishProgress = (streamTime: number) =>
        ctx.forward(
          {
            key: String(ctx.partition),
            value: { task: ctx.partition, tasks: ctx.taskCount, streamTime, idle },
            timestamp: Math.max(streamTime, 0),
          },
          deciderOutputs.routes,
        )
      /** After a record: a task that had published that it is idle is back in the router's minimum. */
      const activeAgain = () => {
        if (!idle) return
        // behind whatever this record routed
        idle = false
        publishProgress(ctx.streamTime)
      }
      const handle = (record: { key: string; value: DeciderInput }): void | Promise<void> => {
        const input = record.value
        const origin = ctx.origin
        switch (input.kind) {
          case 'command':
            if (record.key !== input.command.resourceId) {
              ctx.deadLetter(
                `record key '${record.key}' is not the command's resourceId '${input.command.resourceId}'`,
              )
              return
            }
            return run({ type: 'command', command: input.command }, ctx.streamTime)
          case 'resource':
            if (record.key !== input.definition.resourceId) {
              ctx.deadLetter(
                `record key '${record.key}' is not the definition's resourceId '${input.definition.resourceId}'`,
              )
              return
            }
            return run(
              {
                type: 'resource-updated',
                definition: input.definition,
                causationId: origin
                  ? `${origin.topic}-${origin.partition}@${origin.offset}`
                  : `resource:${ctx.streamTime}`,
              },
              ctx.streamTime,
            )
          case 'payment':
            return run({ type: 'payment', resourceId: record.key, payment: input.payment }, ctx.streamTime)
        }
      }

      return {
        init() {
          ctx.schedule(options.punctuationIntervalMs, 'stream-time', async (now) => {
            const due = new Map<string, DueHold[]>()
            const range = keyRanges.dueHolds(now)
            for await (const { key, value: resourceId } of stores.holds.range({
              gte: range.gte,
              lt: range.lt,
            })) {
              const { expiresAt, reservationId } = parseHoldKey(key)
              due.set(resourceId, [...(due.get(resourceId) ?? []), { expiresAt, reservationId }])
            }
            for (const [resourceId, holds] of due) await run({ type: 'holds-due', resourceId, holds }, now)
            await sweep(now)
          })
          // scheduled after the expiry punctuator: a reservation promoted from the waitlist at `now` is
          // routed before the progress that says so
          ctx.schedule(options.progressIntervalMs, 'stream-time', publishProgress)
          ctx.schedule(Math.max(1, Math.floor(options.idleAfterMs / 2)), 'wall-clock', (now) => {
            if (idle || now - active < options.idleAfterMs) return
            idle = true
            publishProgress(ctx.streamTime)
          })
        },
        process(record) {
          active = ctx.wallClockTime
          const handling = handle(record)
          if (handling) return handling.then(activeAgain)
          activeAgain()
        },
      }
    },
  }
}

function apply(stores: ReservationStores, writes: readonly StateWrite[]): void {
  for (const write of writes) {
    // each write names its store and carries that store's value type; the union cannot express the link
    const store = stores[write.store] as KeyValueStore<string, unknown>
    if (write.value === null) store.delete(write.key)
    else store.put(write.key, write.value)
  }
}

/** A removed reservation's payment route goes too: a tombstone for the payment router's table. */
function forgetRoutes(
  ctx: ProcessorContext<string, DeciderOutput>,
  input: Extract<DecisionInput, { type: 'retention-due' }>,
  writes: readonly StateWrite[],
): void {
  const removed = new Set(
    writes.flatMap((w) => (w.store === 'reservations' && w.value === null ? [w.key] : [])),
  )
  for (const { reservationId } of input.due.reservations) {
    if (!removed.has(storeKeys.reservation(input.resourceId, reservationId))) continue
    ctx.forward({ key: reservationId, value: null, timestamp: ctx.streamTime }, deciderOutputs.routes)
  }
}

function countRemovals(writes: readonly StateWrite[], metrics: OutcomeMetrics | undefined): void {
  if (metrics === undefined) return
  const kinds = { reservations: 'reservation', waitlist: 'waitlist-entry', commands: 'command-id' } as const
  const counts = new Map<RetainedKind, number>()
  for (const write of writes) {
    if (write.value !== null || !(write.store in kinds)) continue
    const kind = kinds[write.store as keyof typeof kinds]
    counts.set(kind, (counts.get(kind) ?? 0) + 1)
  }
  for (const [kind, count] of counts) metrics.removed(kind, count)
}

function emit(
  ctx: ProcessorContext<string, DeciderOutput>,
  events: readonly ReservationEvent[],
  notifications: readonly ReservationNotification[],
  metrics: OutcomeMetrics | undefined,
): void {
  const timestamp = ctx.streamTime
  for (const event of events) {
    ctx.forward({ key: event.resourceId, value: event, timestamp }, deciderOutputs.events)
    metrics?.event(event.type)
    if (event.type === 'CommandRejected') metrics?.rejected(event.reason)
    if (event.type === 'ReservationCreated') {
      ctx.forward({ key: event.reservationId, value: event.resourceId, timestamp }, deciderOutputs.routes)
    }
  }
  for (const notification of notifications) {
    ctx.forward(
      { key: notification.customerId, value: notification, timestamp },
      deciderOutputs.notifications,
    )
  }
}
