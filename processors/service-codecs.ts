// The codecs of every topic the service reads or writes, in the configured format (spec §8).
import { createTopicCodec, type CodecFormat } from '../schemas/index.js'
import type { ReservationCodecs, ReservationTopics } from './reservation-topology.js'

export async function reservationCodecs(
  format: CodecFormat,
  topics: ReservationTopics,
  registryUrl?: string,
): Promise<ReservationCodecs> {
  const options = (topic: string) => ({ format, topic, ...(registryUrl ? { registryUrl } : {}) })
  return {
    command: await createTopicCodec('reservation-command', options(topics.commands)),
    payment: await createTopicCodec('payment-event', options(topics.payments)),
    resource: await createTopicCodec('resource-definition', options(topics.resources)),
    promotion: await createTopicCodec('promotion-definition', options(topics.promotions)),
    event: await createTopicCodec('reservation-event', options(topics.events)),
    notification: await createTopicCodec('reservation-notification', options(topics.notifications)),
  }
}
