// What the reservation processor asks the domain to decide about. All inputs concern one resource.
import type { PaymentEvent, ReservationCommand, ResourceDefinition } from '../../schemas/generated/types.js'
import { storeKeys } from './store-keys.js'

/** A hold the punctuator found due in the `holds` store. */
export interface DueHold {
  readonly reservationId: string
  readonly expiresAt: number
}

/**
 * What the retention sweep found due on one resource: reservations and waitlist entries whose retention
 * began (`since`, the time in their `retention-index` key) at least `retentionMs` ago, and `commands` keys
 * recorded at least `dedupRetentionMs` ago.
 */
export interface RetentionDue {
  readonly reservations: readonly { readonly reservationId: string; readonly since: number }[]
  readonly waitlist: readonly { readonly seq: number; readonly since: number }[]
  readonly commands: readonly { readonly commandsKey: string; readonly recordedAt: number }[]
}

export type DecisionInput =
  /** A command from `reservation-commands`. */
  | { readonly type: 'command'; readonly command: ReservationCommand }
  /** A payment event, already routed to the reservation's resource (unknown reservations went to the DLQ). */
  | { readonly type: 'payment'; readonly resourceId: string; readonly payment: PaymentEvent }
  /**
   * A new definition from the `resources` topic. `causationId` identifies the record (e.g.
   * `resources-<partition>@<offset>`) and becomes the causationId of waitlist promotions it triggers.
   */
  | {
      readonly type: 'resource-updated'
      readonly definition: ResourceDefinition
      readonly causationId: string
    }
  /** The expiry punctuator found these holds of the resource due (`expiresAt <= now`). */
  | { readonly type: 'holds-due'; readonly resourceId: string; readonly holds: readonly DueHold[] }
  /** The retention sweep found this state of the resource due for removal. */
  | { readonly type: 'retention-due'; readonly resourceId: string; readonly due: RetentionDue }

export const decisionInputTypes = [
  'command',
  'payment',
  'resource-updated',
  'holds-due',
  'retention-due',
] as const
export type DecisionInputType = DecisionInput['type']

export function inputResourceId(input: DecisionInput): string {
  switch (input.type) {
    case 'command':
      return input.command.resourceId
    case 'resource-updated':
      return input.definition.resourceId
    case 'payment':
    case 'holds-due':
    case 'retention-due':
      return input.resourceId
  }
}

/** Identity of the input: the seed of its events' deterministic ids. */
export function inputId(input: DecisionInput, now: number): string {
  switch (input.type) {
    case 'command':
      return `command:${input.command.commandId}`
    case 'payment':
      return `payment:${input.payment.type}:${input.payment.paymentId}`
    case 'resource-updated':
      return `resource:${input.causationId}`
    case 'holds-due':
      return `holds:${now}:${input.holds.map((hold) => hold.reservationId).join(',')}`
    case 'retention-due':
      return `retention:${now}`
  }
}

/** The `commands` store key that makes a repeated command or payment emit nothing. */
export function idempotencyKey(input: DecisionInput): string | undefined {
  switch (input.type) {
    case 'command':
      return storeKeys.command(input.command.resourceId, input.command.commandId)
    case 'payment':
      return storeKeys.payment(input.resourceId, input.payment.type, input.payment.paymentId)
    case 'resource-updated':
    case 'holds-due':
    case 'retention-due':
      return undefined
  }
}
