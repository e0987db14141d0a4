// Validation of Kubernetes objects against the API schemas, offline, with kubernetes-models:
// 1. `new Model(obj).validate()` checks required fields, types and formats (the OpenAPI schema);
// 2. it ignores fields the schema does not know, so a misspelt `readinesProbe` would pass. The strict check
//    closes that gap with TypeScript's excess-property check: every object becomes an object literal typed
//    with the kubernetes-models interface of its kind, in one in-memory program, and the compiler's
//    diagnostics are the unknown (or mistyped) fields.
// A kind missing from `kinds` is an error: add it here, with its model and interface.
import path from 'node:path'
import ts from 'typescript'
import { Job } from 'kubernetes-models/batch/v1'
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1'
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1'
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1'
import {
  Role,
  RoleBinding,
  ClusterRole,
  ClusterRoleBinding,
} from 'kubernetes-models/rbac.authorization.k8s.io/v1'
import { ConfigMap, Namespace, Secret, Service, ServiceAccount } from 'kubernetes-models/v1'
import { objectId, type K8sObject } from './kustomize.js'

interface KindEntry {
  readonly validate: (obj: K8sObject) => void
  /** Module and interface name of the kubernetes-models type, for the strict check. */
  readonly typeModule: string
  readonly typeName: string
}

function entry<T extends { validate(): void }>(
  Model: new (data: never) => T,
  typeModule: string,
  typeName: string,
): KindEntry {
  return { validate: (obj) => new Model(obj as never).validate(), typeModule, typeName }
}

const kinds: Record<string, KindEntry> = {
  'v1/Namespace': entry(Namespace, 'kubernetes-models/v1/Namespace', 'INamespace'),
  'v1/ConfigMap': entry(ConfigMap, 'kubernetes-models/v1/ConfigMap', 'IConfigMap'),
  'v1/Secret': entry(Secret, 'kubernetes-models/v1/Secret', 'ISecret'),
  'v1/Service': entry(Service, 'kubernetes-models/v1/Service', 'IService'),
  'v1/ServiceAccount': entry(ServiceAccount, 'kubernetes-models/v1/ServiceAccount', 'IServiceAccount'),
  'apps/v1/StatefulSet': entry(StatefulSet, 'kubernetes-models/apps/v1/StatefulSet', 'IStatefulSet'),
  'apps/v1/Deployment': entry(Deployment, 'kubernetes-models/apps/v1/Deployment', 'IDeployment'),
  'batch/v1/Job': entry(Job, 'kubernetes-models/batch/v1/Job', 'IJob'),
  'networking.k8s.io/v1/NetworkPolicy': entry(
    NetworkPolicy,
    'kubernetes-models/networking.k8s.io/v1/NetworkPolicy',
    'INetworkPolicy',
  ),
  'policy/v1/PodDisruptionBudget': entry(
    PodDisruptionBudget,
    'kubernetes-models/policy/v1/PodDisruptionBudget',
    'IPodDisruptionBudget',
  ),
  'rbac.authorization.k8s.io/v1/Role': entry(
    Role,
    'kubernetes-models/rbac.authorization.k8s.io/v1/Role',
    'IRole',
  ),
  'rbac.authorization.k8s.io/v1/RoleBinding': entry(
    RoleBinding,
    'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding',
    'IRoleBinding',
  ),
  'rbac.authorization.k8s.io/v1/ClusterRole': entry(
    ClusterRole,
    'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole',
    'IClusterRole',
  ),
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': entry(
    ClusterRoleBinding,
    'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding',
    'IClusterRoleBinding',
  ),
}

function kindEntry(obj: K8sObject): KindEntry {
  const found = kinds[`${obj.apiVersion}/${obj.kind}`]
  if (!found) throw new Error(`${objectId(obj)}: unknown kind ${obj.apiVersion}/${obj.kind}`)
  return found
}

/** Throws, naming the object and the schema violations, unless `obj` is a valid object of a known kind. */
export function validateObject(obj: K8sObject): void {
  const { validate } = kindEntry(obj)
  try {
    validate(obj)
  } catch (error) {
    const details = (error as { errors?: unknown }).errors
    throw new Error(
      `${objectId(obj)}: ${(error as Error).message}${details ? ` ${JSON.stringify(details)}` : ''}`,
    )
  }
}

const repoRoot = path.resolve(import.meta.dirname, '../..')

/**
 * Returns one message per field that the kubernetes-models types do not have (or whose value has the
 * wrong type), e.g. `StatefulSet/reservation/x: Object literal may only specify known properties, and
 * 'readinesProbe' does not exist in type 'IIoK8sApiCoreV1Container'`. Empty when every field is known.
 */
export function unknownFields(objects: readonly K8sObject[]): string[] {
  const imports: string[] = []
  const declarations: string[] = []
  const lineOwner: string[] = []
  const modules = new Map<string, string>()
  objects.forEach((obj, index) => {
    const { typeModule, typeName } = kindEntry(obj)
    let alias = modules.get(`${typeModule}#${typeName}`)
    if (!alias) {
      alias = `T${modules.size}`
      modules.set(`${typeModule}#${typeName}`, alias)
      imports.push(`import type { ${typeName} as ${alias} } from '${typeModule}'`)
    }
    const literal = `export const o${index}: ${alias} = ${JSON.stringify(obj, null, 2)}`
    for (let i = 0; i < literal.split('\n').length; i++) lineOwner.push(objectId(obj))
    declarations.push(literal)
  })
  const header = imports.join('\n') + '\n'
  const source = header + declarations.join('\n') + '\n'
  const headerLines = header.split('\n').length - 1

  const fileName = path.join(repoRoot, 'test/k8s/__manifests__.ts')
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
  }
  const host = ts.createCompilerHost(options)
  const readFile = host.readFile.bind(host)
  const fileExists = host.fileExists.bind(host)
  const getSourceFile = host.getSourceFile.bind(host)
  host.readFile = (name) => (name === fileName ? source : readFile(name))
  host.fileExists = (name) => name === fileName || fileExists(name)
  host.getSourceFile = (name, languageVersion, onError, shouldCreate) =>
    name === fileName
      ? ts.createSourceFile(name, source, languageVersion, true)
      : getSourceFile(name, languageVersion, onError, shouldCreate)
  const program = ts.createProgram([fileName], options, host)
  const diagnostics = [...program.getSyntacticDiagnostics(), ...program.getSemanticDiagnostics()]
  return diagnostics.map((diagnostic) => {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ')
    if (diagnostic.file?.fileName !== fileName || diagnostic.start === undefined) return message
    const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start)
    const owner = line < headerLines ? 'imports' : (lineOwner[line - headerLines] ?? '?')
    return `${owner}: ${message}`
  })
}
