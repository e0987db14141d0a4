// An in-process schema registry for unit tests: ids from 1, one id per distinct schema text.
import { DecodeError } from '../../schemas/codec-error.js'
import type { SchemaRegistry } from '../../schemas/schema-registry.js'

export class FakeSchemaRegistry implements SchemaRegistry {
  readonly subjects = new Map<string, number[]>()
  private readonly schemas: string[] = []

  async register(subject: string, schema: string): Promise<number> {
    let index = this.schemas.indexOf(schema)
    if (index < 0) index = this.schemas.push(schema) - 1
    const id = index + 1
    const versions = this.subjects.get(subject) ?? []
    if (!versions.includes(id)) versions.push(id)
    this.subjects.set(subject, versions)
    return id
  }

  async fetch(id: number): Promise<string> {
    const schema = this.schemas[id - 1]
    if (schema === undefined)
      throw new DecodeError('UNKNOWN_SCHEMA_ID', `schema id ${id} is not in the schema registry`)
    return schema
  }
}
