// The state layout of the reservation processor: store names and how their keys are built, shared by
// the processor, its punctuator and the tests. All keys are strings. Ids are URI-component encoded, so
// `|` separates key parts unambiguously and `${resource}|` is a prefix of one resource only. Numbers
// are zero-padded, so byte order is numeric order and a time range is one key-range scan.
//
//   store              key                                          value
//   resources          resourceId                                   ResourceDefinition (from the `resources` topic)
//   resource-meta      resourceId                                   ResourceMeta (event sequence, waitlist counter)
//   reservations       resource|reservationId                       Reservation
//   reservation-index  resource|endMinute(10)|reservationId         reservationId, for every reservation holding units
//   slots              resource|slotStartMinute(10)                 SlotUsage (units held), absent when 0
//   waitlist           resource|seq(12)                             WaitlistEntry, FIFO by seq
//   holds              expiresAtMillis(15)|resource|reservationId   resourceId, for every unauthorized hold
//   commands           resource|commandId                           eventId of the outcome (idempotency)
//                      resource|payment:<type>:paymentId            eventId of the first event (payment idempotency)
//   promotion-uses     resource|code                                uses of the promotion on this resource
//   retention-index    r|sinceMillis(15)|resource|reservationId     resourceId, for every reservation: when its retention began
//                      w|sinceMillis(15)|resource|seq(12)           resourceId, for every waitlist entry: its end
//   command-index      recordedAtMillis(15)|commands key             resourceId, for every `commands` key: when it was recorded
// Promotions are a global table: code → PromotionDefinition (from the `promotions` topic).
// Reservation ids are scoped by resource: the payment router maps reservationId → resourceId itself.
import type { MinuteRange } from './time-range.js'

export const storeNames = [
  'resources',
  'resource-meta',
  'reservations',
  'reservation-index',
  'slots',
  'waitlist',
  'holds',
  'commands',
  'promotion-uses',
  'retention-index',
  'command-index',
] as const
export type StoreName = (typeof storeNames)[number]

/** A key range for a scan: `gte <= key < lt`. */
export interface KeyRange {
  readonly gte: string
  readonly lt: string
}

const id = encodeURIComponent
const pad = (value: number, width: number): string =>
  String(Math.max(0, Math.trunc(value))).padStart(width, '0')
/** Sorts after every digit and every encoded id character. */
const AFTER_ALL = '~'

/** The two kinds of `retention-index` keys, as their one-letter prefixes. */
const retentionKinds = { reservation: 'r', waitlist: 'w' } as const

export const storeKeys = {
  resource: (resourceId: string): string => resourceId,
  meta: (resourceId: string): string => resourceId,
  reservation: (resourceId: string, reservationId: string): string =>
    `${id(resourceId)}|${id(reservationId)}`,
  reservationIndex: (resourceId: string, endMinute: number, reservationId: string): string =>
    `${id(resourceId)}|${pad(endMinute, 10)}|${id(reservationId)}`,
  slot: (resourceId: string, slotStartMinute: number): string =>
    `${id(resourceId)}|${pad(slotStartMinute, 10)}`,
  waitlist: (resourceId: string, seq: number): string => `${id(resourceId)}|${pad(seq, 12)}`,
  hold: (expiresAtMillis: number, resourceId: string, reservationId: string): string =>
    `${pad(expiresAtMillis, 15)}|${id(resourceId)}|${id(reservationId)}`,
  command: (resourceId: string, commandId: string): string => `${id(resourceId)}|${id(commandId)}`,
  payment: (resourceId: string, paymentType: string, paymentId: string): string =>
    `${id(resourceId)}|payment:${paymentType}:${id(paymentId)}`,
  promotionUses: (resourceId: string, code: string): string => `${id(resourceId)}|${id(code)}`,
  reservationRetention: (sinceMillis: number, resourceId: string, reservationId: string): string =>
    `${retentionKinds.reservation}|${pad(sinceMillis, 15)}|${id(resourceId)}|${id(reservationId)}`,
  waitlistRetention: (sinceMillis: number, resourceId: string, seq: number): string =>
    `${retentionKinds.waitlist}|${pad(sinceMillis, 15)}|${id(resourceId)}|${pad(seq, 12)}`,
  commandIndex: (recordedAtMillis: number, commandsKey: string): string =>
    `${pad(recordedAtMillis, 15)}|${commandsKey}`,
} as const

