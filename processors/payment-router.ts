// Routes payment events (keyed by reservationId; the payment service knows no resources) to the partition
// of their reservation's resource, Kafka Streams-style: a table reservationId → resourceId, fed by the
// decider's route records, joined with the payments stream, and a repartition topic to the decider.
// A payment that arrives before its route waits in a store; if no route appears within `strayGraceMs` of
// stream time, the payment goes to the DLQ as one for an unknown reservation. A route tombstone (the
// decider removed the reservation: retention) deletes the route.
import type { Codec, PaymentEvent } from '../schemas/index.js'
import type { ProcessorSupplier } from '../topology/index.js'
import type { RouterInput } from './decider-input.js'
import { paymentRoutesRef, pendingPaymentsRef, type PendingPayment } from './reservation-stores.js'

export interface PaymentRouterOptions {
  readonly codec: Codec<PaymentEvent>
  readonly strayGraceMs: number
  readonly punctuationIntervalMs: number
}

export function paymentRouter(
  options: PaymentRouterOptions,
): ProcessorSupplier<string, RouterInput | null, string, PaymentEvent> {
  return {
    name: 'payment-router',
    stores: [paymentRoutesRef, pendingPaymentsRef],
    create(ctx) {
      const routes = ctx.store(paymentRoutesRef)
      const pending = ctx.store(pendingPaymentsRef)
      const prefix = (reservationId: string) => `${encodeURIComponent(reservationId)}|`
      const scan = async (gte: string, lt: string) => {
        const found: { key: string; value: PendingPayment }[] = []
        for await (const entry of pending.range({ gte, lt })) found.push(entry)
        return found
      }
      return {
        init() {
          ctx.schedule(options.punctuationIntervalMs, 'stream-time', async (now) => {
            for (const { key, value } of await scan('', '~')) {
              if (value.timestamp >= now - options.strayGraceMs) continue
              pending.delete(key)
              ctx.deadLetter(
                `unknown reservation '${value.reservationId}': no reservation with this id was created within ${options.strayGraceMs} ms of stream time`,
                {
                  topic: value.topic,
                  partition: value.partition,
                  offset: value.offset,
                  timestamp: value.timestamp,
                  key: value.key === null ? null : Buffer.from(value.key, 'utf8'),
                  value: Buffer.from(value.valueBase64, 'base64'),
                },
              )
            }
          })
        },
        async process(record) {
          const input = record.value
          if (input === null) {
            routes.delete(record.key)
            return
          }
          if (input.kind === 'route') {
            routes.put(record.key, input.resourceId)
            for (const { key, value } of await scan(prefix(record.key), `${prefix(record.key)}~`)) {
              pending.delete(key)
              const payment = options.codec.decode(Buffer.from(value.valueBase64, 'base64'))
              ctx.forward({
                key: input.resourceId,
                value: payment,
                timestamp: Math.max(value.timestamp, record.timestamp),
              })
            }
            return
          }
          const reservationId = input.payment.reservationId
          if (record.key !== reservationId) {
            ctx.deadLetter(`record key '${record.key}' is not the payment's reservationId '${reservationId}'`)
            return
          }
          const resourceId = await routes.get(reservationId)
          if (resourceId !== undefined) {
            ctx.forward({ key: resourceId, value: input.payment, timestamp: record.timestamp })
            return
          }
          const origin = ctx.origin!
          pending.put(
            `${prefix(reservationId)}${origin.topic}|${origin.partition}|${String(origin.offset).padStart(15, '0')}`,
            {
              reservationId,
              topic: origin.topic,
              partition: origin.partition,
              offset: origin.offset,
              timestamp: record.timestamp,
              key: record.key,
              valueBase64: input.bytes.toString('base64'),
            },
          )
        },
      }
    },
  }
}
