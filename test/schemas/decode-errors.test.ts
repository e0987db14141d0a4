import { describe, expect, it } from 'vitest'
import type { CodecError } from '../../schemas/codec-error.js'
import { DecodeError, EncodeError, SchemaRegistryError } from '../../schemas/codec-error.js'
import { confluentCodec } from '../../schemas/confluent-codec.js'
import type { ResourceDefinition } from '../../schemas/generated/types.js'
import { jsonCodec } from '../../schemas/json-codec.js'
import { HttpSchemaRegistry } from '../../schemas/schema-registry.js'
import { singleObjectCodec } from '../../schemas/single-object-codec.js'
import { FakeSchemaRegistry } from './fake-schema-registry.js'
import { sampleCommands, sampleResource } from './samples.js'

/** Runs `decode` and returns the DecodeError it throws. */
function decodeError(decode: () => unknown): DecodeError {
  try {
    decode()
  } catch (error) {
    if (error instanceof DecodeError) return error
    throw error
  }
  throw new Error('decode did not throw')
}

describe('decoding single-object Avro', () => {
  const commands = singleObjectCodec('reservation-command')
  const valid = commands.encode(sampleCommands[0] as never)

  it('rejects a wrong magic byte, naming the bytes found', () => {
    const error = decodeError(() => commands.decode(Buffer.from('{"type":"x"}')))
    expect(error.code).toBe('BAD_MAGIC')
    expect(error.message).toContain('0x7b')
    expect(error.retriable).toBe(false)
    expect(decodeError(() => commands.decode(Buffer.from([0xc3, 0x02, ...valid.subarray(2)]))).code).toBe(
      'BAD_MAGIC',
    )
  })

  it('rejects an unknown fingerprint, naming both fingerprints', () => {
    const bytes = Buffer.from(valid)
    bytes[2] = (bytes[2] ?? 0) ^ 0xff
    const error = decodeError(() => commands.decode(bytes))
    expect(error.code).toBe('UNKNOWN_FINGERPRINT')
    expect(error.message).toMatch(
      /unknown schema fingerprint 0x[0-9a-f]{16}: reservation-command has 0x[0-9a-f]{16}/,
    )
  })

  it('rejects a value written with another topic schema as an unknown fingerprint', () => {
    const resourceBytes = singleObjectCodec('resource-definition').encode(sampleResource)
    expect(decodeError(() => commands.decode(resourceBytes)).code).toBe('UNKNOWN_FINGERPRINT')
  })

  it('rejects a truncated header and a truncated body', () => {
    expect(decodeError(() => commands.decode(valid.subarray(0, 6))).code).toBe('TRUNCATED')
    const error = decodeError(() => commands.decode(valid.subarray(0, valid.length - 3)))
    expect(error.code).toBe('TRUNCATED')
    expect(error.message).toContain('truncated body')
  })

  it('rejects trailing bytes after the value', () => {
    expect(decodeError(() => commands.decode(Buffer.concat([valid, Buffer.from([0])]))).code).toBe(
      'TRAILING_BYTES',
    )
  })

  it('rejects a union branch index that names no command type', () => {
    const bytes = Buffer.from(valid)
    bytes[10] = 40 // zig-zag 20: there are 10 command types
    expect(decodeError(() => commands.decode(bytes)).code).toBe('UNKNOWN_TYPE')
  })
})

describe('decoding JSON', () => {
  const commands = jsonCodec('reservation-command')
  const json = (value: unknown) => Buffer.from(JSON.stringify(value))
  const create = { ...(sampleCommands[0] as object) }

  it('rejects malformed JSON', () => {
    expect(decodeError(() => commands.decode(Buffer.from('{"type":'))).code).toBe('MALFORMED_JSON')
  })

  it('rejects a value that is not an object', () => {
    expect(decodeError(() => commands.decode(json([1, 2]))).message).toContain('must be a JSON object')
  })

  it('rejects an unknown or missing type, listing the known ones', () => {
    const unknown = decodeError(() => commands.decode(json({ ...create, type: 'DeleteEverything' })))
    expect(unknown.code).toBe('UNKNOWN_TYPE')
    expect(unknown.message).toContain("unknown type 'DeleteEverything'")
    expect(unknown.message).toContain('CreateReservation')
    expect(decodeError(() => commands.decode(json({ commandId: 'c' }))).message).toContain(
      "missing discriminator field 'type'",
    )
  })

  it('rejects a field of the wrong type, naming the field path and the expected type', () => {
    const error = decodeError(() => commands.decode(json({ ...create, quantity: '2' })))
    expect(error.code).toBe('INVALID_FIELD')
    expect(error.message).toBe(`field 'quantity' must be int, got "2"`)
  })

  it('rejects a missing required field and a non-integer int', () => {
    const { customerId: _customerId, ...missing } = create as Record<string, unknown>
    expect(decodeError(() => commands.decode(json(missing))).message).toBe(
      "missing field 'customerId' (string)",
    )
    expect(decodeError(() => commands.decode(json({ ...create, quantity: 1.5 }))).message).toContain(
      "field 'quantity'",
    )
  })

  it('names nested field paths', () => {
    const resources = jsonCodec('reservation-notification')
    const error = decodeError(() =>
      resources.decode(
        json({
          notificationId: 'n',
          type: 'Bumped',
          customerId: 'c',
          resourceId: 'r',
          causationId: 'e',
          occurredAt: 1,
          message: 'm',
          alternatives: [{ resourceId: 'r', start: 's', end: 'e', quantity: 'one' }],
        }),
      ),
    )
    expect(error.message).toBe(`field 'alternatives.0.quantity' must be int, got "one"`)
  })

  it('rejects an enum symbol that does not exist', () => {
    const notifications = jsonCodec('reservation-notification')
    const error = decodeError(() => notifications.decode(json({ type: 'Spam' })))
    expect(error.message).toContain("field 'type' must be one of ReservationConfirmation|")
  })
})

