// A real Prometheus (the Debian package) scrapes a running service; PromQL for throughput and lag returns
// the expected series. The Grafana dashboard's queries name only metrics the service really exports.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort } from '../../tools/local-kafka/prerequisites.js'
import { defaultStoreCacheMaxBytes } from '../../state/index.js'
import { ScenarioRunner } from '../../service/demo/scenario-runner.js'
import { scenarios } from '../../service/demo/scenarios.js'
import { serviceEnv, startTestService, testClient, type TestService } from '../support/service.js'
import { until } from '../support/until.js'

let svc: TestService
let prometheus: ChildProcess | undefined
let prometheusUrl = ''
let dir = ''

beforeAll(async () => {
  svc = await startTestService(serviceEnv('prom'))
  // some traffic: two workflows
  const runner = new ScenarioRunner({
    client: testClient(),
    topics: svc.config.topics,
    codecs: svc.codecs,
    serviceUrl: svc.url,
  })
  await runner.start()
  for (const scenario of scenarios('prom', Date.now()).slice(0, 2)) await runner.run(scenario)
  await runner.stop()

  dir = await mkdtemp(path.join(os.tmpdir(), 'prometheus-'))
  const port = await freePort()
  prometheusUrl = `http://127.0.0.1:${port}`
  await writeFile(
    path.join(dir, 'prometheus.yml'),
    `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: reservation-service\n    static_configs:\n      - targets: ['127.0.0.1:${svc.service.httpPort}']\n`,
  )
  prometheus = spawn(
    'prometheus',
    [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    {
      stdio: 'ignore',
    },
  )
}, 120_000)

afterAll(async () => {
  prometheus?.kill('SIGKILL')
  await svc?.stop()
  if (dir) await rm(dir, { recursive: true, force: true })
})

async function query(expr: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const response = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(expr)}`)
  const body = (await response.json()) as {
    status: string
    data: { result: { metric: Record<string, string>; value: [number, string] }[] }
  }
  expect(body.status).toBe('success')
  return body.data.result
}

describe('metrics scraped by a real Prometheus', () => {
  it('answers PromQL for throughput per input topic and consumer lag per partition', async () => {
    const throughput = await until(
      'throughput series',
      async () => {
        const result = await query('sum by (topic) (rate(streams_records_consumed_total[15s]))')
        return result.some((r) => r.metric['topic'] === svc.config.topics.commands) ? result : undefined
      },
      { intervalMs: 500, retryErrors: true },
    )
    expect(throughput.map((r) => r.metric['topic'])).toContain(svc.config.topics.payments)
    const lag = await until(
      'lag series',
      async () => {
        const result = await query(`streams_consumer_lag_records{topic="${svc.config.topics.commands}"}`)
        return result.length === 3 ? result : undefined
      },
      { intervalMs: 500, retryErrors: true },
    )
    expect(lag.map((r) => r.metric['partition']).sort()).toEqual(['0', '1', '2'])
    expect(lag.every((r) => Number(r.value[1]) >= 0)).toBe(true)
    const outcomes = await query('sum by (type) (reservation_events_total)')
    expect(outcomes.find((r) => r.metric['type'] === 'ReservationCreated')?.value[1]).toBe('2')
    // state size per store: the two reservations and their retention keys are counted
    const keys = await until(
      'store key counts',
      async () => {
        const result = await query('sum by (store) (streams_store_keys)')
        const of = (store: string) => Number(result.find((r) => r.metric['store'] === store)?.value[1] ?? 0)
        return of('reservations') >= 2 ? of : undefined
      },
      { intervalMs: 500, retryErrors: true },
    )
    expect(keys('retention-index')).toBeGreaterThanOrEqual(keys('reservations'))
    expect(keys('commands')).toBeGreaterThan(0)
    // the caches' bytes: the stores' caches of the reservations just read and written, within the budget
    const storeCacheBytes = await until(
      'store cache size',
      async () => {
        const result = await query('streams_cache_size_bytes')
        const bytes = Number(result.find((r) => r.metric['cache'] === 'store')?.value[1] ?? 0)
        return result.some((r) => r.metric['cache'] === 'record') && bytes > 0 ? bytes : undefined
      },
      { intervalMs: 500, retryErrors: true },
    )
    expect(storeCacheBytes).toBeLessThanOrEqual(defaultStoreCacheMaxBytes)
    const removed = await query('sum by (kind) (reservation_retention_removed_total)')
    expect(removed.map((r) => r.metric['kind']).sort()).toEqual([
      'command-id',
      'reservation',
      'waitlist-entry',
    ])
    const up = await query('up{job="reservation-service"}')
    expect(up[0]?.value[1]).toBe('1')
  })

  it('exports every metric the Grafana dashboard queries', async () => {
    const text = await (await fetch(`${svc.url}/metrics`)).text()
    const exported = new Set<string>()
    for (const match of text.matchAll(/^# TYPE (\w+) (\w+)$/gm)) {
      const [, name, type] = match
      exported.add(name!)
      if (type === 'histogram')
        for (const suffix of ['_bucket', '_sum', '_count']) exported.add(`${name}${suffix}`)
    }
    const dashboard = JSON.parse(await readFile('k8s/base/grafana/dashboard.json', 'utf8')) as {
      panels: { title?: string; targets?: { expr?: string }[] }[]
    }
    const functions = new Set([
      'sum',
      'rate',
      'irate',
      'increase',
      'histogram_quantile',
      'by',
      'without',
      'max',
      'min',
      'avg',
      'count',
      'topk',
      'clamp_min',
      'on',
      'ignoring',
      'le',
      'deriv',
      'delta',
      'abs',
      'or',
      'and',
      'unless',
      'label_replace',
      'sort_desc',
      'vector',
      'time',
    ])
    const panels = dashboard.panels.filter((p) => p.targets && p.targets.length > 0)
    expect(panels.length).toBeGreaterThan(10)
    for (const panel of panels) {
      for (const target of panel.targets!) {
        const expr = (target.expr ?? '')
          .replace(/\{[^}]*\}/g, '')
          .replace(/\[[^\]]*\]/g, '')
          .replace(/"[^"]*"/g, '')
        const names = [...expr.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)]
          .map((m) => m[0])
          .filter((n) => !functions.has(n) && !/^(by|le|on)$/.test(n) && n.includes('_'))
        expect(names.length, `panel ${panel.title}`).toBeGreaterThan(0)
        for (const name of names) expect(exported, `panel "${panel.title}" queries ${name}`).toContain(name)
      }
    }
  })
})
