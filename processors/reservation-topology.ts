// The Reservation Service's topology (spec §3):
//
//   Sub-topology "decisions" (keyed by resourceId; one task owns every decision about its resources):
//     reservation-commands ─┐
//     resources ────────────┼─▶ reservation-decider ─▶ reservation (events)
//     payments-by-resource ─┘        (stores)        ├▶ reservation-notifications
//       (repartition)                                 └▶ reservation-routes (repartition, by reservationId)
//   Sub-topology "payment routing" (keyed by reservationId):
//     payments ────────────┐
//     reservation-routes ──┴─▶ payment-router ─▶ payments-by-resource (repartition, by resourceId)
//       (a table: a tombstone removes a route; each decider task's progress reaches every partition)
//   Global table: promotions (every instance holds all of it).
import type {
  Codec,
  PaymentEvent,
  PromotionDefinition,
  ReservationCommand,
  ReservationEvent,
  ReservationNotification,
  ResourceDefinition,
} from '../schemas/index.js'
import { storeRef, stringSerde } from '../state/index.js'
import { TopologyBuilder, type Topology } from '../topology/index.js'
import {
  commandSerde,
  encodingSerde,
  paymentSerde,
  resourceSerde,
  routedPaymentSerde,
  routeSerde,
  routeValueSerde,
} from './decider-input.js'
import type { DecisionConfig } from './domain/index.js'
import { paymentRouter } from './payment-router.js'
import { deciderOutputs, reservationDecider, type OutcomeMetrics } from './reservation-decider.js'

export interface ReservationTopics {
  readonly commands: string
  readonly payments: string
  readonly resources: string
  readonly promotions: string
  readonly events: string
  readonly notifications: string
}

export interface ReservationCodecs {
  readonly command: Codec<ReservationCommand>
  readonly payment: Codec<PaymentEvent>
  readonly resource: Codec<ResourceDefinition>
  readonly promotion: Codec<PromotionDefinition>
  readonly event: Codec<ReservationEvent>
  readonly notification: Codec<ReservationNotification>
}

export interface ReservationTopologyOptions {
  readonly topics: ReservationTopics
  readonly codecs: ReservationCodecs
  readonly decision: DecisionConfig
  /** Stream-time interval of the hold-expiry punctuator (G5 allows holdTimeout plus one interval). */
  readonly punctuationIntervalMs: number
  /** How much later than a payment its reservation may be created (payment-router.ts). */
  readonly strayPaymentGraceMs: number
  /** Wall-clock time without records after which a decider task says it is idle (default 30 s). */
  readonly deciderIdleAfterMs?: number
  readonly metrics?: OutcomeMetrics
}

export const internalTopics = {
  routes: 'reservation-routes-repartition',
  routedPayments: 'payments-by-resource-repartition',
} as const

export const promotionsStoreName = 'promotions'

export function reservationTopology(options: ReservationTopologyOptions): Topology {
  const { topics, codecs } = options
  const promotions = storeRef<string, PromotionDefinition>({
    name: promotionsStoreName,
    keySerde: stringSerde,
    valueSerde: encodingSerde(codecs.promotion),
  })
  const builder = new TopologyBuilder()
  builder.addGlobalTable({
    topic: topics.promotions,
    keySerde: stringSerde,
    valueSerde: encodingSerde(codecs.promotion),
    store: promotions,
  })

  builder
    // the order of the sources breaks timestamp ties (partition-group.ts): a resource definition is applied
    // before a command of the same timestamp, and a command before a payment of the same timestamp
    .addSource({
      name: 'resources-source',
      topics: [topics.resources],
      keySerde: stringSerde,
      valueSerde: resourceSerde(codecs.resource),
    })
    .addSource({
      name: 'commands-source',
      topics: [topics.commands],
      keySerde: stringSerde,
      valueSerde: commandSerde(codecs.command),
    })
    .addSource({
      name: 'routed-payments-source',
      topics: [internalTopics.routedPayments],
      internal: true,
      keySerde: stringSerde,
      valueSerde: routedPaymentSerde(codecs.payment),
    })
    .addProcessor({
      name: 'reservation-decider',
      supplier: reservationDecider({
        config: options.decision,
        punctuationIntervalMs: options.punctuationIntervalMs,
        progressIntervalMs: Math.max(1, Math.min(options.punctuationIntervalMs, options.strayPaymentGraceMs)),
        idleAfterMs: options.deciderIdleAfterMs ?? 30_000,
        promotions,
        ...(options.metrics ? { metrics: options.metrics } : {}),
      }),
      parents: ['resources-source', 'commands-source', 'routed-payments-source'],
    })
    .addSink({
      name: deciderOutputs.events,
      topic: topics.events,
      keySerde: stringSerde,
      valueSerde: encodingSerde(codecs.event),
      parents: ['reservation-decider'],
    })
    .addSink({
      name: deciderOutputs.notifications,
      topic: topics.notifications,
      keySerde: stringSerde,
      valueSerde: encodingSerde(codecs.notification),
      parents: ['reservation-decider'],
    })
    .addSink({
      name: deciderOutputs.routes,
      topic: internalTopics.routes,
      internal: true,
      keySerde: stringSerde,
      valueSerde: routeValueSerde,
      // a route by its reservationId; a decider task's progress to every router task
      partitioner: (_key, value, partitions) =>
        typeof value === 'object' && value !== null
          ? Array.from({ length: partitions }, (_, p) => p)
          : undefined,
      parents: ['reservation-decider'],
    })

  builder
    .addSource({
      name: 'payments-source',
      topics: [topics.payments],
      keySerde: stringSerde,
      valueSerde: paymentSerde(codecs.payment),
    })
    .addSource({
      name: 'routes-source',
      topics: [internalTopics.routes],
      internal: true,
      acceptsTombstones: true, // a removed reservation's route
      keySerde: stringSerde,
      valueSerde: routeSerde,
    })
    .addProcessor({
      name: 'payment-router',
      supplier: paymentRouter({ codec: codecs.payment, strayGraceMs: options.strayPaymentGraceMs }),
      parents: ['payments-source', 'routes-source'],
    })
    .addSink({
      name: 'routed-payments-sink',
      topic: internalTopics.routedPayments,
      internal: true,
      keySerde: stringSerde,
      valueSerde: encodingSerde(codecs.payment),
      parents: ['payment-router'],
    })
  return builder.build()
}
