// Routes payment events (keyed by reservationId; the payment service knows no resources) to the partition
// of their reservation's resource: a stream–table join of the payments with the routes table
// (reservationId → resourceId, fed by the decider) that waits for the table, in event time (KIP-923's
// stream–table join with a grace period, with the decider tasks' published progress as the table side's
// stream time). A payment at time t for reservation r:
//   1. r's route is known: r created at or before t + grace → forwarded at once; created later → DLQ.
//   2. Not known yet: the payment waits (pending-payments, and by time in pending-payment-times) until
//      a. r's route arrives → as in 1; or
//      b. every decider task has processed past t + grace (the minimum of their progress records, which
//         each writes to every router partition after the routes it forwarded, so in offset order behind
//         them) → r was not created by then: the payment is stray, DLQ with the reason.
//   Until every decider task has published progress (a fresh application), nothing is judged stray. A
//   task that says it is idle (nothing processed for a while) is left out of the minimum until it
//   publishes again — if every task is idle, the highest progress counts.
// Decided from record timestamps alone, so the outcome does not depend on how fast either side runs — a
// backlog is routed as it would have been live. A route tombstone (the decider removed the reservation:
// retention) deletes the route; a payment for it after that is stray.
import type { Codec, PaymentEvent } from '../schemas/index.js'
import type { KeyValueStore } from '../state/index.js'
import type { DeadLetterRecord, ProcessorSupplier } from '../topology/index.js'
import type { DeciderProgress, RouterInput } from './decider-input.js'
import {
  deciderProgressRef,
  paymentRoutesRef,
  pendingPaymentsRef,
  pendingPaymentTimesRef,
  type PaymentRoute,
  type PendingPayment,
} from './reservation-stores.js'

export interface PaymentRouterOptions {
  readonly codec: Codec<PaymentEvent>
  /** STRAY_PAYMENT_GRACE_MS: how much later than its payment a reservation may be created. */
  readonly strayGraceMs: number
}

const pad = (n: number) => String(n).padStart(15, '0')
const iso = (ms: number) => new Date(ms).toISOString()

