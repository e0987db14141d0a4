// Offline validation of k8s/: every YAML document parses; the base and the dev overlay render (with the
// small renderer in kustomize.ts, compared with `kubectl kustomize` where kubectl exists); every object
// passes the kubernetes-models schema and has no unknown field; and cross-checks catch the mistakes a
// schema cannot see (a selector that picks no pod, a probe on an undeclared port, a missing ConfigMap key).
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { homedir, tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import type { IStatefulSet } from 'kubernetes-models/apps/v1/StatefulSet'
import type { IService } from 'kubernetes-models/v1/Service'
import {
  loadYamlDocuments,
  objectId,
  parseYamlDocuments,
  renderKustomization,
  type K8sObject,
} from './kustomize.js'
import { configFromEnv } from '../../service/config.js'
import { unknownFields, validateObject } from './models.js'
import {
  configMapData,
  containerEnv,
  find,
  ofKind,
  overlays,
  rendered,
  repoRoot,
  resolvePort,
  selects,
  services,
  workload,
  workloads,
  type Overlay,
} from './objects.js'

function filesUnder(dir: string, suffix: string): string[] {
  return readdirSync(path.join(repoRoot, dir), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(suffix))
    .map((entry) => path.relative(repoRoot, path.join(entry.parentPath, entry.name)))
    .sort()
}

/**
 * The real kustomize to compare with: `kubectl kustomize` where kubectl exists, else the `kustomize` that
 * .ci/run builds from the Go module proxy into the cache. Missing both fails the test (no silent skip).
 */
function kustomizeCommand(dir: string): [string, string[]] {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' })
    return ['kubectl', ['kustomize', dir]]
  } catch {
    const cached = path.join(
      process.env['XDG_CACHE_HOME'] ?? path.join(homedir(), '.cache'),
      'reservation-streams',
      'bin',
      'kustomize',
    )
    if (existsSync(cached)) return [cached, ['build', dir]]
    throw new Error(
      `neither kubectl nor ${cached} found: install kubectl, or run .ci/run, which builds kustomize with Go`,
    )
  }
}

const byId = (objects: readonly K8sObject[]) =>
  Object.fromEntries(objects.map((obj) => [objectId(obj), obj] as const))

describe('k8s/ files', () => {
  it('every YAML document under k8s/ parses (YAML 1.1, as kubectl reads it) and has a kind', () => {
    const files = filesUnder('k8s', '.yaml')
    expect(files.length).toBeGreaterThan(5)
    for (const file of files) {
      const docs = loadYamlDocuments(path.join(repoRoot, file))
      expect(docs.length, file).toBeGreaterThan(0)
      for (const doc of docs) expect(doc, file).toHaveProperty('kind')
    }
  })

  it('every YAML file under k8s/ is used by a kustomization (nothing stale is left lying around)', () => {
    const listed = new Set<string>()
    for (const file of filesUnder('k8s', 'kustomization.yaml')) {
      listed.add(file)
      const [doc] = loadYamlDocuments(path.join(repoRoot, file)) as [{ resources?: string[] }]
      for (const resource of doc.resources ?? []) {
        listed.add(path.relative(repoRoot, path.resolve(repoRoot, path.dirname(file), resource)))
      }
    }
    for (const file of filesUnder('k8s', '.yaml'))
      expect(listed, `${file} is in no kustomization`).toContain(file)
  })
})

