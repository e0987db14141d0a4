// One readable line per reservation event, for the demo and the tail CLI.
import type { ReservationEvent } from '../../schemas/index.js'

const day = (iso: string) => iso.slice(0, 10)

export function formatEvent(event: ReservationEvent): string {
  const e = event as ReservationEvent & Record<string, unknown>
  const parts: string[] = [`#${String(event.sequence).padStart(3)}`, event.type.padEnd(28)]
  if (event.reservationId) parts.push(event.reservationId.padEnd(6))
  if (typeof e['status'] === 'string') parts.push(String(e['status']))
  if (typeof e['start'] === 'string' && typeof e['end'] === 'string')
    parts.push(`${day(e['start'])}→${day(e['end'])}`)
  if (typeof e['quantity'] === 'number') parts.push(`qty ${e['quantity']}`)
  if (typeof e['amountCents'] === 'number') parts.push(`${(e['amountCents'] / 100).toFixed(2)}`)
  if (e['overbooked'] === true) parts.push('OVERBOOKED')
  if (typeof e['fromWaitlistEntryId'] === 'string') parts.push(`from waitlist ${e['fromWaitlistEntryId']}`)
  if (event.type === 'CommandRejected') parts.push(`${event.commandType}: ${event.reason} — ${event.message}`)
  if (event.type === 'OverreservationProcessed')
    parts.push(`bumped: ${event.bumped.map((b) => b.reservationId).join(', ') || 'none'}`)
  const alternatives = e['alternatives']
  if (Array.isArray(alternatives) && alternatives.length > 0) {
    parts.push(`alternatives: ${(alternatives as { start: string }[]).map((a) => day(a.start)).join(', ')}`)
  }
  return parts.join('  ')
}
