// Event ids (processors/domain/event-id.ts) must never change between versions: events already written
// carry them, and a retried write of the same logical event is recognised by its id.
import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { deterministicId } from '../../processors/domain/event-id.js'

/** The id spelled out byte by byte: SHA-256 of the parts joined by NUL, first 16 bytes, version 8, variant 10. */
function reference(...parts: string[]): string {
  const bytes = createHash('sha256').update(parts.join('\u0000'), 'utf8').digest().subarray(0, 16)
  bytes[6] = (bytes[6]! & 0x0f) | 0x80
  bytes[8] = (bytes[8]! & 0x3f) | 0x80
  const hex = bytes.toString('hex')
  return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join('-')
}

describe('deterministic event ids', () => {
  it('are the first 16 bytes of the SHA-256 of the parts as a version-8 UUID, for any parts', () => {
    const parts = [
      ['cmd-1', 'ReservationCreated', '0'],
      ['', ''],
      ['ünïcödé ✓', '🙂', 'x'.repeat(500)],
      ...Array.from({ length: 2000 }, (_, i) => [
        `cmd-${i}-${(i * 7919) % 104729}`,
        `Event${i % 13}`,
        String(i),
      ]),
    ]
    for (const p of parts) expect(deterministicId(...p)).toBe(reference(...p))
  })

  it('are the ids earlier versions wrote (examples computed with the Buffer-based version before 2026-12-02)', () => {
    expect(deterministicId('cmd-1', 'ReservationCreated', '0')).toBe('b4e6bc67-6a7b-80e6-a783-96548388b7b6')
    expect(deterministicId('pay-42', 'PaymentAuthorized', '1')).toBe('956ea15f-f46a-8907-8b43-5eb97b78d796')
    expect(deterministicId('', '')).toBe('6e340b9c-ffb3-8a98-9ca5-44e6bb780a2c')
  })
})
