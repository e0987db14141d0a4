// Runs scenarios against a running service: publishes each step's record and waits until the scenario's
// resource has the events the step expects (read_committed, from the `reservation` topic).
import type { KafkaClient, KafkaConsumer, KafkaProducer } from '../../kafka/index.js'
import type { ReservationCodecs } from '../../processors/reservation-topology.js'
import type { ReservationEvent } from '../../schemas/index.js'
import type { ServiceTopics } from '../topics.js'
import type { Scenario, Step } from './scenarios.js'

export interface RunnerOptions {
  readonly client: KafkaClient
  readonly topics: ServiceTopics
  readonly codecs: ReservationCodecs
  /** The service's HTTP address: resource steps wait until it knows the resource. */
  readonly serviceUrl: string
  readonly stepTimeoutMs?: number
}

export class ScenarioStepTimeout extends Error {
  override readonly name = 'ScenarioStepTimeout'
}

export class ScenarioRunner {
  private producer: KafkaProducer | undefined
  private consumer: KafkaConsumer | undefined
  private readonly events = new Map<string, ReservationEvent[]>()
  private readonly waiters = new Set<() => void>()

  constructor(private readonly options: RunnerOptions) {}

  async start(): Promise<void> {
    const { client, topics, codecs } = this.options
    this.producer = client.producer()
    await this.producer.connect()
    this.consumer = client.consumer({
      groupId: `scenario-runner-${process.pid}-${Date.now()}`,
      isolation: 'read_committed',
      autoOffsetReset: 'earliest',
    })
    await this.consumer.connect()
    await this.consumer.subscribe([topics.events])
    await this.consumer.run({
      eachBatch: async (batch) => {
        for (const record of batch.records) {
          if (!record.value) continue
          try {
            const event = codecs.event.decode(record.value)
            const list = this.events.get(event.resourceId) ?? []
            list.push(event)
            this.events.set(event.resourceId, list)
          } catch {
            // not an event this build can read: not ours
          }
        }
        for (const wake of this.waiters) wake()
      },
    })
  }

  eventsOf(resourceId: string): readonly ReservationEvent[] {
    return this.events.get(resourceId) ?? []
  }

  /** Publishes every step and waits for its events; `onEvent` sees each new event of the scenario. */
  async run(
    scenario: Scenario,
    onStep?: (step: Step) => void,
    onEvent?: (event: ReservationEvent) => void,
  ): Promise<ReservationEvent[]> {
    let expected = 0
    for (const step of scenario.steps) {
      onStep?.(step)
      await this.publish(step)
      if (step.kind === 'resource') await this.waitForResource(step.definition.resourceId)
      const before = expected
      expected += step.expect.length
      await this.waitFor(scenario.resourceId, expected, step)
      for (const event of this.eventsOf(scenario.resourceId).slice(before, expected)) onEvent?.(event)
    }
    return [...this.eventsOf(scenario.resourceId)]
  }

  private async publish(step: Step): Promise<void> {
    const { topics, codecs } = this.options
    const timestamp = Date.now()
    switch (step.kind) {
      case 'resource':
        await this.producer!.send([
          {
            topic: topics.resources,
            key: Buffer.from(step.definition.resourceId),
            value: codecs.resource.encode(step.definition),
            timestamp,
          },
        ])
        return
      case 'command':
        await this.producer!.send([
          {
            topic: topics.commands,
            key: Buffer.from(step.command.resourceId),
            value: codecs.command.encode(step.command),
            timestamp,
          },
        ])
        return
      case 'payment':
        await this.producer!.send([
          {
            topic: topics.payments,
            key: Buffer.from(step.payment.reservationId),
            value: codecs.payment.encode(step.payment),
            timestamp,
          },
        ])
        return
    }
  }

  private async waitForResource(resourceId: string): Promise<void> {
    // tomorrow: availability of slots before the retention horizon is not answered
    const day = new Date(Math.floor(Date.now() / 86_400_000 + 1) * 86_400_000)
    const url = `${this.options.serviceUrl}/resources/${encodeURIComponent(resourceId)}/availability?start=${day.toISOString()}&end=${new Date(day.getTime() + 86_400_000).toISOString()}`
    const deadline = Date.now() + (this.options.stepTimeoutMs ?? 30_000)
    for (;;) {
      const status = await fetch(url).then(
        (r) => r.status,
        () => 0,
      )
      if (status === 200) return
      if (Date.now() > deadline) {
        throw new ScenarioStepTimeout(
          `the service at ${this.options.serviceUrl} did not learn resource ${resourceId} (last HTTP status ${status}); is it running (npm start) with the same topics and format?`,
        )
      }
      await new Promise((r) => setTimeout(r, 100))
    }
  }

  private async waitFor(resourceId: string, count: number, step: Step): Promise<void> {
    const timeoutMs = this.options.stepTimeoutMs ?? 30_000
    if (this.eventsOf(resourceId).length >= count) return
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(check)
        const got = this.eventsOf(resourceId).map((e) => e.type)
        reject(
          new ScenarioStepTimeout(
            `after ${step.kind} step, ${resourceId} has ${got.length} events (${got.join(', ')}), expected ${count} within ${timeoutMs} ms; is the service running (npm start)?`,
          ),
        )
      }, timeoutMs)
      const check = () => {
        if (this.eventsOf(resourceId).length >= count) {
          clearTimeout(timer)
          this.waiters.delete(check)
          resolve()
        }
      }
      this.waiters.add(check)
    })
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect().catch(() => undefined)
    await this.producer?.disconnect().catch(() => undefined)
  }
}
