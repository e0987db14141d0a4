// Starts the Reservation Service in process against the test broker, with its own application id, topics
// and state directory, so several service tests can run side by side.
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { createKafkaClient } from '../../kafka/index.js'
import { reservationCodecs } from '../../processors/service-codecs.js'
import type { ReservationCodecs } from '../../processors/reservation-topology.js'
import { configFromEnv, type ServiceConfig } from '../../service/config.js'
import { startReservationService, type RunningService } from '../../service/reservation-service.js'
import { silentLogger } from '../../logging/logger.js'
import { brokers, uniqueName } from './kafka.js'
import { namedServiceEnv } from './service-env.js'

export interface TestService {
  readonly service: RunningService
  readonly config: ServiceConfig & { brokers: string[] }
  readonly codecs: ReservationCodecs
  readonly url: string
  stop(): Promise<void>
}

/** Topic and application names unique to one test, from a base name. */
export function serviceEnv(base: string, extra: Record<string, string> = {}): Record<string, string> {
  return namedServiceEnv(uniqueName(base), extra)
}

export async function startTestService(env: Record<string, string>): Promise<TestService> {
  const stateDir = env['STATE_DIR'] ?? (await mkdtemp(path.join(os.tmpdir(), 'service-')))
  const config = { ...configFromEnv({ ...env, STATE_DIR: stateDir }), brokers: brokers() }
  const service = await startReservationService(config, silentLogger)
  const codecs = await reservationCodecs(config.format, config.topics)
  return {
    service,
    config,
    codecs,
    url: `http://127.0.0.1:${service.httpPort}`,
    async stop() {
      await service.stop()
      if (!env['STATE_DIR']) await rm(stateDir, { recursive: true, force: true })
    },
  }
}

export function testClient() {
  return createKafkaClient({ brokers: brokers(), clientId: 'service-test' })
}
