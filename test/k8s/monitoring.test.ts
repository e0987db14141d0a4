// Prometheus and Grafana in k8s/: the scrape job finds the service's pods by the annotations they carry,
// with the RBAC to do so; Grafana's datasource points at the Prometheus Service; and the dashboard is valid
// JSON whose every panel queries only metrics the service exports (or prom-client's defaults), with the
// labels those metrics have. Where promtool is installed (CI installs Debian's prometheus package), every
// query and the scrape configuration also go through Prometheus' own parser.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { collectDefaultMetrics, Registry } from 'prom-client'
import { beforeAll, describe, expect, it } from 'vitest'
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml'
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment'
import type { IRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role'
import type { IRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding'
import type { IService } from 'kubernetes-models/v1/Service'
import { configMapData, find, ofKind, rendered, repoRoot, resolvePort, workload } from './objects.js'

/** What the service exports (its Prometheus names and labels); histograms add _bucket/_sum/_count. */
const serviceMetrics: Record<string, { type: 'counter' | 'gauge' | 'histogram'; labels: string[] }> = {
  streams_records_consumed_total: { type: 'counter', labels: ['topic', 'partition'] },
  streams_records_produced_total: { type: 'counter', labels: ['topic', 'partition'] },
  streams_process_latency_seconds: { type: 'histogram', labels: ['subtopology'] },
  streams_end_to_end_latency_seconds: { type: 'histogram', labels: ['topic'] },
  streams_commits_total: { type: 'counter', labels: [] },
  streams_commit_latency_seconds: { type: 'histogram', labels: [] },
  streams_consumer_lag_records: { type: 'gauge', labels: ['topic', 'partition'] },
  streams_restore_records_total: { type: 'counter', labels: ['store'] },
  streams_restore_remaining_records: { type: 'gauge', labels: ['store'] },
  streams_rebalances_total: { type: 'counter', labels: [] },
  streams_store_operations_total: { type: 'counter', labels: ['store', 'operation'] },
  streams_store_size_bytes: { type: 'gauge', labels: ['store'] },
  streams_store_keys: { type: 'gauge', labels: ['store'] },
  streams_cache_size_bytes: { type: 'gauge', labels: ['cache'] },
  streams_dlq_records_total: { type: 'counter', labels: ['stage'] },
  streams_tasks_active: { type: 'gauge', labels: [] },
  reservation_events_total: { type: 'counter', labels: ['type'] },
  reservation_rejections_total: { type: 'counter', labels: ['reason'] },
  reservation_retention_removed_total: { type: 'counter', labels: ['kind'] },
  reservation_live_holds: { type: 'gauge', labels: [] },
  reservation_waitlist_length: { type: 'gauge', labels: [] },
}

interface Series {
  labels: Set<string>
  histogram: boolean
}

/** Every series name a scrape of the service can return, with its labels (without target labels). */
async function exportedSeries(): Promise<Map<string, Series>> {
  const series = new Map<string, Series>()
  const add = (name: string, labels: string[], histogram: boolean) => {
    if (histogram) {
      series.set(`${name}_bucket`, { labels: new Set([...labels, 'le']), histogram: true })
      series.set(`${name}_sum`, { labels: new Set(labels), histogram: false })
      series.set(`${name}_count`, { labels: new Set(labels), histogram: false })
    } else {
      series.set(name, { labels: new Set(labels), histogram: false })
    }
  }
  for (const [name, { type, labels }] of Object.entries(serviceMetrics))
    add(name, labels, type === 'histogram')
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  for (const metric of await registry.getMetricsAsJSON()) {
    const labels = new Set<string>()
    for (const value of metric.values) for (const label of Object.keys(value.labels)) labels.add(label)
    labels.delete('le')
    add(metric.name, [...labels], String(metric.type) === 'histogram')
  }
  return series
}

const keywords = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'and',
  'or',
  'unless',
  'offset',
  'inf',
  'nan',
])

