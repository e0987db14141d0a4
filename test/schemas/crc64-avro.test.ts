import { describe, expect, it } from 'vitest'
import { crc64Avro, fingerprintBytes } from '../../schemas/crc64-avro.js'
import { parseAvroSchema, valueSchema } from '../../schemas/value-schema.js'
import { schemaNames } from '../../schemas/generated/types.js'

// Test vectors of the Avro project (share/test/data/schema-tests.txt), published as signed 64-bit integers.
const vectors: [canonical: string, signed: bigint][] = [
  ['"null"', 7195948357588979594n],
  ['"boolean"', -6970731678124411036n],
  ['"int"', 8247732601305521295n],
  ['{"name":"foo","type":"fixed","size":15}', 1756455273707447556n],
  ['{"name":"foo","type":"record","fields":[{"name":"f1","type":"boolean"}]}', 7843277075252814651n],
  [
    '{"name":"PigValue","type":"record","fields":[{"name":"value","type":["null","int","long","PigValue"]}]}',
    -1759257747318642341n,
  ],
]

describe('CRC-64-AVRO', () => {
  it.each(vectors)('fingerprints %s as in the Avro test vectors', (canonical, signed) => {
    expect(BigInt.asIntN(64, crc64Avro(canonical))).toBe(signed)
  })

  it('fingerprints "null" as 0x63dd24e7cc258f8a, written little-endian in the single-object header', () => {
    expect(crc64Avro('"null"')).toBe(0x63dd24e7cc258f8an)
    expect(fingerprintBytes('"null"').toString('hex')).toBe('8a8f25cce724dd63')
  })

  it('computes the fingerprint over the Parsing Canonical Form (docs, defaults and attribute order removed)', () => {
    const type = parseAvroSchema({
      type: 'record',
      doc: 'ignored',
      fields: [{ type: 'boolean', name: 'f1', default: true, doc: 'ignored' }],
      name: 'foo',
    })
    expect(JSON.stringify(type.schema())).toBe(
      '{"name":"foo","type":"record","fields":[{"name":"f1","type":"boolean"}]}',
    )
  })

  it.each(schemaNames)(
    'gives schema %s a canonical form that parses back to the same fingerprint',
    (name) => {
      const schema = valueSchema(name)
      const reparsed = parseAvroSchema(JSON.parse(schema.canonical))
      expect(fingerprintBytes(JSON.stringify(reparsed.schema()))).toEqual(schema.fingerprint)
    },
  )
})
