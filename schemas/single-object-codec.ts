// Avro single-object encoding (Avro specification, "Single-object encoding"):
//   0xC3 0x01 | CRC-64-AVRO fingerprint of the writer schema, 8 bytes little-endian | Avro binary body
import type { Codec } from './codec.js'
import { DecodeError } from './codec-error.js'
import type { SchemaName, SchemaValues } from './generated/types.js'
import { valueSchema } from './value-schema.js'

const MAGIC = Buffer.from([0xc3, 0x01])
const HEADER_LENGTH = MAGIC.length + 8

/** Single-object codec of schema `name`; decoding accepts only this schema's fingerprint. */
export function singleObjectCodec<K extends SchemaName>(name: K): Codec<SchemaValues[K]> {
  const schema = valueSchema(name)
  const header = Buffer.concat([MAGIC, schema.fingerprint])
  return {
    format: 'avro',
    encode: (value) => Buffer.concat([header, schema.toBinary(value)]),
    decode(bytes) {
      if (bytes.length >= 1 && bytes[0] !== MAGIC[0]) {
        throw new DecodeError(
          'BAD_MAGIC',
          `bad magic byte ${hex(bytes.subarray(0, 1))}: expected 0xc3 0x01 (Avro single-object encoding)`,
        )
      }
      if (bytes.length >= 2 && bytes[1] !== MAGIC[1]) {
        throw new DecodeError(
          'BAD_MAGIC',
          `bad magic bytes ${hex(bytes.subarray(0, 2))}: expected 0xc3 0x01 (Avro single-object encoding)`,
        )
      }
      if (bytes.length < HEADER_LENGTH) {
        throw new DecodeError(
          'TRUNCATED',
          `truncated header: ${bytes.length} bytes, the single-object header has ${HEADER_LENGTH}`,
        )
      }
      const fingerprint = bytes.subarray(MAGIC.length, HEADER_LENGTH)
      if (!fingerprint.equals(schema.fingerprint)) {
        throw new DecodeError(
          'UNKNOWN_FINGERPRINT',
          `unknown schema fingerprint ${hex(fingerprint)}: ${name} has ${hex(schema.fingerprint)}`,
        )
      }
      return schema.fromBinary(bytes.subarray(HEADER_LENGTH))
    },
    prepare: () => undefined,
  }
}

function hex(bytes: Buffer): string {
  return `0x${bytes.toString('hex')}`
}
