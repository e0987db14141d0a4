// Generates the TypeScript side of the Avro schemas in schemas/*.avsc (the source of truth):
//   schemas/generated/types.ts         one interface per record, one closed union per enum and topic union
//   schemas/generated/avro-schemas.ts  the .avsc documents embedded as data, so codecs need no file I/O
//
// Usage: `npx tsx tools/gen-types.ts` writes both files; `--check` exits 1 when a committed file drifts.
// Types come from avsc's parsed types, so a schema avsc rejects never yields types.
import { readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import avsc from 'avsc'
import * as prettier from 'prettier'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const schemaDir = join(root, 'schemas')
const outDir = join(schemaDir, 'generated')

type AvroType = avsc.Type

interface SchemaFile {
  /** File name without `.avsc`, e.g. `reservation-event`. */
  readonly name: string
  readonly json: unknown
  readonly type: AvroType
}

const pascal = (kebab: string): string =>
  kebab
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('')
const camel = (name: string): string => name.charAt(0).toLowerCase() + name.slice(1)
const shortName = (fullName: string): string => fullName.slice(fullName.lastIndexOf('.') + 1)
const docComment = (doc: string | undefined, indent = ''): string =>
  doc === undefined ? '' : `${indent}/** ${doc.replace(/\*\//g, '* /')} */\n`

/** Reads and parses every schemas/*.avsc file, in name order. Throws on an invalid schema. */
export function loadSchemaFiles(dir = schemaDir): SchemaFile[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.avsc'))
    .sort()
    .map((file) => {
      const json: unknown = JSON.parse(readFileSync(join(dir, file), 'utf8'))
      const type = avsc.Type.forSchema(json as avsc.Schema, { wrapUnions: 'auto' })
      return { name: file.slice(0, -'.avsc'.length), json, type }
    })
}

/** A `type` field holding a one-symbol enum is a discriminator and becomes a string literal. */
function isDiscriminator(field: avsc.types.Field): field is avsc.types.Field & { type: avsc.types.EnumType } {
  return field.name === 'type' && field.type instanceof avsc.types.EnumType && field.type.symbols.length === 1
}

class Emitter {
  private readonly declared = new Map<string, string>()
  private readonly order: string[] = []
  private readonly inProgress = new Set<string>()

  /** Declares `name` once; a second, different declaration of the same short name is an error. */
  private declare(name: string, code: string): void {
    const previous = this.declared.get(name)
    if (previous === undefined) {
      this.declared.set(name, code)
      this.order.push(name)
    } else if (previous !== code) {
      throw new Error(`two different schemas declare ${name}`)
    }
  }

  /** The TypeScript type expression of an Avro type, declaring named types on the way. */
  tsType(type: AvroType): string {
    if (type instanceof avsc.types.RecordType) return this.record(type)
    if (type instanceof avsc.types.EnumType) return this.enumType(type)
    if (type instanceof avsc.types.ArrayType) return `${this.wrap(this.tsType(type.itemsType))}[]`
    if (type instanceof avsc.types.MapType)
      return `{ [key: string]: ${this.tsType(type.valuesType as AvroType)} }`
    if (type instanceof avsc.types.UnwrappedUnionType)
      return type.types.map((t) => this.tsType(t)).join(' | ')
    if (type instanceof avsc.types.WrappedUnionType) {
      throw new Error(`nested wrapped unions are not supported (${type.toString()})`)
    }
    switch (type.typeName) {
      case 'null':
        return 'null'
      case 'boolean':
        return 'boolean'
      case 'int':
      case 'long':
      case 'float':
      case 'double':
        return 'number'
      case 'string':
        return 'string'
      case 'bytes':
      case 'fixed':
        return 'Buffer'
      default:
        throw new Error(`unsupported Avro type ${type.typeName}`)
    }
  }

  private wrap(expression: string): string {
    return expression.includes('|') ? `(${expression})` : expression
  }

  private record(type: avsc.types.RecordType): string {
    const name = shortName(type.name ?? '')
    if (this.inProgress.has(name)) return name
    this.inProgress.add(name)
    const lines = type.fields.map((field) => {
      const fieldType = isDiscriminator(field) ? `'${field.type.symbols[0] ?? ''}'` : this.tsType(field.type)
      const fieldDoc = (field as { doc?: string }).doc
      const defaultValue: unknown = field.defaultValue()
      const doc = [
        fieldDoc,
        defaultValue === undefined ? undefined : `Default: ${JSON.stringify(defaultValue)}.`,
      ]
        .filter((part) => part !== undefined)
        .map((part) => (part.endsWith('.') ? part : `${part}.`))
        .join(' ')
      return `${docComment(doc === '' ? undefined : doc, '  ')}  ${field.name}: ${fieldType}`
    })
    this.inProgress.delete(name)
    this.declare(name, `${docComment(type.doc)}export interface ${name} {\n${lines.join('\n')}\n}`)
    return name
  }

  private enumType(type: avsc.types.EnumType): string {
    const name = shortName(type.name ?? '')
    const values = `${camel(name)}Values`
    const symbols = type.symbols.map((symbol) => `'${symbol}'`).join(', ')
    this.declare(
      name,
      `export const ${values} = [${symbols}] as const\n${docComment(type.doc)}export type ${name} = (typeof ${values})[number]`,
    )
    return name
  }

  /** A topic value schema: a record, or a union of records discriminated by `type`. */
  topic(file: SchemaFile): string {
    const name = pascal(file.name)
    if (file.type instanceof avsc.types.WrappedUnionType) {
      const branches = file.type.types.map((branch) => {
        if (!(branch instanceof avsc.types.RecordType))
          throw new Error(`${file.name}: union branches must be records`)
        const discriminator = branch.fields.find(isDiscriminator)
        if (discriminator === undefined)
          throw new Error(`${branch.name ?? ''}: no one-symbol enum field 'type'`)
        return { record: this.tsType(branch), symbol: discriminator.type.symbols[0] ?? '' }
      })
      const values = `${camel(name)}Types`
      this.declare(
        name,
        [
          `/** Value of the \`${file.name}\` schema: one record per \`type\`. */`,
          `export type ${name} = ${branches.map((b) => b.record).join(' | ')}`,
          `export const ${values} = [${branches.map((b) => `'${b.symbol}'`).join(', ')}] as const`,
          `export type ${name}Type = (typeof ${values})[number]`,
        ].join('\n'),
      )
      return name
    }
    const record = this.tsType(file.type)
    if (record !== name) throw new Error(`${file.name}.avsc must define the record ${name}, found ${record}`)
    return name
  }

  render(): string {
    return this.order.map((name) => this.declared.get(name) ?? '').join('\n\n')
  }
}

const header = (what: string): string =>
  `// GENERATED by tools/gen-types.ts from schemas/*.avsc — do not edit; run \`npx tsx tools/gen-types.ts\`.\n// ${what}\n`

/** Renders both generated files (formatted with the repository's prettier config). */
export async function renderGenerated(dir = schemaDir): Promise<Record<string, string>> {
  const files = loadSchemaFiles(dir)
  const emitter = new Emitter()
  const topics = files.map((file) => ({ file: file.name, type: emitter.topic(file) }))
  const schemaNames = topics.map((topic) => `'${topic.file}'`).join(', ')
  const types = [
    header('TypeScript types of every Avro schema; field docs and defaults come from the .avsc files.'),
    emitter.render(),
    `/** Names of the value schemas (one .avsc file each). */\nexport const schemaNames = [${schemaNames}] as const`,
    'export type SchemaName = (typeof schemaNames)[number]',
    `/** The TypeScript value type of each schema. */\nexport interface SchemaValues {\n${topics
      .map((topic) => `  '${topic.file}': ${topic.type}`)
      .join('\n')}\n}`,
  ].join('\n\n')
  const embedded = [
    header('The .avsc documents as data, keyed by schema name.'),
    "import type { SchemaName } from './types.js'",
    `export const avroSchemas: Readonly<Record<SchemaName, unknown>> = {\n${files
      .map((file) => `  '${file.name}': ${JSON.stringify(file.json)},`)
      .join('\n')}\n}`,
  ].join('\n\n')
  const options = { ...(await prettier.resolveConfig(join(outDir, 'types.ts'))), parser: 'typescript' }
  return {
    'types.ts': await prettier.format(types, options),
    'avro-schemas.ts': await prettier.format(embedded, options),
  }
}

async function main(): Promise<void> {
  const check = process.argv.includes('--check')
  const rendered = await renderGenerated()
  let drifted = false
  for (const [file, content] of Object.entries(rendered)) {
    const path = join(outDir, file)
    let current: string | undefined
    try {
      current = readFileSync(path, 'utf8')
    } catch {
      current = undefined
    }
    if (current === content) continue
    if (check) {
      drifted = true
      console.error(`schemas/generated/${file} is out of date; run \`npx tsx tools/gen-types.ts\``)
    } else {
      mkdirSync(outDir, { recursive: true })
      writeFileSync(path, content)
      console.log(`wrote schemas/generated/${file}`)
    }
  }
  if (drifted) process.exitCode = 1
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main()
}
