// JSON format: one plain JSON object per value, with the Avro field names and a `type` discriminator,
// so any Kafka tool can produce and read it. Decoding validates against the same Avro schema; timestamps
// may be written as epoch milliseconds or ISO-8601 instants (json-instants.ts).
import type { Codec } from './codec.js'
import { DecodeError } from './codec-error.js'
import type { SchemaName, SchemaValues } from './generated/types.js'
import { normalizeInstants } from './json-instants.js'
import { valueSchema } from './value-schema.js'

/** JSON codec of schema `name`. Unknown extra fields are ignored; missing defaulted fields are filled. */
export function jsonCodec<K extends SchemaName>(name: K): Codec<SchemaValues[K]> {
  const schema = valueSchema(name)
  return {
    format: 'json',
    encode(value) {
      schema.assertValid(value)
      return Buffer.from(JSON.stringify(value), 'utf8')
    },
    decode(bytes) {
      let parsed: unknown
      try {
        parsed = JSON.parse(bytes.toString('utf8'))
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error)
        throw new DecodeError('MALFORMED_JSON', `malformed JSON: ${reason}`, { cause: error })
      }
      return schema.fromPlain(normalizeInstants(name, parsed))
    },
    prepare: () => undefined,
  }
}
