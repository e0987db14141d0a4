// Codecs: how the value of a topic record becomes bytes and back, in one of three formats.
//   avro       Avro single-object encoding: 0xC3 0x01, 8-byte little-endian CRC-64-AVRO fingerprint of
//              the writer schema's canonical form, Avro binary body. The default.
//   confluent  Confluent wire format: 0x00, 4-byte big-endian schema-registry id, Avro binary body.
//              Selected when SCHEMA_REGISTRY_URL is set.
//   json       One plain JSON object per value with the same field names (RESERVATION_FORMAT=json).
// Every decode validates against the Avro schema and throws DecodeError with a precise reason.
import { confluentCodec } from './confluent-codec.js'
import type { SchemaName, SchemaValues } from './generated/types.js'
import { jsonCodec } from './json-codec.js'
import { HttpSchemaRegistry, type SchemaRegistry } from './schema-registry.js'
import { singleObjectCodec } from './single-object-codec.js'

export interface Codec<T> {
  readonly format: CodecFormat
  /** Throws EncodeError when the value does not conform to the schema (a bug in the caller). */
  encode(value: T): Buffer
  /** Throws DecodeError (send to the DLQ) or, for `confluent`, SchemaRegistryError (retriable). */
  decode(bytes: Buffer): T
  /**
   * Loads what `decode(bytes)` needs that is not local yet (an unseen schema-registry id). Call and
   * await it before `decode` for records from the outside. Returns a promise only when there is
   * something to load (never for the self-contained formats), so callers await only then.
   */
  prepare(bytes: Buffer): Promise<void> | undefined
}

export const codecFormats = ['avro', 'confluent', 'json'] as const
export type CodecFormat = (typeof codecFormats)[number]

/** The format the environment asks for: RESERVATION_FORMAT=json, else SCHEMA_REGISTRY_URL, else Avro. */
export function formatFromEnv(env: Readonly<Record<string, string | undefined>>): CodecFormat {
  if (env['RESERVATION_FORMAT'] === 'json') return 'json'
  if (env['SCHEMA_REGISTRY_URL'] !== undefined && env['SCHEMA_REGISTRY_URL'] !== '') return 'confluent'
  return 'avro'
}

export interface TopicCodecOptions {
  readonly format: CodecFormat
  /** The topic name; the registry subject is `${topic}-value` (TopicNameStrategy). */
  readonly topic: string
  /** Required for `confluent` unless `registryUrl` is given. */
  readonly registry?: SchemaRegistry
  readonly registryUrl?: string
}

/** The codec of a topic's values. For `confluent` it registers the schema first (hence async). */
export async function createTopicCodec<K extends SchemaName>(
  schema: K,
  options: TopicCodecOptions,
): Promise<Codec<SchemaValues[K]>> {
  switch (options.format) {
    case 'avro':
      return singleObjectCodec(schema)
    case 'json':
      return jsonCodec(schema)
    case 'confluent': {
      const registry =
        options.registry ??
        (options.registryUrl === undefined ? undefined : new HttpSchemaRegistry(options.registryUrl))
      if (registry === undefined)
        throw new Error('the confluent format needs a schema registry (SCHEMA_REGISTRY_URL)')
      return confluentCodec(schema, registry, `${options.topic}-value`)
    }
  }
}
