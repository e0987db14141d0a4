import avsc from 'avsc'
import { describe, expect, it } from 'vitest'
import { createTopicCodec, formatFromEnv, type CodecFormat, codecFormats } from '../../schemas/codec.js'
import { schemaNames, type SchemaName, type SchemaValues } from '../../schemas/generated/types.js'
import { valueSchema } from '../../schemas/value-schema.js'
import { FakeSchemaRegistry } from './fake-schema-registry.js'
import {
  sampleCommands,
  sampleEvents,
  sampleNotification,
  samplePayment,
  samplePromotion,
  sampleResource,
} from './samples.js'

const samples: { [K in SchemaName]: SchemaValues[K][] } = {
  'payment-event': [samplePayment],
  'promotion-definition': [samplePromotion],
  'reservation-command': sampleCommands,
  'reservation-event': sampleEvents,
  'reservation-notification': [sampleNotification],
  'resource-definition': [sampleResource],
}

/** Random values of every branch, from avsc's generator. */
function randomValues(name: SchemaName, count: number): unknown[] {
  const type = valueSchema(name).type
  return Array.from({ length: count }, () => {
    const value: unknown = type.random()
    return typeof (value as { unwrap?: unknown }).unwrap === 'function'
      ? (value as { unwrap(): unknown }).unwrap()
      : value
  })
}

const registry = new FakeSchemaRegistry()
const codec = (name: SchemaName, format: CodecFormat) =>
  createTopicCodec(name, { format, topic: name, registry })

describe.each(codecFormats)('the %s codec', (format) => {
  it.each(schemaNames)('round-trips sample values of %s', async (name) => {
    const subject = await codec(name, format)
    for (const value of samples[name]) expect(subject.decode(subject.encode(value as never))).toEqual(value)
  })

  it.each(schemaNames)('round-trips random values of every branch of %s', async (name) => {
    const subject = await codec(name, format)
    for (const value of randomValues(name, 200))
      expect(subject.decode(subject.encode(value as never))).toEqual(value)
  })
})

describe('the formats', () => {
  it('writes the single-object header 0xC3 0x01 and the fingerprint', async () => {
    const bytes = (await codec('resource-definition', 'avro')).encode(sampleResource)
    expect(bytes.subarray(0, 2)).toEqual(Buffer.from([0xc3, 0x01]))
    expect(bytes.subarray(2, 10)).toEqual(valueSchema('resource-definition').fingerprint)
  })

  it('writes the Confluent header with the id registered under <topic>-value', async () => {
    const fake = new FakeSchemaRegistry()
    const subject = await createTopicCodec('reservation-event', {
      format: 'confluent',
      topic: 'reservation',
      registry: fake,
    })
    const bytes = subject.encode(sampleEvents[0] as SchemaValues['reservation-event'])
    expect(bytes[0]).toBe(0)
    expect(bytes.readUInt32BE(1)).toBe(fake.subjects.get('reservation-value')?.[0])
  })

  it('writes JSON as one flat object with a type field and no union wrapping', async () => {
    const bytes = (await codec('reservation-command', 'json')).encode(sampleCommands[0] as never)
    const json = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>
    expect(json['type']).toBe('CreateReservation')
    expect(json['promotionCode']).toBe('WINTER')
  })

  it('reads JSON from other tools without the defaulted fields', async () => {
    const text = JSON.stringify({
      commandId: 'c-7',
      type: 'CreateReservation',
      resourceId: 'room-101',
      issuedAt: 5,
      reservationId: 'r-7',
      customerId: 'bob',
      start: '2030-01-01T00:00:00Z',
      end: '2030-01-02T00:00:00Z',
      quantity: 1,
      unknownExtra: 'ignored',
    })
    const command = (await codec('reservation-command', 'json')).decode(Buffer.from(text))
    expect(command).toMatchObject({ waitlistIfUnavailable: false, promotionCode: null })
    expect(command).not.toHaveProperty('unknownExtra')
  })

  it.each(schemaNames)('fills every defaulted field JSON leaves out of %s with its default', async (name) => {
    const subject = await codec(name, 'json')
    const type = valueSchema(name).type
    let filled = 0
    for (const value of randomValues(name, 100) as Record<string, unknown>[]) {
      const record =
        type instanceof avsc.types.WrappedUnionType
          ? type.types.find(
              (branch) =>
                ((branch as avsc.types.RecordType).field('type').type as avsc.types.EnumType).symbols[0] ===
                value['type'],
            )
          : type
      const json = JSON.parse(subject.encode(value as never).toString('utf8')) as Record<string, unknown>
      const expected = { ...value }
      for (const field of (record as avsc.types.RecordType).fields) {
        if (field.defaultValue() === undefined) continue
        delete json[field.name]
        expected[field.name] = field.defaultValue()
        filled++
      }
      expect(subject.decode(Buffer.from(JSON.stringify(json)))).toEqual(expected)
    }
    expect(filled).toBeGreaterThan(0)
  })

  it('picks the format from the environment', () => {
    expect(formatFromEnv({})).toBe('avro')
    expect(formatFromEnv({ SCHEMA_REGISTRY_URL: 'http://registry:8081' })).toBe('confluent')
    expect(formatFromEnv({ SCHEMA_REGISTRY_URL: 'http://registry:8081', RESERVATION_FORMAT: 'json' })).toBe(
      'json',
    )
  })
})
