// A tiny Confluent Schema Registry client: register a subject's schema, fetch a schema by id.
// Behind an interface so tests use an in-process fake and the HTTP client stays replaceable.
import { DecodeError, SchemaRegistryError } from './codec-error.js'

export interface SchemaRegistry {
  /** Registers (or finds) `schema` under `subject`; resolves to its global id. */
  register(subject: string, schema: string): Promise<number>
  /** The schema text of a global id. Rejects with DecodeError('UNKNOWN_SCHEMA_ID') when there is none. */
  fetch(id: number): Promise<string>
}

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json'

/** The registry's REST API over the global `fetch`. Network failures and 5xx answers are retriable. */
export class HttpSchemaRegistry implements SchemaRegistry {
  private readonly baseUrl: string

  constructor(
    baseUrl: string,
    private readonly fetchFn: typeof fetch = globalThis.fetch,
  ) {
    this.baseUrl = baseUrl.replace(/\/+$/, '')
  }

  async register(subject: string, schema: string): Promise<number> {
    const body = await this.call(`/subjects/${encodeURIComponent(subject)}/versions`, {
      method: 'POST',
      headers: { 'content-type': CONTENT_TYPE, accept: CONTENT_TYPE },
      body: JSON.stringify({ schema }),
    })
    const id = (body as { id?: unknown }).id
    if (typeof id !== 'number') throw new SchemaRegistryError(`registering ${subject}: the answer has no id`)
    return id
  }

  async fetch(id: number): Promise<string> {
    const body = await this.call(`/schemas/ids/${id}`, { headers: { accept: CONTENT_TYPE } }, id)
    const schema = (body as { schema?: unknown }).schema
    if (typeof schema !== 'string')
      throw new SchemaRegistryError(`fetching schema ${id}: the answer has no schema`)
    return schema
  }

  private async call(path: string, init: RequestInit, schemaId?: number): Promise<unknown> {
    let response: Response
    try {
      response = await this.fetchFn(`${this.baseUrl}${path}`, init)
    } catch (error) {
      throw new SchemaRegistryError(`schema registry ${this.baseUrl} unreachable`, { cause: error })
    }
    const text = await response.text()
    if (response.status === 404 && schemaId !== undefined) {
      throw new DecodeError('UNKNOWN_SCHEMA_ID', `schema id ${schemaId} is not in the schema registry`)
    }
    if (!response.ok) {
      throw new SchemaRegistryError(
        `schema registry ${path} answered ${response.status}: ${text.slice(0, 200)}`,
      )
    }
    try {
      return JSON.parse(text) as unknown
    } catch (error) {
      throw new SchemaRegistryError(`schema registry ${path} answered with malformed JSON`, { cause: error })
    }
  }
}
