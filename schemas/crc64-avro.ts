// CRC-64-AVRO, the Rabin fingerprint of the Avro specification ("Schema Fingerprints"), used by the
// single-object encoding to name the writer schema in 8 bytes.

const EMPTY = 0xc15d213aa4d7a795n
const MASK = 0xffffffffffffffffn

const table: readonly bigint[] = Array.from({ length: 256 }, (_, index) => {
  let fp = BigInt(index)
  for (let bit = 0; bit < 8; bit++) fp = (fp >> 1n) ^ (EMPTY & (-(fp & 1n) & MASK))
  return fp
})

/** The CRC-64-AVRO fingerprint of `data` (UTF-8 for strings) as an unsigned 64-bit integer. */
export function crc64Avro(data: Uint8Array | string): bigint {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data
  let fp = EMPTY
  for (const byte of bytes) fp = (fp >> 8n) ^ (table[Number((fp ^ BigInt(byte)) & 0xffn)] ?? 0n)
  return fp
}

/** The 8-byte little-endian form the single-object encoding puts after its 0xC3 0x01 marker. */
export function fingerprintBytes(canonicalSchema: string): Buffer {
  const bytes = Buffer.alloc(8)
  bytes.writeBigUInt64LE(crc64Avro(canonicalSchema))
  return bytes
}
