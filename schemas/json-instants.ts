// Timestamps of JSON input in either form. A field of Avro type `timestamp-millis` takes epoch milliseconds
// or an ISO-8601 instant with a time zone ("2026-12-01T10:00:00Z", "2026-12-01T11:00:00+01:00"); a string
// field the schema documents as an ISO-8601 instant (start, end, validFrom, ...) takes either as well, an
// epoch-millisecond number becoming its ISO-8601 UTC form. Applied to the parsed JSON before validation:
// a string that is no instant is a DecodeError naming the field and both accepted forms.
import { DecodeError } from './codec-error.js'
import { avroSchemas } from './generated/avro-schemas.js'
import type { SchemaName } from './generated/types.js'

/** What to convert inside one value; `undefined` where nothing needs converting. */
type Plan =
  | { readonly kind: 'millis' }
  | { readonly kind: 'iso' }
  | { readonly kind: 'record'; readonly fields: ReadonlyMap<string, Plan> }
  | { readonly kind: 'array'; readonly items: Plan }
  /** A union of records, the branch chosen by the value's `type` field (its one-symbol enum). */
  | { readonly kind: 'union'; readonly branches: ReadonlyMap<string, Plan> }

const plans = new Map<SchemaName, Plan | undefined>()

/**
 * `value` (parsed JSON of schema `name`) with its instants in the form the schema stores: numbers in
 * `timestamp-millis` fields, ISO-8601 UTC strings in documented instant strings. Values of the wrong
 * shape are left as they are, for validation to report. Throws DecodeError for a malformed instant string.
 */
export function normalizeInstants(name: SchemaName, value: unknown): unknown {
  if (!plans.has(name)) plans.set(name, planOf(avroSchemas[name], new Map(), false))
  const plan = plans.get(name)
  return plan === undefined ? value : apply(plan, value, '')
}

function apply(plan: Plan, value: unknown, path: string): unknown {
  switch (plan.kind) {
    case 'millis':
      return typeof value === 'string' ? millisOf(value, path) : value
    case 'iso':
      return typeof value === 'number' && Number.isSafeInteger(value) && Math.abs(value) <= maxDateMs
        ? new Date(value).toISOString()
        : value
    case 'array':
      return Array.isArray(value) ? value.map((v, i) => apply(plan.items, v, `${path}.${i}`)) : value
    case 'union': {
      const branch =
        isObject(value) && typeof value['type'] === 'string' ? plan.branches.get(value['type']) : undefined
      return branch === undefined ? value : apply(branch, value, path)
    }
    case 'record': {
      if (!isObject(value)) return value
      const result: Record<string, unknown> = { ...value }
      for (const [field, fieldPlan] of plan.fields)
        if (field in value) result[field] = apply(fieldPlan, value[field], path ? `${path}.${field}` : field)
      return result
    }
  }
}

/** The largest epoch-millisecond value a Date holds. */
const maxDateMs = 8.64e15

const isoInstant = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/

/** Epoch milliseconds of an ISO-8601 instant with a time zone; undefined when `text` is not a valid one. */
export function parseIsoInstant(text: string): number | undefined {
  const match = isoInstant.exec(text)
  if (match === null) return undefined
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map((part) => Number(part ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ]
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate()
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth) return undefined
  if (hour > 23 || minute > 59 || second > 59) return undefined
  const millis = Date.parse(text)
  return Number.isNaN(millis) ? undefined : millis
}

function millisOf(text: string, path: string): number {
  const millis = parseIsoInstant(text)
  if (millis !== undefined) return millis
  const shown = JSON.stringify(text.length > 40 ? `${text.slice(0, 37)}...` : text)
  throw new DecodeError(
    'INVALID_FIELD',
    `field '${path}' must be epoch milliseconds or an ISO-8601 instant with a time zone ` +
      `(e.g. "2026-12-01T10:00:00Z"), got ${shown}`,
  )
}

const primitives = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string'])

/**
 * The plan for an Avro type given as schema JSON. `named` collects the records seen so far (a later field
 * may name one instead of defining it); `documentedInstant` says the field's doc calls it ISO-8601.
 */
function planOf(
  type: unknown,
  named: Map<string, Plan | undefined>,
  documentedInstant: boolean,
): Plan | undefined {
  if (typeof type === 'string') {
    if (type === 'string') return documentedInstant ? { kind: 'iso' } : undefined
    if (primitives.has(type)) return undefined
    return named.get(type) ?? named.get(type.slice(type.lastIndexOf('.') + 1))
  }
  if (Array.isArray(type)) {
    const branches = type.filter((t) => t !== 'null')
    if (branches.length === 1) return planOf(branches[0], named, documentedInstant)
    const byType = new Map<string, Plan>()
    for (const branch of branches) {
      const plan = planOf(branch, named, false)
      const symbol = discriminatorOf(branch)
      if (plan !== undefined && symbol !== undefined) byType.set(symbol, plan)
    }
    return byType.size === 0 ? undefined : { kind: 'union', branches: byType }
  }
  if (!isObject(type)) return undefined
  if (type['logicalType'] === 'timestamp-millis' && type['type'] === 'long') return { kind: 'millis' }
  switch (type['type']) {
    case 'record': {
      const fields = new Map<string, Plan>()
      for (const field of (type['fields'] as { name: string; type: unknown; doc?: string }[] | undefined) ??
        []) {
        const plan = planOf(field.type, named, /ISO-8601/.test(field.doc ?? ''))
        if (plan !== undefined) fields.set(field.name, plan)
      }
      const plan: Plan | undefined = fields.size === 0 ? undefined : { kind: 'record', fields }
      const name = type['name']
      if (typeof name === 'string') {
        const namespace = typeof type['namespace'] === 'string' ? `${type['namespace']}.` : ''
        named.set(name.includes('.') ? name : `${namespace}${name}`, plan)
        named.set(name.slice(name.lastIndexOf('.') + 1), plan)
      }
      return plan
    }
    case 'array': {
      const items = planOf(type['items'], named, documentedInstant)
      return items === undefined ? undefined : { kind: 'array', items }
    }
    default:
      return typeof type['type'] === 'string' || Array.isArray(type['type'])
        ? planOf(type['type'], named, documentedInstant)
        : undefined
  }
}

/** The one symbol of a record's `type` enum field, if it has one. */
function discriminatorOf(type: unknown): string | undefined {
  if (!isObject(type) || !Array.isArray(type['fields'])) return undefined
  const field = (type['fields'] as { name: string; type: unknown }[]).find((f) => f.name === 'type')
  const symbols = isObject(field?.type) ? field.type['symbols'] : undefined
  return Array.isArray(symbols) && typeof symbols[0] === 'string' ? symbols[0] : undefined
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
