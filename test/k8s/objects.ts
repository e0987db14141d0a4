// Typed access to rendered manifests for the cross-checks: find an object, its pod template, containers,
// and whether a selector picks a set of labels. The objects have passed the kubernetes-models schema and
// strict-field checks (models.ts) before any of this is used, so the casts to those types hold.
import path from 'node:path'
import type { IContainer } from 'kubernetes-models/v1/Container'
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec'
import type { IPodTemplateSpec } from 'kubernetes-models/v1/PodTemplateSpec'
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap'
import type { IService } from 'kubernetes-models/v1/Service'
import type { IStatefulSet } from 'kubernetes-models/apps/v1/StatefulSet'
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment'
import type { IJob } from 'kubernetes-models/batch/v1/Job'
import { renderKustomization, objectId, type K8sObject } from './kustomize.js'

export const repoRoot = path.resolve(import.meta.dirname, '../..')
export const overlays = { base: 'k8s/base', dev: 'k8s/overlays/dev' } as const
export type Overlay = keyof typeof overlays

const cache = new Map<Overlay, K8sObject[]>()

/** The rendered manifests of an overlay (rendered once per test file; callers must not mutate them). */
export function rendered(overlay: Overlay): K8sObject[] {
  let objects = cache.get(overlay)
  if (!objects) {
    objects = renderKustomization(path.join(repoRoot, overlays[overlay]))
    cache.set(overlay, objects)
  }
  return objects
}

export function find<T = K8sObject>(
  objects: readonly K8sObject[],
  kind: string,
  namespace: string,
  name: string,
): T {
  const found = objects.find(
    (obj) => obj.kind === kind && obj.metadata.name === name && obj.metadata.namespace === namespace,
  )
  if (!found) throw new Error(`no ${kind}/${namespace}/${name} in the rendered manifests`)
  return found as T
}

export function ofKind<T = K8sObject>(objects: readonly K8sObject[], kind: string): T[] {
  return objects.filter((obj) => obj.kind === kind) as T[]
}

export interface Workload {
  readonly id: string
  readonly obj: K8sObject
  readonly namespace: string
  readonly template: IPodTemplateSpec
  readonly pod: IPodSpec
  readonly containers: IContainer[]
}

/** Every object with a pod template (Deployment, StatefulSet, Job). */
export function workloads(objects: readonly K8sObject[]): Workload[] {
  const result: Workload[] = []
  for (const obj of objects) {
    let template: IPodTemplateSpec | undefined
    if (obj.kind === 'StatefulSet') template = (obj as unknown as IStatefulSet).spec?.template
    else if (obj.kind === 'Deployment') template = (obj as unknown as IDeployment).spec?.template
    else if (obj.kind === 'Job') template = (obj as unknown as IJob).spec?.template
    else continue
    if (!template?.spec) throw new Error(`${objectId(obj)}: no pod template`)
    result.push({
      id: objectId(obj),
      obj,
      namespace: obj.metadata.namespace ?? 'default',
      template,
      pod: template.spec,
      containers: [...(template.spec.initContainers ?? []), ...template.spec.containers],
    })
  }
  return result
}

export function workload(
  objects: readonly K8sObject[],
  kind: string,
  namespace: string,
  name: string,
): Workload {
  const found = workloads(objects).find((w) => w.id === `${kind}/${namespace}/${name}`)
  if (!found) throw new Error(`no workload ${kind}/${namespace}/${name}`)
  return found
}

export function selects(selector: Record<string, string> | undefined, labels: Record<string, string> = {}) {
  if (!selector || Object.keys(selector).length === 0) return false
  return Object.entries(selector).every(([key, value]) => labels[key] === value)
}

export function configMapData(objects: readonly K8sObject[], namespace: string, name: string) {
  return find<IConfigMap>(objects, 'ConfigMap', namespace, name).data ?? {}
}

export function services(objects: readonly K8sObject[]): IService[] {
  return ofKind<IService>(objects, 'Service')
}

/** The value of a container port given by name or number, if the container declares it. */
export function resolvePort(container: IContainer, port: number | string | undefined): number | undefined {
  if (port === undefined) return undefined
  const declared = container.ports ?? []
  if (typeof port === 'number') return declared.some((p) => p.containerPort === port) ? port : undefined
  return declared.find((p) => p.name === port)?.containerPort
}

/** Environment a container sees: its ConfigMap envFrom keys, then env entries (valueFrom as undefined). */
export function containerEnv(objects: readonly K8sObject[], namespace: string, container: IContainer) {
  const env = new Map<string, string | undefined>()
  for (const source of container.envFrom ?? []) {
    const name = source.configMapRef?.name
    if (!name) continue
    for (const [key, value] of Object.entries(configMapData(objects, namespace, name))) env.set(key, value)
  }
  for (const variable of container.env ?? []) env.set(variable.name, variable.value)
  return env
}
