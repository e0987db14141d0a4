// Confluent wire format: 0x00 | 4-byte big-endian schema-registry id | Avro binary body.
// Values are written with this schema's registered id. Values written with another id (an older or newer
// version of the subject) are read through Avro schema resolution once `prepare` has fetched that id.
import type { Codec } from './codec.js'
import { DecodeError } from './codec-error.js'
import type { SchemaName, SchemaValues } from './generated/types.js'
import type { SchemaRegistry } from './schema-registry.js'
import { type AvroResolver, parseAvroSchema, valueSchema } from './value-schema.js'

const MAGIC = 0x00
const HEADER_LENGTH = 5

/** Registers schema `name` under `subject` and returns a codec writing with the registered id. */
export async function confluentCodec<K extends SchemaName>(
  name: K,
  registry: SchemaRegistry,
  subject: string,
): Promise<Codec<SchemaValues[K]>> {
  const schema = valueSchema(name)
  const ownId = await registry.register(subject, JSON.stringify(schema.type.schema({ exportAttrs: true })))
  const header = Buffer.alloc(HEADER_LENGTH)
  header.writeUInt8(MAGIC, 0)
  header.writeUInt32BE(ownId, 1)
  /** Other writer ids seen so far: a resolver, or the reason they cannot be read. */
  const writers = new Map<number, AvroResolver | DecodeError>()

  const schemaId = (bytes: Buffer): number => {
    if (bytes.length >= 1 && bytes[0] !== MAGIC) {
      throw new DecodeError(
        'BAD_MAGIC',
        `bad magic byte 0x${bytes.subarray(0, 1).toString('hex')}: expected 0x00 (Confluent wire format)`,
      )
    }
    if (bytes.length < HEADER_LENGTH) {
      throw new DecodeError(
        'TRUNCATED',
        `truncated header: ${bytes.length} bytes, the Confluent header has ${HEADER_LENGTH}`,
      )
    }
    return bytes.readUInt32BE(1)
  }

  return {
    format: 'confluent',
    encode: (value) => Buffer.concat([header, schema.toBinary(value)]),
    decode(bytes) {
      const id = schemaId(bytes)
      const body = bytes.subarray(HEADER_LENGTH)
      if (id === ownId) return schema.fromBinary(body)
      const writer = writers.get(id)
      if (writer === undefined) {
        throw new DecodeError(
          'UNKNOWN_SCHEMA_ID',
          `schema id ${id} was not prepared (${name} is registered as ${ownId})`,
        )
      }
      if (writer instanceof DecodeError) throw writer
      return schema.fromBinary(body, writer)
    },
    prepare(bytes) {
      let id: number
      try {
        id = schemaId(bytes)
      } catch {
        return undefined // decode reports the bad header
      }
      if (id === ownId || writers.has(id)) return undefined
      return fetchWriter(id)
    },
  }

  async function fetchWriter(id: number): Promise<void> {
    let text: string
    try {
      text = await registry.fetch(id)
    } catch (error) {
      if (!(error instanceof DecodeError)) throw error // retriable: the registry is unavailable
      writers.set(id, error)
      return
    }
    try {
      writers.set(id, schema.type.createResolver(parseAvroSchema(JSON.parse(text))))
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error)
      writers.set(
        id,
        new DecodeError('INCOMPATIBLE_SCHEMA', `schema id ${id} cannot be read as ${name}: ${reason}`, {
          cause: error,
        }),
      )
    }
  }
}
