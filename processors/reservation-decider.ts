// The processor that owns every decision about the resources of one partition: it loads what the domain's
// read plan names, calls the pure decide(), writes the state changes and forwards the events (to the
// `reservation` topic, keyed by resource, in sequence order), the notifications (keyed by customer) and
// the payment routes (reservationId → resourceId, for the payment router). A stream-time punctuator
// expires due holds.
import type {
  PaymentEvent,
  PromotionDefinition,
  ReservationEvent,
  ReservationNotification,
} from '../schemas/index.js'
import type { KeyValueStore, KeyValueStoreRef } from '../state/index.js'
import type { ProcessorContext, ProcessorSupplier } from '../topology/index.js'
import type { DeciderInput } from './decider-input.js'
import {
  decide,
  keyRanges,
  parseHoldKey,
  preloadedView,
  type DecisionConfig,
  type DecisionInput,
  type DueHold,
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

export type DeciderOutput = ReservationEvent | ReservationNotification | string | PaymentEvent

/** Business outcomes, counted as decisions are made. */
export interface OutcomeMetrics {
  event(type: ReservationEvent['type']): void
  rejected(reason: string): void
}

export interface DeciderOptions {
  readonly config: DecisionConfig
  /** How often (in stream time) the expiry punctuator looks for due holds. */
  readonly punctuationIntervalMs: number
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

      const run = async (input: DecisionInput, now: number) => {
        const data = await loadDecisionState(stores, promotions, input, now, options.config)
        const result = decide(preloadedView(data), input, now, options.config)
        apply(stores, result.writes)
        emit(ctx, result.events, result.notifications, options.metrics)
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
          })
        },
        async process(record) {
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