export function paymentRouter(
  options: PaymentRouterOptions,
): ProcessorSupplier<string, RouterInput | null, string, PaymentEvent> {
  const grace = options.strayGraceMs
  return {
    name: 'payment-router',
    stores: [paymentRoutesRef, pendingPaymentsRef, pendingPaymentTimesRef, deciderProgressRef],
    create(ctx) {
      const routes = ctx.store(paymentRoutesRef)
      const pending = ctx.store(pendingPaymentsRef)
      const byTime = ctx.store(pendingPaymentTimesRef)
      const progressStore = ctx.store(deciderProgressRef)
      /** Each decider task's progress (a copy of the store) and how many tasks there are. */
      const progress = new Map<number, { readonly streamTime: number; readonly idle: boolean }>()
      let tasks = 0
      /** Step 2b's time: the minimum progress over the decider tasks, once each has published one. */
      let tableTime: number | undefined
      const recompute = () => {
        tableTime = undefined
        let min = Number.POSITIVE_INFINITY
        let max = Number.NEGATIVE_INFINITY
        for (let task = 0; task < tasks; task++) {
          const p = progress.get(task)
          if (p === undefined) return
          max = Math.max(max, p.streamTime)
          if (!p.idle) min = Math.min(min, p.streamTime)
        }
        const time = Number.isFinite(min) ? min : max
        if (tasks > 0 && time >= 0) tableTime = time
      }
      const prefix = (reservationId: string) => `${encodeURIComponent(reservationId)}|`
      const scan = async <V>(store: KeyValueStore<string, V>, gte: string, lt: string) => {
        const found: { key: string; value: V }[] = []
        for await (const entry of store.range({ gte, lt })) found.push(entry)
        return found
      }
      const original = (p: PendingPayment): DeadLetterRecord => ({
        topic: p.topic,
        partition: p.partition,
        offset: p.offset,
        timestamp: p.timestamp,
        key: p.key === null ? null : Buffer.from(p.key, 'utf8'),
        value: Buffer.from(p.valueBase64, 'base64'),
      })
      const createdTooLate = (reservationId: string, createdAt: number, timestamp: number) =>
        `unknown reservation '${reservationId}': it was created at ${iso(createdAt)}, later than the payment's time plus STRAY_PAYMENT_GRACE_MS (${iso(timestamp + grace)})`
      const notCreated = (reservationId: string, timestamp: number, now: number) =>
        `unknown reservation '${reservationId}': no reservation with this id was created by ${iso(timestamp + grace)} (the payment's time plus STRAY_PAYMENT_GRACE_MS); every reservation task has processed past it, to ${iso(now)}`
      /** Step 2b for every pending payment the table's time has passed by more than the grace. */
      const judgeStrays = async () => {
        if (tableTime === undefined || tableTime - grace <= 0) return
        for (const { key, value: pendingKey } of await scan(byTime, '', pad(tableTime - grace))) {
          byTime.delete(key)
          const payment = await pending.get(pendingKey)
          if (payment === undefined) continue
          pending.delete(pendingKey)
          ctx.deadLetter(notCreated(payment.reservationId, payment.timestamp, tableTime), original(payment))
        }
      }
      const advance = async (p: DeciderProgress) => {
        if (p.tasks !== tasks) {
          tasks = p.tasks
          for (const task of [...progress.keys()]) if (task >= tasks) progress.delete(task)
        }
        const known = progress.get(p.task)
        // stream time is not kept across a decider's restart: what it published before still holds
        const streamTime = Math.max(known?.streamTime ?? Number.NEGATIVE_INFINITY, p.streamTime)
        if (known && known.streamTime === streamTime && known.idle === p.idle) return
        progress.set(p.task, { streamTime, idle: p.idle })
        progressStore.put(pad(p.task), { streamTime, tasks: p.tasks, idle: p.idle })
        const before = tableTime
        recompute()
        if (tableTime !== undefined && tableTime !== before) await judgeStrays()
      }
      /** Step 2a: a route arrived; the payments waiting for it are routed (or dead-lettered: created too late). */
      const routed = (
        record: { readonly key: string; readonly timestamp: number },
        resourceId: string,
        waiting: readonly { readonly key: string; readonly value: PendingPayment }[],
      ) => {
        const createdAt = record.timestamp
        for (const { key, value } of waiting) {
          pending.delete(key)
          byTime.delete(`${pad(value.timestamp)}|${key}`)
          if (createdAt > value.timestamp + grace) {
            ctx.deadLetter(createdTooLate(record.key, createdAt, value.timestamp), original(value))
            continue
          }
          ctx.forward({
            key: resourceId,
            value: options.codec.decode(Buffer.from(value.valueBase64, 'base64')),
            timestamp: Math.max(value.timestamp, record.timestamp),
          })
        }
      }
      /** Steps 1 and 2 for a payment, once its route (or that there is none yet) is known. */
      const paid = (
        record: { readonly key: string; readonly timestamp: number },
        input: Extract<RouterInput, { kind: 'payment' }>,
        route: PaymentRoute | undefined,
      ) => {
        const reservationId = input.payment.reservationId
        if (route !== undefined) {
          if (route.createdAt > record.timestamp + grace)
            ctx.deadLetter(createdTooLate(reservationId, route.createdAt, record.timestamp))
          else ctx.forward({ key: route.resourceId, value: input.payment, timestamp: record.timestamp })
          return
        }
        if (tableTime !== undefined && record.timestamp + grace < tableTime) {
          ctx.deadLetter(notCreated(reservationId, record.timestamp, tableTime))
          return
        }
        const origin = ctx.origin!
        const key = `${prefix(reservationId)}${origin.topic}|${origin.partition}|${pad(origin.offset)}`
        pending.put(key, {
          reservationId,
          topic: origin.topic,
          partition: origin.partition,
          offset: origin.offset,
          timestamp: record.timestamp,
          key: record.key,
          valueBase64: input.bytes.toString('base64'),
        })
        byTime.put(`${pad(record.timestamp)}|${key}`, key)
      }
      return {
        async init() {
          for await (const { key, value } of progressStore.range({ gte: '', lt: '~' })) {
            progress.set(Number(key), { streamTime: value.streamTime, idle: value.idle })
            tasks = value.tasks
          }
          recompute()
        },
        // synchronous while the stores answer at once (routes: its cache or LevelDB's synchronous read;
        // pending payments: held in memory), else a promise
        process(record) {
          const input = record.value
          if (input === null) {
            routes.delete(record.key)
            return
          }
          switch (input.kind) {
            case 'progress':
              return advance(input.progress)
            case 'route': {
              routes.put(record.key, { resourceId: input.resourceId, createdAt: record.timestamp })
              const gte = prefix(record.key)
              const lt = `${gte}~`
              const waiting = pending.rangeNow?.({ gte, lt })
              if (waiting !== undefined) return routed(record, input.resourceId, waiting)
              return scan(pending, gte, lt).then((found) => routed(record, input.resourceId, found))
            }
            case 'payment':
              break
          }
          const reservationId = input.payment.reservationId
          if (record.key !== reservationId) {
            ctx.deadLetter(`record key '${record.key}' is not the payment's reservationId '${reservationId}'`)
            return
          }
          const known = routes.getNow?.(reservationId)
          if (known !== undefined) return paid(record, input, known.value)
          return routes.get(reservationId).then((route) => paid(record, input, route))
        },
      }
    },
  }
}
