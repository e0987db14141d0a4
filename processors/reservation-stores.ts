// The reservation processor's stores as engine store refs: one per domain store of store-keys.ts, string
// keys (byte order = key order, so every domain key range is one scan) and JSON values.
import {
  jsonSerde,
  storeRef,
  stringSerde,
  type KeyValueStore,
  type KeyValueStoreRef,
} from '../state/index.js'
import { storeNames, type StoreName, type StoreValues } from './domain/index.js'

export type ReservationStoreRefs = { readonly [S in StoreName]: KeyValueStoreRef<string, StoreValues[S]> }
export type ReservationStores = { readonly [S in StoreName]: KeyValueStore<string, StoreValues[S]> }

/**
 * The stores that decisions and punctuators scan (a resource's slots in a window, its waitlist, due holds,
 * live reservations, what retention removes): small, so held whole in memory as well, and their scans never
 * wait on LevelDB. `command-index` (one key per remembered command id) is scanned by the retention sweep too,
 * but is as large as `commands`: it stays on disk, and the sweep starts where the last one stopped.
 */
const scannedStores: ReadonlySet<StoreName> = new Set([
  'slots',
  'waitlist',
  'holds',
  'reservation-index',
  'retention-index',
])

export const reservationStoreRefs: ReservationStoreRefs = Object.fromEntries(
  storeNames.map((name) => [
    name,
    storeRef({
      name,
      keySerde: stringSerde,
      valueSerde: jsonSerde(),
      mirrorInMemory: scannedStores.has(name),
    }),
  ]),
) as unknown as ReservationStoreRefs

/** A reservation's route, kept by the payment router: its resource, and when the decider created it. */
export interface PaymentRoute {
  readonly resourceId: string
  /** The route record's timestamp: the decider's stream time when it created the reservation. */
  readonly createdAt: number
}

/** reservationId → its route (keyed by reservation). */
export const paymentRoutesRef = storeRef<string, PaymentRoute>({
  name: 'payment-routes',
  keySerde: stringSerde,
  valueSerde: jsonSerde<PaymentRoute>(),
})

/** A decider task's last published progress, as the payment router keeps it. */
export interface StoredProgress {
  readonly streamTime: number
  readonly tasks: number
  readonly idle: boolean
}

/** Each decider task's last published progress (key: the task's partition, zero-padded). */
export const deciderProgressRef = storeRef<string, StoredProgress>({
  name: 'decider-progress',
  keySerde: stringSerde,
  valueSerde: jsonSerde<StoredProgress>(),
  mirrorInMemory: true,
})

/** Payments waiting for their reservation's route, with their original bytes for the DLQ. */
export interface PendingPayment {
  readonly reservationId: string
  readonly topic: string
  readonly partition: number
  readonly offset: number
  readonly timestamp: number
  readonly key: string | null
  readonly valueBase64: string
}

/**
 * Keyed by reservation (`<reservationId>|<topic>|<partition>|<offset>`): scanned for every new route, held in
 * memory as well, like the decider's scanned stores.
 */
export const pendingPaymentsRef = storeRef<string, PendingPayment>({
  name: 'pending-payments',
  keySerde: stringSerde,
  valueSerde: jsonSerde<PendingPayment>(),
  mirrorInMemory: true,
})

/** The same payments by time (`<timestamp, zero-padded>|<pending-payments key>` → ''), scanned as progress comes. */
export const pendingPaymentTimesRef = storeRef<string, string>({
  name: 'pending-payment-times',
  keySerde: stringSerde,
  valueSerde: stringSerde,
  mirrorInMemory: true,
})
