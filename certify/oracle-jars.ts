// The class path of the oracles' Java side (Kafka's Streams system-test drivers and verifiers), assembled
// from Maven Central by certify/pom.xml into the shared cache once, as tools/local-kafka does for the broker.
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { ensureMavenJars, pinnedKafkaVersion } from '../tools/local-kafka/kafka-distribution.js'

const pom = path.join(path.dirname(fileURLToPath(import.meta.url)), 'pom.xml')

export interface OracleJars {
  readonly kafkaVersion: string
  readonly classPath: string
}

export async function ensureOracleJars(log: (line: string) => void): Promise<OracleJars> {
  const kafkaVersion = pinnedKafkaVersion(pom)
  const broker = pinnedKafkaVersion()
  if (kafkaVersion !== broker)
    throw new Error(`certify/pom.xml pins Kafka ${kafkaVersion} but the broker is ${broker}; keep them equal`)
  // keyed by the pom's content: adding a dependency fetches a new set
  const hash = createHash('sha256').update(readFileSync(pom)).digest('hex').slice(0, 8)
  const { classPath } = await ensureMavenJars(
    pom,
    `oracles-${kafkaVersion}-${hash}`,
    `Kafka ${kafkaVersion} Streams system-test classes`,
    log,
  )
  return { kafkaVersion, classPath }
}