export const keyRanges = {
  /** Slots of a resource whose start lies in `range`. */
  slots: (resourceId: string, range: MinuteRange): KeyRange => ({
    gte: storeKeys.slot(resourceId, range.start),
    lt: storeKeys.slot(resourceId, range.end),
  }),
  /** Index entries of reservations ending after `minute` (a superset of those overlapping a range starting there). */
  reservationsEndingAfter: (resourceId: string, minute: number): KeyRange => ({
    gte: `${id(resourceId)}|${pad(minute + 1, 10)}`,
    lt: `${id(resourceId)}|${AFTER_ALL}`,
  }),
  /** Every index entry of a resource. */
  reservationsOf: (resourceId: string): KeyRange => ({
    gte: `${id(resourceId)}|`,
    lt: `${id(resourceId)}|${AFTER_ALL}`,
  }),
  /** The whole waitlist of a resource, in FIFO order. */
  waitlist: (resourceId: string): KeyRange => ({
    gte: `${id(resourceId)}|`,
    lt: `${id(resourceId)}|${AFTER_ALL}`,
  }),
  /** Holds that expire at or before `nowMillis`, earliest first. */
  dueHolds: (nowMillis: number): KeyRange => ({ gte: '', lt: pad(nowMillis + 1, 15) }),
  /** Reservations whose retention began at or before `cutoffMillis`, earliest first. */
  reservationsRetainedUpTo: (cutoffMillis: number): KeyRange => ({
    gte: `${retentionKinds.reservation}|`,
    lt: `${retentionKinds.reservation}|${pad(cutoffMillis + 1, 15)}`,
  }),
  /** Waitlist entries that ended at or before `cutoffMillis`, earliest first. */
  waitlistRetainedUpTo: (cutoffMillis: number): KeyRange => ({
    gte: `${retentionKinds.waitlist}|`,
    lt: `${retentionKinds.waitlist}|${pad(cutoffMillis + 1, 15)}`,
  }),
  /** `command-index` keys recorded in `[fromMillis, cutoffMillis]`, earliest first. */
  commandsRecorded: (fromMillis: number, cutoffMillis: number): KeyRange => ({
    gte: pad(fromMillis, 15),
    lt: pad(cutoffMillis + 1, 15),
  }),
} as const

export function parseHoldKey(key: string): { expiresAt: number; resourceId: string; reservationId: string } {
  const [expiresAt = '', resourceId = '', reservationId = ''] = key.split('|')
  return {
    expiresAt: Number(expiresAt),
    resourceId: decodeURIComponent(resourceId),
    reservationId: decodeURIComponent(reservationId),
  }
}

/** A `retention-index` key of a reservation (`seq` undefined) or of a waitlist entry (`reservationId` undefined). */
export type RetentionKey =
  | {
      readonly kind: 'reservation'
      readonly since: number
      readonly resourceId: string
      readonly reservationId: string
    }
  | { readonly kind: 'waitlist'; readonly since: number; readonly resourceId: string; readonly seq: number }

export function parseRetentionKey(key: string): RetentionKey {
  const [kind = '', since = '', resourceId = '', last = ''] = key.split('|')
  const common = { since: Number(since), resourceId: decodeURIComponent(resourceId) }
  return kind === retentionKinds.waitlist
    ? { kind: 'waitlist', ...common, seq: Number(last) }
    : { kind: 'reservation', ...common, reservationId: decodeURIComponent(last) }
}

/** A `command-index` key: when the `commands` key was recorded, that key, and its resource. */
export function parseCommandIndexKey(key: string): {
  recordedAt: number
  commandsKey: string
  resourceId: string
} {
  const [recordedAt = '', resourceId = ''] = key.split('|', 2)
  return {
    recordedAt: Number(recordedAt),
    commandsKey: key.slice(recordedAt.length + 1),
    resourceId: decodeURIComponent(resourceId),
  }
}

export function parseSlotKey(key: string): { resourceId: string; slotStart: number } {
  const separator = key.lastIndexOf('|')
  return {
    resourceId: decodeURIComponent(key.slice(0, separator)),
    slotStart: Number(key.slice(separator + 1)),
  }
}
