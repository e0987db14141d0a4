// Deterministic, UUID-shaped ids: the same cause and position always give the same id, so a retried
// write of the same logical event is recognisably the same.
import { hash } from 'node:crypto'

/** A version-8 (custom) UUID from the SHA-256 of the parts. */
export function deterministicId(...parts: readonly string[]): string {
  const bytes = hash('sha256', parts.join('\u0000'), 'buffer').subarray(0, 16)
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x80
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80
  const hex = bytes.toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}
