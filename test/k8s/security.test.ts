// Offline checks of the service's connectivity and security in k8s/: Kafka credentials come from a Secret
// mounted read-only as files, the commented secured settings in the ConfigMap parse and point into that
// mount, and a NetworkPolicy lets only the other instances, Prometheus and labelled clients reach HTTP.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy'
import { kafkaSecurityFromEnv } from '../../kafka/index.js'
import { configMapData, find, rendered, repoRoot, selects, workload } from './objects.js'

const mount = '/var/run/secrets/kafka'
const secretKeys = ['username', 'password', 'ca.crt']

describe('k8s: Kafka credentials and the HTTP port', () => {
  const base = rendered('base')
  const service = workload(base, 'StatefulSet', 'reservation', 'reservation-service')

  it('mounts the Secret reservation-kafka-credentials read-only as files, readable by the service group only', () => {
    const volume = service.pod.volumes?.find((v) => v.name === 'kafka-credentials')
    expect(volume?.secret).toMatchObject({
      secretName: 'reservation-kafka-credentials',
      optional: true,
      defaultMode: 0o440,
    })
    const mounted = service.containers[0]!.volumeMounts?.find((m) => m.name === 'kafka-credentials')
    expect(mounted).toMatchObject({ mountPath: mount, readOnly: true })
    // no credential in the environment
    for (const env of service.containers[0]!.env ?? []) expect(env.name).not.toMatch(/PASSWORD|SECRET/)
  })

  it("the ConfigMap's secured settings parse and read every secret from a file of that mount", () => {
    const text = readFileSync(path.join(repoRoot, 'k8s/base/reservation/config.yaml'), 'utf8')
    const env = Object.fromEntries(
      [...text.matchAll(/^ {2}# (KAFKA_[A-Z_]+): (\S+)$/gm)].map((m) => [m[1]!, m[2]!]),
    )
    expect(env['KAFKA_SECURITY_PROTOCOL']).toBe('SASL_SSL')
    const read: string[] = []
    const files: Record<string, string> = {
      username: 'reservation-service',
      password: 'pw',
      'ca.crt': '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n',
    }
    const security = kafkaSecurityFromEnv(env, (file) => {
      read.push(file)
      expect(path.dirname(file)).toBe(mount)
      return files[path.basename(file)]!
    })
    expect(security).toMatchObject({ protocol: 'SASL_SSL', sasl: { mechanism: 'SCRAM-SHA-512' } })
    expect(read.map((f) => path.basename(f)).sort()).toEqual([...secretKeys].sort())
    expect(configMapData(base, 'reservation', 'reservation-service-config')['HTTP_HOST']).toBe('0.0.0.0')
  })

  it('lets only the instances, Prometheus and labelled API clients reach the HTTP port (dev: anyone, for minikube tunnel)', () => {
    const policy = find<INetworkPolicy>(base, 'NetworkPolicy', 'reservation', 'reservation-service-http')
    expect(selects(policy.spec?.podSelector.matchLabels, service.template.metadata?.labels)).toBe(true)
    expect(policy.spec?.policyTypes).toEqual(['Ingress'])
    const [rule, ...more] = policy.spec?.ingress ?? []
    expect(more).toEqual([])
    expect(rule?.ports).toEqual([{ protocol: 'TCP', port: 'http' }])
    const prometheus = workload(base, 'Deployment', 'monitoring', 'prometheus')
    const from = rule?.from ?? []
    expect(from.some((p) => selects(p.podSelector?.matchLabels, service.template.metadata?.labels))).toBe(
      true,
    )
    expect(
      from.some(
        (p) =>
          p.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] === 'monitoring' &&
          selects(p.podSelector?.matchLabels, prometheus.template.metadata?.labels),
      ),
    ).toBe(true)
    const dev = find<INetworkPolicy>(
      rendered('dev'),
      'NetworkPolicy',
      'reservation',
      'reservation-service-http',
    )
    expect(dev.spec?.ingress?.at(-1)).toEqual({ ports: [{ protocol: 'TCP', port: 'http' }] })
  })
})