describe('encoding', () => {
  it('refuses a value that does not conform, naming the field', () => {
    const resources = singleObjectCodec('resource-definition')
    const invalid = { ...sampleResource, capacity: 'ten' } as unknown as ResourceDefinition
    expect(() => resources.encode(invalid)).toThrow(EncodeError)
    expect(() => jsonCodec('resource-definition').encode(invalid)).toThrow(/field 'capacity' must be int/)
  })
})

describe('decoding the Confluent wire format', () => {
  it('rejects a wrong magic byte and a truncated header', async () => {
    const codec = await confluentCodec('resource-definition', new FakeSchemaRegistry(), 'resources-value')
    expect(decodeError(() => codec.decode(Buffer.from([0xc3, 0x01, 0, 0, 0, 1]))).code).toBe('BAD_MAGIC')
    expect(decodeError(() => codec.decode(Buffer.from([0, 0, 0]))).code).toBe('TRUNCATED')
  })

  it('rejects an id that was not prepared, and an id the registry does not know after prepare', async () => {
    const codec = await confluentCodec('resource-definition', new FakeSchemaRegistry(), 'resources-value')
    const bytes = Buffer.concat([Buffer.from([0, 0, 0, 0, 99]), Buffer.from([0])])
    expect(decodeError(() => codec.decode(bytes)).message).toContain('schema id 99 was not prepared')
    await codec.prepare(bytes)
    const error = decodeError(() => codec.decode(bytes))
    expect(error.code).toBe('UNKNOWN_SCHEMA_ID')
    expect(error.message).toContain('schema id 99 is not in the schema registry')
  })

  it('reads values written with an older registered version through schema resolution', async () => {
    const registry = new FakeSchemaRegistry()
    const codec = await confluentCodec('resource-definition', registry, 'resources-value')
    const older = {
      type: 'record',
      name: 'ResourceDefinition',
      namespace: 'reservation.resources',
      fields: [
        { name: 'resourceId', type: 'string' },
        { name: 'category', type: 'string' },
        { name: 'capacity', type: 'int' },
        { name: 'slotMinutes', type: 'int' },
        { name: 'priceCentsPerUnitSlot', type: 'long' },
      ],
    }
    const olderId = await registry.register('resources-value', JSON.stringify(older))
    const { parseAvroSchema } = await import('../../schemas/value-schema.js')
    const body = parseAvroSchema(older).toBuffer({ ...sampleResource, overbookingLimit: undefined })
    const header = Buffer.alloc(5)
    header.writeUInt32BE(olderId, 1)
    const bytes = Buffer.concat([header, body])
    await codec.prepare(bytes)
    expect(codec.decode(bytes)).toEqual({ ...sampleResource, overbookingLimit: 0 })
  })

  it('rejects a writer schema that cannot be resolved', async () => {
    const registry = new FakeSchemaRegistry()
    const codec = await confluentCodec('resource-definition', registry, 'resources-value')
    const id = await registry.register('other', '"string"')
    const bytes = Buffer.from([0, 0, 0, 0, id, 2, 0x41])
    await codec.prepare(bytes)
    expect(decodeError(() => codec.decode(bytes)).code).toBe('INCOMPATIBLE_SCHEMA')
  })

  it('reports an unreachable registry as retriable, not as a bad record', async () => {
    const failing = new HttpSchemaRegistry('http://registry.invalid:8081', () =>
      Promise.reject(new Error('ECONNREFUSED')),
    )
    const error: unknown = await confluentCodec('resource-definition', failing, 'resources-value').catch(
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(SchemaRegistryError)
    expect((error as CodecError).retriable).toBe(true)
  })
})

describe('the HTTP schema registry client', () => {
  it('registers under /subjects/<subject>/versions and fetches /schemas/ids/<id>', async () => {
    const calls: string[] = []
    const fakeFetch: typeof fetch = async (input, init) => {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url
      calls.push(`${init?.method ?? 'GET'} ${url}`)
      if (url.endsWith('/versions')) return new Response(JSON.stringify({ id: 7 }))
      if (url.endsWith('/schemas/ids/7')) return new Response(JSON.stringify({ schema: '"string"' }))
      return new Response('{"error_code":40403}', { status: 404 })
    }
    const registry = new HttpSchemaRegistry('http://registry:8081/', fakeFetch)
    expect(await registry.register('reservation-value', '"string"')).toBe(7)
    expect(await registry.fetch(7)).toBe('"string"')
    await expect(registry.fetch(8)).rejects.toMatchObject({ code: 'UNKNOWN_SCHEMA_ID' })
    expect(calls).toEqual([
      'POST http://registry:8081/subjects/reservation-value/versions',
      'GET http://registry:8081/schemas/ids/7',
      'GET http://registry:8081/schemas/ids/8',
    ])
  })

  it('treats a server error as retriable', async () => {
    const registry = new HttpSchemaRegistry(
      'http://registry:8081',
      async () => new Response('down', { status: 503 }),
    )
    await expect(registry.fetch(1)).rejects.toMatchObject({ code: 'REGISTRY_UNAVAILABLE', retriable: true })
  })
})
