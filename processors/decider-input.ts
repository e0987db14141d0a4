// What the reservation decider and the payment router read, tagged by source, and the serdes that turn
// topic bytes into these values through the topic codecs (Avro, Confluent or JSON).
import type { Codec, PaymentEvent, ReservationCommand, ResourceDefinition } from '../schemas/index.js'
import type { Serde } from '../state/index.js'

export type DeciderInput =
  | { readonly kind: 'command'; readonly command: ReservationCommand }
  | { readonly kind: 'resource'; readonly definition: ResourceDefinition }
  | { readonly kind: 'payment'; readonly payment: PaymentEvent }

export type RouterInput =
  | { readonly kind: 'payment'; readonly payment: PaymentEvent; readonly bytes: Buffer }
  | { readonly kind: 'route'; readonly resourceId: string }
  | { readonly kind: 'progress'; readonly progress: DeciderProgress }

/**
 * What a decider task publishes to every payment-router task, after the routes it forwarded: it has
 * processed its inputs up to `streamTime` (task `task` of `tasks`). A watermark: the router learns from it
 * that a reservation not routed yet had not been created by then. `idle`: the task has processed nothing
 * for a while (wall clock), so it does not hold the others back (a partition without resources).
 */
export interface DeciderProgress {
  readonly task: number
  readonly tasks: number
  readonly streamTime: number
  readonly idle: boolean
}

/** A route record's value: a resourceId (UTF-8), or a progress record (0x00 then JSON). */
export type RouteValue = string | DeciderProgress

const progressMark = 0

function codecSerde<T>(codec: Codec<T>): Pick<Serde<T>, 'prepare'> {
  return { prepare: (bytes) => codec.prepare(bytes) }
}

export function commandSerde(codec: Codec<ReservationCommand>): Serde<DeciderInput> {
  return {
    ...codecSerde(codec),
    deserialize: (bytes) => ({ kind: 'command', command: codec.decode(bytes) }),
    serialize: (input) => codec.encode((input as Extract<DeciderInput, { kind: 'command' }>).command),
  }
}

export function resourceSerde(codec: Codec<ResourceDefinition>): Serde<DeciderInput> {
  return {
    ...codecSerde(codec),
    deserialize: (bytes) => ({ kind: 'resource', definition: codec.decode(bytes) }),
    serialize: (input) => codec.encode((input as Extract<DeciderInput, { kind: 'resource' }>).definition),
  }
}

export function routedPaymentSerde(codec: Codec<PaymentEvent>): Serde<DeciderInput> {
  return {
    ...codecSerde(codec),
    deserialize: (bytes) => ({ kind: 'payment', payment: codec.decode(bytes) }),
    serialize: (input) => codec.encode((input as Extract<DeciderInput, { kind: 'payment' }>).payment),
  }
}

export function paymentSerde(codec: Codec<PaymentEvent>): Serde<RouterInput> {
  return {
    ...codecSerde(codec),
    deserialize: (bytes) => ({ kind: 'payment', payment: codec.decode(bytes), bytes }),
    serialize: (input) => codec.encode((input as Extract<RouterInput, { kind: 'payment' }>).payment),
  }
}

/** The routes topic as the decider writes it. */
export const routeValueSerde: Serde<RouteValue> = {
  serialize: (value) =>
    typeof value === 'string'
      ? Buffer.from(value, 'utf8')
      : Buffer.concat([Buffer.from([progressMark]), Buffer.from(JSON.stringify(value), 'utf8')]),
  deserialize: (bytes) =>
    bytes[0] === progressMark
      ? (JSON.parse(bytes.subarray(1).toString('utf8')) as DeciderProgress)
      : bytes.toString('utf8'),
}

/** The routes topic as the router reads it. */
export const routeSerde: Serde<RouterInput> = {
  deserialize: (bytes) => {
    const value = routeValueSerde.deserialize(bytes)
    return typeof value === 'string'
      ? { kind: 'route', resourceId: value }
      : { kind: 'progress', progress: value }
  },
  serialize: (input) => {
    if (input.kind === 'route') return routeValueSerde.serialize(input.resourceId)
    if (input.kind === 'progress') return routeValueSerde.serialize(input.progress)
    throw new Error('a payment is not a route')
  },
}

/** A serde that only encodes (for sinks) with a codec. */
export function encodingSerde<T>(codec: Codec<T>): Serde<T> {
  return { serialize: (value) => codec.encode(value), deserialize: (bytes) => codec.decode(bytes) }
}
