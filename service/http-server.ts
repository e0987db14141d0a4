// The service's HTTP port (spec §9): Prometheus metrics, health, and read-only queries over local state.
// A query for a key another instance owns is answered with 307 and that instance's address (Location
// header and JSON body), so `curl -L` follows it.
import http from 'node:http'
import type { Registry } from 'prom-client'
import type { KafkaStreams } from '../topology/index.js'
import type { QueryAnswer, ReservationQueries } from './reservation-queries.js'

export interface HttpServerOptions {
  readonly port: number
  readonly host?: string
  readonly registry: Registry
  readonly streams: KafkaStreams
  readonly queries: ReservationQueries
}

export async function startHttpServer(options: HttpServerOptions): Promise<http.Server> {
  const { registry, streams, queries } = options
  const server = http.createServer((request, response) => {
    void handle(request.method ?? 'GET', new URL(request.url ?? '/', 'http://localhost'))
      .then(({ status, body, headers }) => {
        const text = typeof body === 'string' ? body : JSON.stringify(body, null, 2)
        response.writeHead(status, {
          'content-type': typeof body === 'string' ? registry.contentType : 'application/json',
          ...headers,
        })
        response.end(text)
      })
      .catch((error: unknown) => {
        response.writeHead(500, { 'content-type': 'application/json' })
        response.end(JSON.stringify({ error: error instanceof Error ? error.message : String(error) }))
      })
  })

  async function handle(
    method: string,
    url: URL,
  ): Promise<{ status: number; body: unknown; headers?: Record<string, string> }> {
    if (method !== 'GET') return { status: 405, body: { error: 'read-only: use GET' } }
    const path = url.pathname
    if (path === '/metrics') return { status: 200, body: await registry.metrics() }
    if (path === '/health/live') {
      const alive = streams.state !== 'ERROR' && streams.state !== 'NOT_RUNNING'
      return {
        status: alive ? 200 : 500,
        body: { status: alive ? 'live' : 'dead', state: streams.state, error: streams.error?.message },
      }
    }
    if (path === '/health/ready') {
      return {
        status: streams.ready ? 200 : 503,
        body: {
          status: streams.ready ? 'ready' : 'not ready',
          state: streams.state,
          tasks: streams.activeTasks.map((t) => t.id),
        },
      }
    }
    if (path === '/instances')
      return { status: 200, body: { self: streams.instanceId, instances: streams.queries.instances() } }
    let match = /^\/reservations\/([^/]+)$/.exec(path)
    if (match) return answer(await queries.reservation(decodeURIComponent(match[1]!)), url)
    match = /^\/resources\/([^/]+)\/reservations\/([^/]+)$/.exec(path)
    if (match)
      return answer(
        await queries.reservationOfResource(decodeURIComponent(match[1]!), decodeURIComponent(match[2]!)),
        url,
      )
    match = /^\/resources\/([^/]+)\/availability$/.exec(path)
    if (match) {
      const start = url.searchParams.get('start')
      const end = url.searchParams.get('end')
      if (!start || !end)
        return { status: 400, body: { error: 'give ?start=<ISO instant>&end=<ISO instant>' } }
      return answer(await queries.availability(decodeURIComponent(match[1]!), start, end), url)
    }
    return {
      status: 404,
      body: {
        error: `no route ${path}`,
        routes: [
          '/metrics',
          '/health/live',
          '/health/ready',
          '/instances',
          '/reservations/:id',
          '/resources/:id/reservations/:id',
          '/resources/:id/availability?start=&end=',
        ],
      },
    }
  }

  function answer(
    result: QueryAnswer,
    url: URL,
  ): { status: number; body: unknown; headers?: Record<string, string> } {
    switch (result.kind) {
      case 'found':
        return { status: 200, body: result.value }
      case 'not-found':
        return { status: 404, body: { error: result.message } }
      case 'invalid':
        return { status: 400, body: { error: result.message } }
      case 'unavailable':
        return { status: 503, body: { error: result.message } }
      case 'elsewhere': {
        const location = result.owner.url
          ? `${result.owner.url}${result.path ?? url.pathname}${result.path ? '' : url.search}`
          : ''
        return {
          status: 307,
          body: { owner: result.owner.instanceId, url: result.owner.url, location, task: result.taskId },
          ...(location ? { headers: { location } } : {}),
        }
      }
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.host ?? '0.0.0.0', () => resolve())
  })
  return server
}