/** The metric names and label names a PromQL expression mentions (enough PromQL for these dashboards). */
export function promqlNames(expr: string): { metrics: string[]; labels: string[] } {
  const labels: string[] = []
  let rest = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""')
  rest = rest.replace(/\{([^}]*)\}/g, (_, matchers: string) => {
    for (const [, label] of matchers.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)/g))
      labels.push(label ?? '')
    return ' '
  })
  rest = rest.replace(
    /\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g,
    (_, list: string) => {
      labels.push(
        ...list
          .split(',')
          .map((label) => label.trim())
          .filter(Boolean),
      )
      return ' '
    },
  )
  rest = rest.replace(/\[[^\]]*\]/g, ' ')
  const metrics = [...rest.matchAll(/(?<![\w.])([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?/g)]
    .filter((match) => match[2] === undefined) // a name followed by "(" is a function
    .map((match) => match[1] ?? '')
    .filter((name) => !keywords.has(name.toLowerCase()))
  return { metrics, labels }
}

interface Panel {
  id: number
  type: string
  title: string
  gridPos: { x: number; y: number; w: number; h: number }
  datasource?: { type: string; uid: string }
  targets?: { expr?: string; refId: string; datasource?: { type: string; uid: string } }[]
}

interface Dashboard {
  uid: string
  title: string
  panels: Panel[]
  templating: { list: { name: string; definition?: string; datasource?: { uid: string } }[] }
}

const objects = () => rendered('base')

describe('Prometheus', () => {
  const config = () =>
    parseYaml(configMapData(objects(), 'monitoring', 'prometheus-config')['prometheus.yml'] ?? '') as {
      scrape_configs: {
        job_name: string
        kubernetes_sd_configs?: { role: string; namespaces?: { names: string[] } }[]
        relabel_configs?: {
          source_labels?: string[]
          action?: string
          regex?: string
          target_label?: string
        }[]
      }[]
    }
  const job = () => {
    const found = config().scrape_configs.find((c) => c.job_name === 'reservation-service')
    if (!found) throw new Error('no reservation-service scrape job')
    return found
  }

  it('discovers pods in the namespace of the service, keeping those annotated prometheus.io/scrape: "true"', () => {
    expect(job().kubernetes_sd_configs).toEqual([{ role: 'pod', namespaces: { names: ['reservation'] } }])
    const relabel = job().relabel_configs ?? []
    const keep = relabel.find((r) => r.action === 'keep')
    expect(keep?.source_labels).toEqual(['__meta_kubernetes_pod_annotation_prometheus_io_scrape'])
    expect(keep?.regex).toBe('true')
    // The annotations Prometheus reads (dots and slashes become underscores) are the ones the pods carry.
    const annotations = workload(objects(), 'StatefulSet', 'reservation', 'reservation-service').template
      .metadata?.annotations
    const metaName = (annotation: string) =>
      `__meta_kubernetes_pod_annotation_${annotation.replace(/[^a-zA-Z0-9_]/g, '_')}`
    const read = new Set(relabel.flatMap((r) => r.source_labels ?? []))
    for (const annotation of ['prometheus.io/scrape', 'prometheus.io/port', 'prometheus.io/path']) {
      expect(annotations?.[annotation], annotation).toBeDefined()
      expect(read, annotation).toContain(metaName(annotation))
    }
    expect(relabel.find((r) => r.target_label === '__address__')?.source_labels).toContain(
      metaName('prometheus.io/port'),
    )
  })

  it('may list and watch pods there: a Role in that namespace bound to the ServiceAccount Prometheus runs as', () => {
    const deployment = find<IDeployment>(objects(), 'Deployment', 'monitoring', 'prometheus')
    const account = deployment.spec?.template.spec?.serviceAccountName
    find(objects(), 'ServiceAccount', 'monitoring', account ?? '')
    const binding = ofKind<IRoleBinding>(objects(), 'RoleBinding').find((b) =>
      b.subjects?.some(
        (s) => s.kind === 'ServiceAccount' && s.name === account && s.namespace === 'monitoring',
      ),
    )
    expect(binding?.metadata?.namespace).toBe('reservation')
    const role = find<IRole>(objects(), 'Role', 'reservation', binding?.roleRef.name ?? '')
    const podRule = role.rules?.find((r) => r.resources?.includes('pods') && r.apiGroups?.includes(''))
    expect(podRule?.verbs).toEqual(expect.arrayContaining(['list', 'watch']))
  })

  it('reads its configuration from the mounted ConfigMap', () => {
    const prometheus = workload(objects(), 'Deployment', 'monitoring', 'prometheus')
    const container = prometheus.containers[0]
    const configArg = container?.args?.find((a) => a.startsWith('--config.file='))?.split('=')[1] ?? ''
    const mount = container?.volumeMounts?.find((m) => configArg.startsWith(`${m.mountPath}/`))
    const volume = prometheus.pod.volumes?.find((v) => v.name === mount?.name)
    expect(volume?.configMap?.name).toBe('prometheus-config')
    expect(Object.keys(configMapData(objects(), 'monitoring', 'prometheus-config'))).toContain(
      path.basename(configArg),
    )
  })

  it('passes promtool check config (kubernetes_sd swapped for static_configs)', () => {
    // Debian's promtool is built without Kubernetes discovery; the rest of the file (relabel regexes
    // included) is checked as is, and the kubernetes_sd block by the test above.
    const parsed = config() as unknown as { scrape_configs: Record<string, unknown>[] }
    for (const scrape of parsed.scrape_configs) {
      if (!scrape['kubernetes_sd_configs']) continue
      delete scrape['kubernetes_sd_configs']
      scrape['static_configs'] = [{ targets: ['placeholder:8080'] }]
    }
    const dir = mkdtempSync(path.join(tmpdir(), 'promtool-'))
    try {
      const file = path.join(dir, 'prometheus.yml')
      writeFileSync(file, stringifyYaml(parsed))
      execFileSync('promtool', ['check', 'config', file], { encoding: 'utf8', stdio: 'pipe' })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('Grafana', () => {
  let series: Map<string, Series>
  beforeAll(async () => {
    series = await exportedSeries()
  })

  const dashboardText = () =>
    configMapData(objects(), 'monitoring', 'grafana-dashboards')['reservation-service.json'] ?? ''
  const dashboard = () => JSON.parse(dashboardText()) as Dashboard
  const provisioning = (key: string) =>
    parseYaml(configMapData(objects(), 'monitoring', 'grafana-provisioning')[key] ?? '') as Record<
      string,
      unknown
    >
  const datasource = () =>
    (provisioning('datasources.yaml')['datasources'] as { uid: string; type: string; url: string }[])[0]
  const queryPanels = () => dashboard().panels.filter((p) => p.type !== 'row')
  const expressions = () =>
    queryPanels().flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, ...t })))

  it('ships k8s/base/grafana/dashboard.json unchanged in the ConfigMap, formatted', () => {
    const file = readFileSync(path.join(repoRoot, 'k8s/base/grafana/dashboard.json'), 'utf8')
    expect(dashboardText()).toBe(file)
    expect(file).toBe(`${JSON.stringify(JSON.parse(file), null, 2)}\n`)
    expect(dashboard().uid).toBe('reservation-service')
  })

  it('provisions a Prometheus datasource that points at the Prometheus Service', () => {
    const url = new URL(datasource()?.url ?? '')
    const [name, namespace] = url.hostname.split('.')
    const service = find<IService>(objects(), 'Service', namespace ?? '', name ?? '')
    expect(service.spec?.ports?.map((p) => p.port)).toContain(Number(url.port))
    expect(datasource()?.type).toBe('prometheus')
  })

  it('loads dashboards from the directory where the dashboards ConfigMap is mounted', () => {
    const providers = provisioning('dashboards.yaml')['providers'] as { options: { path: string } }[]
    const grafana = workload(objects(), 'Deployment', 'monitoring', 'grafana')
    const volume = grafana.pod.volumes?.find((v) => v.configMap?.name === 'grafana-dashboards')
    const mount = grafana.containers[0]?.volumeMounts?.find((m) => m.name === volume?.name)
    expect(providers.map((p) => p.options.path)).toContain(mount?.mountPath)
    const home = grafana.containers[0]?.env?.find(
      (e) => e.name === 'GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH',
    )
    expect(home?.value).toBe(`${mount?.mountPath}/reservation-service.json`)
    expect(resolvePort(grafana.containers[0] ?? { name: '' }, 'http')).toBe(3000)
  })

  it('every panel has at least one query, on the provisioned datasource', () => {
    expect(queryPanels().length).toBeGreaterThan(10)
    for (const panel of queryPanels()) {
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0)
      expect(panel.datasource?.uid, panel.title).toBe(datasource()?.uid)
      for (const target of panel.targets ?? []) expect(target.expr?.trim(), panel.title).toBeTruthy()
    }
    for (const variable of dashboard().templating.list)
      expect(variable.datasource?.uid).toBe(datasource()?.uid)
  })

  it('queries only metrics the service exports, with labels those metrics (or the scrape) have', () => {
    const scrapeLabels = new Set(['job', 'instance', 'namespace', 'pod', 'app'])
    for (const { panel, expr } of expressions()) {
      const { metrics, labels } = promqlNames(expr ?? '')
      expect(metrics.length, `${panel}: ${expr}`).toBeGreaterThan(0)
      const allowed = new Set(scrapeLabels)
      for (const metric of metrics) {
        const found = series.get(metric)
        expect(found, `${panel}: ${metric} is not exported by the service`).toBeDefined()
        for (const label of found?.labels ?? []) allowed.add(label)
      }
      for (const label of labels) expect(allowed, `${panel}: label ${label} in ${expr}`).toContain(label)
    }
  })

  it('takes quantiles of histogram buckets only, grouped by le', () => {
    for (const { panel, expr } of expressions()) {
      if (!expr?.includes('histogram_quantile')) continue
      const { metrics, labels } = promqlNames(expr)
      expect(
        metrics.every((m) => series.get(m)?.histogram),
        `${panel}: ${expr}`,
      ).toBe(true)
      expect(labels, `${panel}: ${expr}`).toContain('le')
    }
  })

  it('covers throughput, lag, latency, commits, business outcomes, holds, waitlist, restore, DLQ and rebalances', () => {
    const used = new Set(expressions().flatMap(({ expr }) => promqlNames(expr ?? '').metrics))
    for (const metric of [
      'streams_records_consumed_total',
      'streams_records_produced_total',
      'streams_consumer_lag_records',
      'streams_process_latency_seconds_bucket',
      'streams_end_to_end_latency_seconds_bucket',
      'streams_commits_total',
      'streams_commit_latency_seconds_bucket',
      'reservation_events_total',
      'reservation_rejections_total',
      'reservation_live_holds',
      'reservation_waitlist_length',
      'streams_restore_remaining_records',
      'streams_dlq_records_total',
      'streams_rebalances_total',
    ]) {
      expect(used, metric).toContain(metric)
    }
  })

  it('lays panels out without overlaps, inside the 24-column grid', () => {
    const cells = new Map<string, string>()
    for (const panel of dashboard().panels) {
      const { x, y, w, h } = panel.gridPos
      expect(x + w, panel.title).toBeLessThanOrEqual(24)
      for (let i = x; i < x + w; i++) {
        for (let j = y; j < y + h; j++) {
          expect(cells.get(`${i},${j}`), `${panel.title} overlaps`).toBeUndefined()
          cells.set(`${i},${j}`, panel.title)
        }
      }
    }
    const ids = dashboard().panels.map((p) => p.id)
    expect(new Set(ids).size).toBe(ids.length)
  })

  it("every query parses with Prometheus' own parser (promtool check rules)", () => {
    const grafanaVariables = (expr: string) => expr.replace(/\$__\w+/g, '5m').replace(/\$\w+/g, '.*')
    const rules = expressions().map(({ expr }, i) => ({
      record: `dashboard_query_${i}`,
      expr: grafanaVariables(expr ?? ''),
    }))
    for (const variable of dashboard().templating.list) {
      const selector = /^label_values\((.*),\s*\w+\)$/.exec(variable.definition ?? '')?.[1]
      if (selector) rules.push({ record: `dashboard_variable_${variable.name}`, expr: selector })
    }
    const dir = mkdtempSync(path.join(tmpdir(), 'promtool-'))
    try {
      const file = path.join(dir, 'rules.yml')
      writeFileSync(file, stringifyYaml({ groups: [{ name: 'dashboard', rules }] }))
      const out = execFileSync('promtool', ['check', 'rules', file], { encoding: 'utf8', stdio: 'pipe' })
      expect(out).toContain(`SUCCESS: ${rules.length} rules found`)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('the PromQL name extractor sees through functions, matchers, grouping and ranges', () => {
    expect(
      promqlNames(
        'histogram_quantile(0.99, sum by (le, topic) (rate(streams_end_to_end_latency_seconds_bucket{job="x", pod=~"$pod"}[$__rate_interval])))',
      ),
    ).toEqual({
      metrics: ['streams_end_to_end_latency_seconds_bucket'],
      labels: ['job', 'pod', 'le', 'topic'],
    })
    expect(promqlNames('sum(a_total) / on (pod) group_left b').metrics).toEqual(['a_total', 'b'])
  })
})
