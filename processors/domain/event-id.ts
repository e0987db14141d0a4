// Deterministic, UUID-shaped ids: the same cause and position always give the same id, so a retried
// write of the same logical event is recognisably the same.
import { hash } from 'node:crypto'

/** The variant digit of an RFC 9562 UUID (binary 10xx) for each hex digit of the hash at that place. */
const variantDigits = '89ab89ab89ab89ab'

/**
 * A version-8 (custom) UUID from the SHA-256 of the parts: its first 16 bytes, with the version nibble set
 * to 8 and the variant bits to 10. Built from the hash's hex digits (no Buffer per id: one event per
 * decision output asks for one).
 */
export function deterministicId(...parts: readonly string[]): string {
  const hex = hash('sha256', parts.join('\u0000'), 'hex')
  const variant = variantDigits[parseInt(hex[16]!, 16)]!
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`
}
