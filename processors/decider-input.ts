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

export const routeSerde: Serde<RouterInput> = {
  deserialize: (bytes) => ({ kind: 'route', resourceId: bytes.toString('utf8') }),
  serialize: (input) => Buffer.from((input as Extract<RouterInput, { kind: 'route' }>).resourceId, 'utf8'),
}

/** A serde that only encodes (for sinks) with a codec. */
export function encodingSerde<T>(codec: Codec<T>): Serde<T> {
  return { serialize: (value) => codec.encode(value), deserialize: (bytes) => codec.decode(bytes) }
}
