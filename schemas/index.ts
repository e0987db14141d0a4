// Public surface of schemas/: generated types, codecs, schema registry client, command validation.
export * from './generated/types.js'
export {
  type Codec,
  type CodecFormat,
  codecFormats,
  createTopicCodec,
  formatFromEnv,
  type TopicCodecOptions,
} from './codec.js'
export {
  CodecError,
  type CodecErrorCode,
  codecErrorCodes,
  DecodeError,
  EncodeError,
  SchemaRegistryError,
} from './codec-error.js'
export { confluentCodec } from './confluent-codec.js'
export { crc64Avro, fingerprintBytes } from './crc64-avro.js'
export { jsonCodec } from './json-codec.js'
export { HttpSchemaRegistry, type SchemaRegistry } from './schema-registry.js'
export { singleObjectCodec } from './single-object-codec.js'
export { type CommandProblem, parseInstant, validateCommand } from './validate-command.js'
export { parseAvroSchema, type ValueSchema, valueSchema } from './value-schema.js'
