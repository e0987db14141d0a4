// A small kustomize for the features k8s/ uses, so the tests can render the base and the overlays without
// a kustomize binary: resources (files and directories), configMapGenerator (files, literals, options),
// patches (RFC 6902 JSON patches with a target), replicas and images. Any other kustomization field is an
// error, and so is a patch, replica count or image override that matches nothing (kustomize would ignore
// it silently): the renderer is never quietly less than kustomize. Where kubectl is installed the tests
// also compare this renderer's output with `kubectl kustomize`.
import { existsSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { parseAllDocuments } from 'yaml'

export interface ObjectMeta {
  name: string
  namespace?: string
  labels?: Record<string, string>
  annotations?: Record<string, string>
}

export interface K8sObject {
  apiVersion: string
  kind: string
  metadata: ObjectMeta
  [field: string]: unknown
}

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

/**
 * Parses every document of a YAML file the way Kubernetes tools do (YAML 1.1: `0555` is octal, `on` is a
 * boolean; skaffold reads its own file as YAML 1.2), failing on any syntax error or warning. Empty
 * documents are dropped.
 */
export function loadYamlDocuments(file: string, version: '1.1' | '1.2' = '1.1'): unknown[] {
  return parseYamlDocuments(readFileSync(file, 'utf8'), file, version)
}

export function parseYamlDocuments(text: string, source: string, version: '1.1' | '1.2' = '1.1'): unknown[] {
  const docs = parseAllDocuments(text, { version, prettyErrors: true, uniqueKeys: true })
  if (!Array.isArray(docs)) return []
  const result: unknown[] = []
  for (const doc of docs) {
    const problems = [...doc.errors, ...doc.warnings]
    if (problems.length > 0) {
      throw new Error(`${source}: ${problems.map((problem) => problem.message).join('; ')}`)
    }
    const value: unknown = doc.toJS({ maxAliasCount: 0 })
    if (value !== null && value !== undefined) result.push(value)
  }
  return result
}

export function objectId(obj: K8sObject): string {
  return `${obj.kind}/${obj.metadata.namespace ?? '-'}/${obj.metadata.name}`
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function asK8sObject(value: unknown, source: string): K8sObject {
  if (!isRecord(value)) throw new Error(`${source}: a document is not a mapping`)
  const metadata = value['metadata']
  if (
    typeof value['apiVersion'] !== 'string' ||
    typeof value['kind'] !== 'string' ||
    !isRecord(metadata) ||
    typeof metadata['name'] !== 'string'
  ) {
    throw new Error(`${source}: a document lacks apiVersion, kind or metadata.name`)
  }
  return value as K8sObject
}

interface Kustomization {
  apiVersion?: string
  kind?: string
  resources?: string[]
  configMapGenerator?: ConfigMapGeneratorEntry[]
  patches?: PatchEntry[]
  replicas?: { name: string; count: number }[]
  images?: { name: string; newName?: string; newTag?: string; digest?: string }[]
}

interface ConfigMapGeneratorEntry {
  name: string
  namespace?: string
  files?: string[]
  literals?: string[]
  options?: {
    disableNameSuffixHash?: boolean
    labels?: Record<string, string>
    annotations?: Record<string, string>
  }
}

interface PatchEntry {
  target?: { kind?: string; name?: string; namespace?: string }
  patch?: string
  path?: string
}

const supportedFields = new Set([
  'apiVersion',
  'kind',
  'resources',
  'configMapGenerator',
  'patches',
  'replicas',
  'images',
])

/** Renders the kustomization in `dir` (a directory holding kustomization.yaml). */
export function renderKustomization(dir: string): K8sObject[] {
  const file = path.join(dir, 'kustomization.yaml')
  if (!existsSync(file)) throw new Error(`${dir}: no kustomization.yaml`)
  const [doc] = loadYamlDocuments(file)
  if (!isRecord(doc)) throw new Error(`${file}: not a mapping`)
  const unsupported = Object.keys(doc).filter((key) => !supportedFields.has(key))
  if (unsupported.length > 0) {
    throw new Error(`${file}: fields this renderer does not implement: ${unsupported.join(', ')}`)
  }
  const k = doc as Kustomization
  if (k.apiVersion !== 'kustomize.config.k8s.io/v1beta1' || k.kind !== 'Kustomization') {
    throw new Error(`${file}: expected apiVersion kustomize.config.k8s.io/v1beta1, kind Kustomization`)
  }

  const objects: K8sObject[] = []
  for (const entry of k.resources ?? []) {
    const target = path.resolve(dir, entry)
    if (!existsSync(target)) throw new Error(`${file}: resource ${entry} does not exist`)
    if (statSync(target).isDirectory()) objects.push(...renderKustomization(target))
    else objects.push(...loadYamlDocuments(target).map((value) => asK8sObject(value, target)))
  }
  for (const generator of k.configMapGenerator ?? []) objects.push(generateConfigMap(dir, file, generator))

  const ids = new Set<string>()
  for (const obj of objects) {
    const id = objectId(obj)
    if (ids.has(id)) throw new Error(`${file}: ${id} is defined twice`)
    ids.add(id)
  }

  for (const [index, entry] of (k.patches ?? []).entries()) applyPatchEntry(dir, file, index, entry, objects)
  for (const { name, count } of k.replicas ?? []) applyReplicas(file, name, count, objects)
  for (const image of k.images ?? []) applyImage(file, image, objects)
  return objects
}

function generateConfigMap(dir: string, file: string, generator: ConfigMapGeneratorEntry): K8sObject {
  if (generator.options?.disableNameSuffixHash !== true) {
    // Hashed names would need every reference rewritten, which this renderer does not do.
    throw new Error(`${file}: configMapGenerator ${generator.name} must set options.disableNameSuffixHash`)
  }
  const data: Record<string, string> = {}
  for (const spec of generator.files ?? []) {
    const [key, source] = spec.includes('=') ? spec.split('=', 2) : [path.basename(spec), spec]
    if (!key || !source) throw new Error(`${file}: bad configMapGenerator file entry ${spec}`)
    const sourcePath = path.resolve(dir, source)
    if (!existsSync(sourcePath)) throw new Error(`${file}: configMapGenerator file ${source} does not exist`)
    data[key] = readFileSync(sourcePath, 'utf8')
  }
  for (const literal of generator.literals ?? []) {
    const at = literal.indexOf('=')
    if (at <= 0) throw new Error(`${file}: bad configMapGenerator literal ${literal}`)
    data[literal.slice(0, at)] = literal.slice(at + 1)
  }
  const metadata: ObjectMeta = { name: generator.name }
  if (generator.namespace) metadata.namespace = generator.namespace
  if (generator.options.labels) metadata.labels = { ...generator.options.labels }
  if (generator.options.annotations) metadata.annotations = { ...generator.options.annotations }
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata, data }
}

function applyPatchEntry(dir: string, file: string, index: number, entry: PatchEntry, objects: K8sObject[]) {
  const where = `${file}: patches[${index}]`
  const text = entry.patch ?? (entry.path ? readFileSync(path.resolve(dir, entry.path), 'utf8') : undefined)
  if (text === undefined) throw new Error(`${where}: neither patch nor path`)
  const [operations] = parseYamlDocuments(text, where)
  if (!Array.isArray(operations)) {
    throw new Error(`${where}: only JSON 6902 patches (a list of operations) are supported`)
  }
  const target = entry.target
  if (!target?.kind || !target.name)
    throw new Error(`${where}: a JSON 6902 patch needs target.kind and .name`)
  const matches = objects.filter(
    (obj) =>
      obj.kind === target.kind &&
      obj.metadata.name === target.name &&
      (target.namespace === undefined || obj.metadata.namespace === target.namespace),
  )
  if (matches.length === 0) {
    throw new Error(
      `${where}: target ${target.kind}/${target.namespace ?? '*'}/${target.name} matches nothing`,
    )
  }
  for (const obj of matches) {
    for (const operation of operations)
      applyJsonPatchOperation(obj, operation, `${where} on ${objectId(obj)}`)
  }
}

function decodePointer(pointer: string, where: string): string[] {
  if (!pointer.startsWith('/')) throw new Error(`${where}: path ${pointer} is not a JSON pointer`)
  return pointer
    .slice(1)
    .split('/')
    .map((token) => token.replaceAll('~1', '/').replaceAll('~0', '~'))
}

/** Applies one RFC 6902 operation (add, remove, replace, test) in place. */
export function applyJsonPatchOperation(root: unknown, operation: unknown, where: string): void {
  if (!isRecord(operation) || typeof operation['op'] !== 'string' || typeof operation['path'] !== 'string') {
    throw new Error(`${where}: an operation needs op and path`)
  }
  const op = operation['op']
  const tokens = decodePointer(operation['path'], where)
  const last = tokens.pop()
  if (last === undefined) throw new Error(`${where}: cannot patch the whole document`)
  let parent: unknown = root
  for (const token of tokens) {
    parent = Array.isArray(parent) ? parent[Number(token)] : isRecord(parent) ? parent[token] : undefined
    if (parent === undefined) throw new Error(`${where}: ${operation['path']} does not exist`)
  }
  const value = structuredClone(operation['value'])
  if (Array.isArray(parent)) {
    const at = last === '-' ? parent.length : Number(last)
    if (!Number.isInteger(at) || at < 0 || at > parent.length || (op !== 'add' && at >= parent.length)) {
      throw new Error(`${where}: ${operation['path']}: no such array index`)
    }
    if (op === 'add') parent.splice(at, 0, value)
    else if (op === 'replace') parent[at] = value
    else if (op === 'remove') parent.splice(at, 1)
    else if (op === 'test') assertTest(parent[at], value, where)
    else throw new Error(`${where}: unsupported op ${op}`)
    return
  }
  if (!isRecord(parent)) throw new Error(`${where}: ${operation['path']}: parent is not a container`)
  if (op !== 'add' && !(last in parent)) throw new Error(`${where}: ${operation['path']} does not exist`)
  if (op === 'add' || op === 'replace') parent[last] = value
  else if (op === 'remove') delete parent[last]
  else if (op === 'test') assertTest(parent[last], value, where)
  else throw new Error(`${where}: unsupported op ${op}`)
}

function assertTest(actual: unknown, expected: unknown, where: string) {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) throw new Error(`${where}: test failed`)
}

