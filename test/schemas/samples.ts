// Sample values of every schema for codec tests.
import type {
  PaymentEvent,
  PromotionDefinition,
  ReservationCommand,
  ReservationEvent,
  ReservationNotification,
  ResourceDefinition,
} from '../../schemas/generated/types.js'

export const sampleCommands: ReservationCommand[] = [
  {
    commandId: 'c-1',
    type: 'CreateReservation',
    resourceId: 'room-101',
    issuedAt: 1_893_456_000_000,
    reservationId: 'r-1',
    customerId: 'alice',
    start: '2030-01-01T00:00:00Z',
    end: '2030-01-03T00:00:00Z',
    quantity: 2,
    waitlistIfUnavailable: true,
    promotionCode: 'WINTER',
  },
  {
    commandId: 'c-2',
    type: 'ModifyReservation',
    resourceId: 'room-101',
    issuedAt: 1_893_456_000_001,
    reservationId: 'r-1',
    start: null,
    end: '2030-01-04T00:00:00Z',
    quantity: null,
  },
  {
    commandId: 'c-3',
    type: 'ProcessOverreservation',
    resourceId: 'room-101',
    issuedAt: 1,
    start: null,
    end: null,
  },
]

export const sampleResource: ResourceDefinition = {
  resourceId: 'room-101',
  category: 'hotel-room',
  capacity: 10,
  slotMinutes: 1440,
  overbookingLimit: 1,
  priceCentsPerUnitSlot: 12_000,
}

export const samplePromotion: PromotionDefinition = {
  code: 'WINTER',
  percentOff: 10,
  amountOffCents: null,
  validFrom: '2029-12-01T00:00:00Z',
  validUntil: '2030-03-01T00:00:00Z',
  maxUses: null,
}

export const samplePayment: PaymentEvent = {
  paymentId: 'p-1',
  type: 'PaymentFailed',
  reservationId: 'r-1',
  amountCents: 24_000,
  method: 'card',
  occurredAt: 1_893_456_000_500,
  reason: 'insufficient funds',
}

export const sampleEvents: ReservationEvent[] = [
  {
    eventId: '5b1c3c1e-0000-8000-8000-000000000001',
    type: 'ReservationCreated',
    resourceId: 'room-101',
    reservationId: 'r-1',
    causationId: 'c-1',
    sequence: 3,
    occurredAt: 1_893_456_000_000,
    customerId: 'alice',
    start: '2030-01-01T00:00:00.000Z',
    end: '2030-01-03T00:00:00.000Z',
    quantity: 2,
    priceCents: 43_200,
    promotionCode: 'WINTER',
    status: 'PENDING_PAYMENT',
    holdExpiresAt: 1_893_456_900_000,
    overbooked: true,
    alternatives: [
      {
        resourceId: 'room-101',
        start: '2030-01-05T00:00:00.000Z',
        end: '2030-01-07T00:00:00.000Z',
        quantity: 2,
      },
    ],
    fromWaitlistEntryId: null,
  },
  {
    eventId: '5b1c3c1e-0000-8000-8000-000000000002',
    type: 'CommandRejected',
    resourceId: 'room-101',
    reservationId: null,
    causationId: 'c-9',
    sequence: 4,
    occurredAt: 1_893_456_000_000,
    commandType: 'CreateReservation',
    reason: 'UNAVAILABLE',
    message: 'no room',
    alternatives: [],
  },
  {
    eventId: '5b1c3c1e-0000-8000-8000-000000000003',
    type: 'OverreservationProcessed',
    resourceId: 'room-101',
    reservationId: null,
    causationId: 'c-3',
    sequence: 5,
    occurredAt: 1_893_456_000_000,
    start: null,
    end: null,
    bumped: [
      {
        reservationId: 'r-1',
        customerId: 'alice',
        start: '2030-01-01T00:00:00.000Z',
        end: '2030-01-03T00:00:00.000Z',
        quantity: 2,
        previousStatus: 'AUTHORIZED',
        alternatives: [],
      },
    ],
    resolved: true,
  },
]

export const sampleNotification: ReservationNotification = {
  notificationId: 'n-1',
  type: 'Overbooked',
  customerId: 'alice',
  resourceId: 'room-101',
  reservationId: 'r-1',
  causationId: '5b1c3c1e-0000-8000-8000-000000000001',
  occurredAt: 1_893_456_000_000,
  status: 'PENDING_PAYMENT',
  message: 'overbooked',
  alternatives: [],
}
