// `npx tsx tools/local-kafka/fetch.ts`: downloads the pinned Kafka release into the cache (CI does this
// up front so that the test run's first broker start is not also a download).
import { ensureKafkaDistribution } from './kafka-distribution.js'
import { runOrExplain } from './run-or-explain.js'

await runOrExplain(async () => {
  const distribution = await ensureKafkaDistribution((line) => console.log(line))
  console.log(`Apache Kafka ${distribution.version} jars: ${distribution.libDir}`)
})