const scalable = new Set(['Deployment', 'StatefulSet', 'ReplicaSet', 'ReplicationController'])

function applyReplicas(file: string, name: string, count: number, objects: K8sObject[]) {
  const matches = objects.filter((obj) => scalable.has(obj.kind) && obj.metadata.name === name)
  if (matches.length === 0) throw new Error(`${file}: replicas: no workload named ${name}`)
  for (const obj of matches) (obj['spec'] as Record<string, unknown>)['replicas'] = count
}

/** The image's name without tag or digest: `registry:5000/a/b:tag@sha256:...` -> `registry:5000/a/b`. */
export function imageName(reference: string): string {
  const withoutDigest = reference.split('@')[0] ?? reference
  const lastSlash = withoutDigest.lastIndexOf('/')
  const colon = withoutDigest.indexOf(':', lastSlash + 1)
  return colon === -1 ? withoutDigest : withoutDigest.slice(0, colon)
}

export function podSpecOf(obj: K8sObject): Record<string, unknown> | undefined {
  const spec = obj['spec']
  if (!isRecord(spec)) return undefined
  if (obj.kind === 'CronJob') {
    const jobTemplate = spec['jobTemplate']
    const jobSpec = isRecord(jobTemplate) ? jobTemplate['spec'] : undefined
    const template = isRecord(jobSpec) ? jobSpec['template'] : undefined
    return isRecord(template) && isRecord(template['spec']) ? template['spec'] : undefined
  }
  if (obj.kind === 'Pod') return spec
  const template = spec['template']
  return isRecord(template) && isRecord(template['spec']) ? template['spec'] : undefined
}

function applyImage(
  file: string,
  image: { name: string; newName?: string; newTag?: string; digest?: string },
  objects: K8sObject[],
) {
  let matched = 0
  for (const obj of objects) {
    const podSpec = podSpecOf(obj)
    if (!podSpec) continue
    for (const field of ['containers', 'initContainers']) {
      const containers = podSpec[field]
      if (!Array.isArray(containers)) continue
      for (const container of containers) {
        if (!isRecord(container) || typeof container['image'] !== 'string') continue
        if (imageName(container['image']) !== image.name) continue
        matched += 1
        const kept = container['image'].slice(image.name.length) // ":tag", "@digest" or ""
        const name = image.newName ?? image.name
        container['image'] = image.digest
          ? `${name}@${image.digest}`
          : image.newTag
            ? `${name}:${image.newTag}`
            : `${name}${kept}`
      }
    }
  }
  if (matched === 0) throw new Error(`${file}: images: no container uses ${image.name}`)
}
