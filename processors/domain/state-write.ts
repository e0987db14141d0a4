// What a decision returns: the events to forward, the notifications to send, and the store changes.
import type { ReservationEvent, ReservationNotification } from '../../schemas/generated/types.js'
import type { StoreValues } from './state-records.js'
import type { StoreName } from './store-keys.js'

/** Put `value` under `key` in `store`; `null` deletes the key. At most one write per store and key. */
export type StateWrite = {
  [S in StoreName]: { readonly store: S; readonly key: string; readonly value: StoreValues[S] | null }
}[StoreName]

export interface DecisionResult {
  /** Events for the `reservation` topic (key: resourceId), in sequence order. */
  readonly events: readonly ReservationEvent[]
  /** Messages for `reservation-notifications` (key: customerId). */
  readonly notifications: readonly ReservationNotification[]
  /** Store changes; apply all of them (in any order) atomically with forwarding the events. */
  readonly writes: readonly StateWrite[]
  /**
   * The input cannot be decided and goes to the DLQ with this reason (a payment for a reservation this
   * resource does not know); nothing else is emitted or written then.
   */
  readonly deadLetter?: string
}

export const emptyDecisionResult: DecisionResult = { events: [], notifications: [], writes: [] }
