// StreamsConfig validation: byte sizes are whole numbers of bytes, 0 or more, and the store cache budget's default.
import { describe, expect, it } from 'vitest'
import type { KafkaClient } from '../../kafka/index.js'
import { defaultStoreCacheMaxBytes } from '../../state/index.js'
import { StreamsError } from '../../topology/index.js'
import { resolveConfig, type StreamsConfig } from '../../topology/runtime/streams-config.js'

// resolveConfig only keeps the client: no broker is reached
const base: StreamsConfig = {
  applicationId: 'config-test',
  client: {} as KafkaClient,
  stateDir: '/tmp/unused',
}

describe('StreamsConfig cache sizes', () => {
  it('defaults to no record cache and a 16 MiB store cache budget', () => {
    const resolved = resolveConfig(base)
    expect(resolved.cacheMaxBytes).toBe(0)
    expect(resolved.storeCacheMaxBytes).toBe(defaultStoreCacheMaxBytes)
    expect(defaultStoreCacheMaxBytes).toBe(16 * 1024 * 1024)
  })

  it.each([
    ['cacheMaxBytes', -1],
    ['cacheMaxBytes', 1.5],
    ['storeCacheMaxBytes', -1],
    ['storeCacheMaxBytes', Number.NaN],
  ] as const)('rejects %s = %s with a CONFIG_INVALID naming it', (name, value) => {
    const resolve = () => resolveConfig({ ...base, [name]: value })
    expect(resolve).toThrow(StreamsError)
    expect(resolve).toThrow(`${name} must be an integer >= 0, got ${value}`)
  })

  it('takes 0 for either: no record caching, no store cache', () => {
    const resolved = resolveConfig({ ...base, cacheMaxBytes: 0, storeCacheMaxBytes: 0 })
    expect([resolved.cacheMaxBytes, resolved.storeCacheMaxBytes]).toEqual([0, 0])
  })
})
