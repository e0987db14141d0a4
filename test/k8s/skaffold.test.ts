// skaffold.yaml against skaffold's own JSON schema for its apiVersion (test/k8s/schemas, see the README
// there), then against the repository: the image it builds is the one the manifests run, the kustomize
// paths render, and every port-forward names a Service port that exists.
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { Ajv } from 'ajv'
import addFormatsModule from 'ajv-formats'
import { describe, expect, it } from 'vitest'
import type { IService } from 'kubernetes-models/v1/Service'
import { imageName, loadYamlDocuments, renderKustomization } from './kustomize.js'
import { find, rendered, repoRoot, workload, workloads } from './objects.js'

const schemaFile = 'schemas/skaffold-v4beta13.json'
const schemaVersion = /skaffold-(v\w+)\.json$/.exec(schemaFile)?.[1] ?? ''

interface SkaffoldConfig {
  apiVersion: string
  kind: string
  build: { artifacts: { image: string; context?: string; docker?: { dockerfile?: string } }[] }
  manifests: { kustomize: { paths: string[] } }
  deploy: { kubectl?: object; statusCheckDeadlineSeconds?: number }
  portForward: {
    resourceType: string
    resourceName: string
    namespace: string
    port: number
    localPort: number
  }[]
  profiles?: { name: string; manifests?: { kustomize?: { paths: string[] } } }[]
}

// skaffold reads its configuration as YAML 1.2 (go-yaml v3).
const [document] = loadYamlDocuments(path.join(repoRoot, 'skaffold.yaml'), '1.2')
const config = document as SkaffoldConfig

function validator() {
  const ajv = new Ajv({ strict: false, allErrors: true })
  const addFormats = (addFormatsModule as unknown as { default: (ajv: Ajv) => Ajv }).default
  addFormats(ajv)
  const schema = JSON.parse(readFileSync(path.join(import.meta.dirname, schemaFile), 'utf8')) as object
  return ajv.compile(schema)
}

describe('skaffold.yaml', () => {
  const validate = validator()

  it(`is valid against skaffold's ${schemaVersion} JSON schema, and declares that apiVersion`, () => {
    const valid = validate(config)
    expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 2)).toEqual([])
    expect(valid).toBe(true)
    expect(config.apiVersion).toBe(`skaffold/${schemaVersion}`)
    expect(config.kind).toBe('Config')
  })

  it('the schema rejects a misspelt field and a wrong type (negative control)', () => {
    const typo = structuredClone(config) as unknown as { deploy: Record<string, unknown> }
    typo.deploy['kubctl'] = {}
    expect(validate(typo)).toBe(false)
    const wrongType = structuredClone(config)
    ;(wrongType.portForward[0] as unknown as { localPort: string }).localPort = 'eighty'
    expect(validate(wrongType)).toBe(false)
  })

  it('builds, from the Dockerfile, the image the service StatefulSet runs', () => {
    expect(config.build.artifacts).toHaveLength(1)
    const [artifact] = config.build.artifacts
    expect(
      existsSync(path.join(repoRoot, artifact?.context ?? '.', artifact?.docker?.dockerfile ?? 'Dockerfile')),
    ).toBe(true)
    const service = workload(rendered('dev'), 'StatefulSet', 'reservation', 'reservation-service')
    expect(imageName(service.containers[0]?.image ?? '')).toBe(artifact?.image)
    // No other workload runs an image skaffold would replace by mistake.
    const users = workloads(rendered('dev')).filter((w) =>
      w.containers.some((c) => imageName(c.image ?? '') === artifact?.image),
    )
    expect(users.map((w) => w.id)).toEqual(['StatefulSet/reservation/reservation-service'])
  })

  it('deploys the dev overlay with kubectl; every kustomize path (profiles too) renders', () => {
    expect(config.manifests.kustomize.paths).toEqual(['k8s/overlays/dev'])
    expect(config.deploy.kubectl).toBeDefined()
    const paths = [
      ...config.manifests.kustomize.paths,
      ...(config.profiles ?? []).flatMap((p) => p.manifests?.kustomize?.paths ?? []),
    ]
    for (const dir of paths)
      expect(renderKustomization(path.join(repoRoot, dir)).length, dir).toBeGreaterThan(0)
  })

  it('forwards the service HTTP port 8080 and Grafana, each to a Service port that exists', () => {
    for (const forward of config.portForward) {
      expect(forward.resourceType).toBe('service')
      const service = find<IService>(rendered('dev'), 'Service', forward.namespace, forward.resourceName)
      expect(
        service.spec?.ports?.map((p) => p.port),
        forward.resourceName,
      ).toContain(forward.port)
    }
    const forwarded = config.portForward.map((f) => `${f.namespace}/${f.resourceName}:${f.port}`)
    expect(forwarded).toEqual(
      expect.arrayContaining(['reservation/reservation-service:8080', 'monitoring/grafana:3000']),
    )
  })

  it('waits for the deployment at least as long as Kafka may take to start', () => {
    const probe = workload(rendered('dev'), 'StatefulSet', 'kafka', 'kafka').containers[0]?.startupProbe
    const kafkaStartup = (probe?.failureThreshold ?? 3) * (probe?.periodSeconds ?? 10)
    expect(config.deploy.statusCheckDeadlineSeconds).toBeGreaterThanOrEqual(kafkaStartup)
  })
})