describe.each(Object.keys(overlays) as Overlay[])('%s overlay', (overlay) => {
  const objects = () => rendered(overlay)

  it('renders, and every object is a known kind that passes the kubernetes-models schema', () => {
    expect(objects().length).toBeGreaterThan(20)
    for (const obj of objects()) validateObject(obj)
  })

  it('has no field the Kubernetes API does not know (TypeScript excess-property check)', () => {
    expect(unknownFields(objects())).toEqual([])
  })

  it('renders exactly as the real kustomize does', () => {
    const [command, args] = kustomizeCommand(overlays[overlay])
    const output = execFileSync(command, args, {
      cwd: repoRoot,
      encoding: 'utf8',
    })
    const theirs = parseYamlDocuments(output, 'kubectl kustomize') as K8sObject[]
    expect(byId(objects())).toEqual(byId(theirs))
  })

  it('every namespaced object lives in a Namespace the manifests create', () => {
    const namespaces = new Set(ofKind(objects(), 'Namespace').map((ns) => ns.metadata.name))
    const clusterScoped = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding'])
    for (const obj of objects()) {
      if (clusterScoped.has(obj.kind)) continue
      expect(namespaces, objectId(obj)).toContain(obj.metadata.namespace)
    }
  })

  it("every workload's selector matches its own pod labels", () => {
    for (const w of workloads(objects())) {
      if (w.obj.kind === 'Job') continue
      const selector = (w.obj as unknown as IStatefulSet).spec?.selector.matchLabels
      expect(selects(selector, w.template.metadata?.labels), w.id).toBe(true)
    }
  })

  it('every Service selects pods, and its target ports are ports those pods declare', () => {
    for (const service of services(objects())) {
      const id = `Service/${service.metadata?.namespace}/${service.metadata?.name}`
      const pods = workloads(objects()).filter(
        (w) =>
          w.namespace === service.metadata?.namespace &&
          selects(service.spec?.selector, w.template.metadata?.labels),
      )
      expect(pods.length, `${id} selects no pod`).toBeGreaterThan(0)
      for (const port of service.spec?.ports ?? []) {
        for (const w of pods) {
          const found = w.containers.some((c) => resolvePort(c, port.targetPort ?? port.port) !== undefined)
          expect(found, `${id} port ${port.name} -> ${String(port.targetPort)} not declared by ${w.id}`).toBe(
            true,
          )
        }
      }
    }
  })

  it("every StatefulSet's serviceName is a headless Service that selects its pods", () => {
    for (const sts of ofKind<IStatefulSet>(objects(), 'StatefulSet')) {
      const namespace = sts.metadata?.namespace ?? ''
      const headless = find<IService>(objects(), 'Service', namespace, sts.spec?.serviceName ?? '')
      expect(headless.spec?.clusterIP, sts.metadata?.name).toBe('None')
      expect(selects(headless.spec?.selector, sts.spec?.template.metadata?.labels)).toBe(true)
    }
  })

  it('every probe targets a port its container declares', () => {
    for (const w of workloads(objects())) {
      for (const c of w.containers) {
        for (const [kind, probe] of Object.entries({
          liveness: c.livenessProbe,
          readiness: c.readinessProbe,
          startup: c.startupProbe,
        })) {
          if (!probe) continue
          const port = probe.httpGet?.port ?? probe.tcpSocket?.port ?? probe.grpc?.port
          expect(port, `${w.id} ${c.name} ${kind} probe has no port`).toBeDefined()
          expect(resolvePort(c, port), `${w.id} ${c.name} ${kind} probe port ${String(port)}`).toBeDefined()
        }
      }
    }
  })

  it('every volumeMount names a volume or claim template, and every ConfigMap volume exists with its keys', () => {
    for (const w of workloads(objects())) {
      const volumes = new Map((w.pod.volumes ?? []).map((v) => [v.name, v] as const))
      const claims = new Set(
        ((w.obj as unknown as IStatefulSet).spec?.volumeClaimTemplates ?? []).map((t) => t.metadata?.name),
      )
      for (const c of w.containers) {
        for (const mount of c.volumeMounts ?? []) {
          const volume = volumes.get(mount.name)
          expect(
            volume !== undefined || claims.has(mount.name),
            `${w.id} ${c.name} mounts ${mount.name}`,
          ).toBe(true)
          const configMap = volume?.configMap?.name
          if (configMap && mount.subPath) {
            expect(
              Object.keys(configMapData(objects(), w.namespace, configMap)),
              `${w.id} ${mount.subPath}`,
            ).toContain(mount.subPath)
          }
        }
      }
      for (const volume of volumes.values()) {
        if (volume.configMap) configMapData(objects(), w.namespace, volume.configMap.name ?? '')
      }
    }
  })

  it('every env ConfigMap and key exists, and every $(VAR) in env refers to a variable defined before it', () => {
    for (const w of workloads(objects())) {
      for (const c of w.containers) {
        const defined = new Set<string>()
        for (const source of c.envFrom ?? []) {
          const name = source.configMapRef?.name
          expect(name, `${w.id} ${c.name}: only ConfigMap envFrom is used`).toBeDefined()
          for (const key of Object.keys(configMapData(objects(), w.namespace, name ?? ''))) defined.add(key)
        }
        for (const variable of c.env ?? []) {
          const ref = variable.valueFrom?.configMapKeyRef
          if (ref)
            expect(Object.keys(configMapData(objects(), w.namespace, ref.name ?? ''))).toContain(ref.key)
          for (const [, name] of (variable.value ?? '').matchAll(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g)) {
            expect(
              defined,
              `${w.id} ${c.name} ${variable.name} uses $(${name}) before it is defined`,
            ).toContain(name)
          }
          defined.add(variable.name)
        }
      }
    }
  })

  it('every pod runs as non-root, without privilege escalation, with memory requests and limits', () => {
    for (const w of workloads(objects())) {
      for (const c of w.containers) {
        const nonRoot = c.securityContext?.runAsNonRoot ?? w.pod.securityContext?.runAsNonRoot
        expect(nonRoot, `${w.id} ${c.name} runAsNonRoot`).toBe(true)
        const uid = c.securityContext?.runAsUser ?? w.pod.securityContext?.runAsUser
        expect(uid, `${w.id} ${c.name} runAsUser`).toBeGreaterThan(0)
        expect(c.securityContext?.allowPrivilegeEscalation, `${w.id} ${c.name}`).toBe(false)
        expect(c.securityContext?.capabilities?.drop, `${w.id} ${c.name}`).toContain('ALL')
        expect(c.resources?.requests?.['memory'], `${w.id} ${c.name} memory request`).toBeDefined()
        expect(c.resources?.limits?.['memory'], `${w.id} ${c.name} memory limit`).toBeDefined()
        expect(c.resources?.requests?.['cpu'], `${w.id} ${c.name} cpu request`).toBeDefined()
      }
    }
  })
})

describe.each(Object.keys(overlays) as Overlay[])('%s overlay: the Reservation Service', (overlay) => {
  const objects = () => rendered(overlay)
  const service = () => workload(objects(), 'StatefulSet', 'reservation', 'reservation-service')
  const container = () => {
    const found = service().containers.find((c) => c.name === 'reservation-service')
    if (!found) throw new Error('no reservation-service container')
    return found
  }
  const env = () => containerEnv(objects(), 'reservation', container())

  it('bounds the V8 heap to at most half the container memory limit (room for LevelDB and librdkafka)', () => {
    const heapMb = /--max-old-space-size=(\d+)/.exec(env().get('NODE_OPTIONS') ?? '')?.[1]
    expect(heapMb, 'NODE_OPTIONS --max-old-space-size').toBeDefined()
    const limit = String(container().resources?.limits?.['memory'] ?? '')
    const unit = /^(\d+)(Mi|Gi)$/.exec(limit)
    expect(unit, `memory limit ${limit}`).not.toBeNull()
    const limitMb = Number(unit![1]) * (unit![2] === 'Gi' ? 1024 : 1)
    expect(Number(heapMb)).toBeGreaterThanOrEqual(128)
    expect(Number(heapMb)).toBeLessThanOrEqual(limitMb / 2)
    // and the native heap: glibc's malloc arenas bounded (a few threads allocate: libuv's, librdkafka's)
    expect(Number(env().get('MALLOC_ARENA_MAX'))).toBeGreaterThanOrEqual(1)
  })

  it('drains on SIGTERM within a grace period of at least 30 s (60 s)', () => {
    expect(service().pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(30)
    expect(service().pod.terminationGracePeriodSeconds).toBe(60)
  })

  it('runs as uid 10001 with a read-only root filesystem; STATE_DIR and /tmp are writable volumes', () => {
    expect(service().pod.securityContext?.runAsUser).toBe(10001)
    expect(container().securityContext?.readOnlyRootFilesystem).toBe(true)
    const mounts = new Map((container().volumeMounts ?? []).map((m) => [m.mountPath, m] as const))
    const stateDir = env().get('STATE_DIR') ?? ''
    expect(stateDir).toBe('/var/lib/reservation')
    expect(mounts.get(stateDir)?.readOnly).not.toBe(true)
    const claims = (service().obj as unknown as IStatefulSet).spec?.volumeClaimTemplates ?? []
    expect(claims.map((c) => c.metadata?.name)).toContain(mounts.get(stateDir)?.name)
    expect(mounts.get('/tmp')?.readOnly).not.toBe(true)
    expect(service().pod.volumes?.find((v) => v.name === mounts.get('/tmp')?.name)?.emptyDir).toBeDefined()
  })

  it('probes /health/live and /health/ready on the HTTP port, with room for a long restore', () => {
    expect(container().livenessProbe?.httpGet?.path).toBe('/health/live')
    expect(container().readinessProbe?.httpGet?.path).toBe('/health/ready')
    expect(container().startupProbe?.httpGet?.path).toBe('/health/live')
    expect(resolvePort(container(), container().readinessProbe?.httpGet?.port)).toBe(
      Number(env().get('HTTP_PORT')),
    )
    const readiness = container().readinessProbe
    expect((readiness?.failureThreshold ?? 3) * (readiness?.periodSeconds ?? 10)).toBeGreaterThanOrEqual(120)
  })

  it('serves HTTP on HTTP_PORT, and Prometheus scrapes that port at /metrics', () => {
    const httpPort = Number(env().get('HTTP_PORT'))
    expect(resolvePort(container(), 'http')).toBe(httpPort)
    const annotations = service().template.metadata?.annotations ?? {}
    expect(annotations['prometheus.io/scrape']).toBe('true')
    expect(Number(annotations['prometheus.io/port'])).toBe(httpPort)
    expect(annotations['prometheus.io/path']).toBe('/metrics')
  })

  it("reaches Kafka at the seed's address, and every broker it lists is a pod of the Kafka StatefulSet", () => {
    const brokers = (env().get('KAFKA_BROKERS') ?? '').split(',')
    expect(brokers).toContain('kafka-0.kafka-headless.kafka.svc.cluster.local:9092')
    const kafka = find<IStatefulSet>(objects(), 'StatefulSet', 'kafka', 'kafka')
    const kafkaContainer = workload(objects(), 'StatefulSet', 'kafka', 'kafka').containers[0]
    if (!kafkaContainer) throw new Error('no kafka container')
    const valid = Array.from(
      { length: kafka.spec?.replicas ?? 1 },
      (_, i) =>
        `kafka-${i}.${kafka.spec?.serviceName}.kafka.svc.cluster.local:${resolvePort(kafkaContainer, 'kafka')}`,
    )
    for (const broker of brokers) expect(valid).toContain(broker)
  })

  it('takes INSTANCE_ID from the pod name and advertises its own pod address under the headless Service', () => {
    const downward = container().env?.find((e) => e.name === 'POD_NAME')?.valueFrom?.fieldRef?.fieldPath
    expect(downward).toBe('metadata.name')
    expect(env().get('INSTANCE_ID')).toBe('$(POD_NAME)')
    const sts = service().obj as unknown as IStatefulSet
    const expected = `http://$(POD_NAME).${sts.spec?.serviceName}.$(POD_NAMESPACE).svc.cluster.local:${env().get('HTTP_PORT')}`
    expect(env().get('ADVERTISED_HTTP_URL')).toBe(expected)
    const headless = find<IService>(objects(), 'Service', 'reservation', sts.spec?.serviceName ?? '')
    expect(headless.spec?.publishNotReadyAddresses).toBe(true)
  })

  it('sets every variable of spec §9 with an accepted value', () => {
    for (const name of [
      'KAFKA_BROKERS',
      'APPLICATION_ID',
      'STATE_DIR',
      'RESERVATION_FORMAT',
      'PROCESSING_GUARANTEE',
      'HOLD_TIMEOUT_MS',
      'RETENTION_MS',
      'DEDUP_RETENTION_MS',
      'HTTP_PORT',
      'PARTITIONS',
      'REPLICATION_FACTOR',
      'INSTANCE_ID',
      'ADVERTISED_HTTP_URL',
    ]) {
      expect(env().get(name), name).toBeTruthy()
    }
    expect(['avro', 'json']).toContain(env().get('RESERVATION_FORMAT'))
    expect(['exactly_once', 'at_least_once']).toContain(env().get('PROCESSING_GUARANTEE'))
    expect(['confluent', 'kafkajs']).toContain(env().get('KAFKA_CLIENT'))
    expect(Number(env().get('HOLD_TIMEOUT_MS'))).toBeGreaterThan(0)
    // the service's own parser accepts the whole set (retention against hold timeout, …)
    expect(() => configFromEnv(Object.fromEntries(env()))).not.toThrow()
  })
})

describe('dev overlay differences', () => {
  it('runs one service instance (base: two), with the skaffold image tag and a LoadBalancer for minikube tunnel', () => {
    const base = find<IStatefulSet>(rendered('base'), 'StatefulSet', 'reservation', 'reservation-service')
    const dev = find<IStatefulSet>(rendered('dev'), 'StatefulSet', 'reservation', 'reservation-service')
    expect(base.spec?.replicas).toBe(2)
    expect(dev.spec?.replicas).toBe(1)
    expect(base.spec?.template.spec?.containers[0]?.image).toBe('reservation-service')
    expect(dev.spec?.template.spec?.containers[0]?.image).toBe('reservation-service:dev')
    expect(find<IService>(rendered('base'), 'Service', 'reservation', 'reservation-service').spec?.type).toBe(
      'ClusterIP',
    )
    expect(find<IService>(rendered('dev'), 'Service', 'reservation', 'reservation-service').spec?.type).toBe(
      'LoadBalancer',
    )
  })

  it('asks for less memory than the base for the service and Kafka, with a heap that fits the limit', () => {
    const memory = (overlay: Overlay, ns: string, name: string) =>
      workload(rendered(overlay), 'StatefulSet', ns, name).containers[0]?.resources?.limits?.['memory']
    expect(memory('dev', 'reservation', 'reservation-service')).toBe('512Mi')
    expect(memory('base', 'reservation', 'reservation-service')).toBe('768Mi')
    expect(memory('dev', 'kafka', 'kafka')).toBe('1Gi')
    expect(configMapData(rendered('dev'), 'kafka', 'kafka-config')['KAFKA_HEAP_OPTS']).toContain('-Xmx384m')
  })
})

describe('the renderer and validators catch mistakes (negative controls)', () => {
  it('rejects a patch that matches nothing, a field it does not implement, and a missing resource', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kustomize-'))
    const base = path.join(repoRoot, 'k8s/base')
    const write = (body: string) => writeFileSync(path.join(dir, 'kustomization.yaml'), body)
    const header = `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ${base}\n`
    try {
      write(
        `${header}patches:\n  - target: {kind: Service, name: reservation-servce}\n    patch: '[{op: remove, path: /spec/type}]'\n`,
      )
      expect(() => renderKustomization(dir)).toThrow(/matches nothing/)
      write(
        `${header}patches:\n  - target: {kind: Service, name: reservation-service}\n    patch: '[{op: replace, path: /spec/tpye, value: x}]'\n`,
      )
      expect(() => renderKustomization(dir)).toThrow(/does not exist/)
      write(`${header}commonLabels:\n  team: x\n`)
      expect(() => renderKustomization(dir)).toThrow(/does not implement: commonLabels/)
      write(`${header}  - missing.yaml\n`)
      expect(() => renderKustomization(dir)).toThrow(/missing.yaml does not exist/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('reports an unknown kind, a schema violation and a misspelt field', () => {
    const sts = structuredClone(find(rendered('dev'), 'StatefulSet', 'reservation', 'reservation-service'))
    expect(() => validateObject({ ...sts, kind: 'StatefulSett' })).toThrow(/unknown kind/)
    const wrongType = structuredClone(sts) as unknown as IStatefulSet
    ;(wrongType.spec as unknown as { replicas: string }).replicas = 'two'
    expect(() => validateObject(wrongType as unknown as K8sObject)).toThrow(/replicas/)
    const misspelt = structuredClone(sts) as unknown as IStatefulSet
    const c = misspelt.spec?.template.spec?.containers[0] as unknown as Record<string, unknown>
    c['readinesProbe'] = c['readinessProbe']
    delete c['readinessProbe']
    expect(unknownFields([misspelt as unknown as K8sObject]).join('\n')).toMatch(/readinesProbe/)
  })
})
