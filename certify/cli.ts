// `npm run certify -- <oracle> <scenario> [--client confluent|kafkajs] [oracle options] [--quick]
//                     [--seed N] [--repeat N] [--keep-going]`
//   npm run certify -- eos crash --client kafkajs
//   npm run certify -- eos broker-loss --repeat 5
//   npm run certify -- list
// Prints progress, the oracle's verdict and one summary line per run; exits 0 only if every run passed.
// Ctrl-C stops the run and everything it started (a second Ctrl-C exits at once; the children follow).
import { parseArgs } from 'node:util'
import { clientKinds, type ClientKind } from '../kafka/index.js'
import { runOrExplain } from '../tools/local-kafka/run-or-explain.js'
import { oracles } from './oracles/index.js'
import { certify, type CertifyResult } from './runner.js'
import { certifyStandby } from './standby.js'
import { scenarioNames, scenarios, type ScenarioName } from './scenarios.js'

function usage(): string {
  const lines = ['usage: npm run certify -- <oracle> <scenario> [options]', '', 'oracles:']
  for (const oracle of Object.values(oracles)) {
    lines.push(`  ${oracle.name.padEnd(12)} ${oracle.description}`)
    for (const [name, option] of Object.entries(oracle.options))
      lines.push(
        `      --${name} ${option.values.join('|')} (default ${option.default}): ${option.description}`,
      )
  }
  lines.push(
    `  ${'standby'.padEnd(12)} Kafka's standby system test (streams_standby_replica_test.py): three instances started and stopped in turn; no scenario`,
    '      --messages N (default 100000), --rate N records/s (default 2000)',
  )
  lines.push('', 'scenarios:')
  for (const scenario of Object.values(scenarios))
    lines.push(
      `  ${scenario.name.padEnd(12)} ${scenario.description} (${scenario.brokers} broker${scenario.brokers > 1 ? 's' : ''})`,
    )
  lines.push(
    '',
    'options:',
    `  --client ${clientKinds.join('|')}   the Kafka client of the engine (default confluent)`,
    '  --quick                 fewer and shorter faults (what the test suite runs)',
    "  --seed N                the scenario's random choices (default: from the clock, printed)",
    '  --repeat N              run N times; stops at the first failure unless --keep-going',
  )
  return lines.join('\n')
}

await runOrExplain(async () => {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    strict: false,
    options: {
      client: { type: 'string', default: 'confluent' },
      quick: { type: 'boolean', default: false },
      seed: { type: 'string' },
      repeat: { type: 'string', default: '1' },
      messages: { type: 'string' },
      rate: { type: 'string' },
      'keep-going': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
      // every oracle's own options take a value (`--guarantee at_least_once`); checked below
      ...Object.fromEntries(
        Object.values(oracles).flatMap((o) =>
          Object.keys(o.options).map((name) => [name, { type: 'string' }]),
        ),
      ),
    },
  })
  const [oracleName, scenarioName] = positionals
  if (oracleName === 'standby') {
    // Kafka's standby system test: its own sequence of instances, no scenario (standby.ts)
    const client = String(values['client'])
    if (!(clientKinds as readonly string[]).includes(client)) {
      console.error(`unknown client '${client}'\n\n${usage()}`)
      process.exit(2)
    }
    const abort = new AbortController()
    process.on('SIGINT', () => abort.abort())
    process.on('SIGTERM', () => abort.abort())
    const results = []
    for (let i = 1; i <= Number(values['repeat']) && !abort.signal.aborted; i++) {
      const result = await certifyStandby({
        client: client as ClientKind,
        messages: Number(values['messages'] ?? (values['quick'] ? 20_000 : 100_000)),
        rate: Number(values['rate'] ?? 2000),
        signal: abort.signal,
      })
      console.log(`\n${result.summary}`)
      results.push(result)
      if (!result.passed) break
    }
    process.exit(results.length > 0 && results.every((r) => r.passed) ? 0 : 1)
  }
  if (values['help'] || oracleName === undefined || oracleName === 'list') {
    console.log(usage())
    process.exit(oracleName === undefined && !values['help'] ? 2 : 0)
  }
  const oracle = oracles[oracleName]
  const scenario = scenarioNames.includes(scenarioName as ScenarioName)
    ? scenarios[scenarioName as ScenarioName]
    : undefined
  const client = String(values['client'])
  if (!oracle || !scenario || !(clientKinds as readonly string[]).includes(client)) {
    console.error(
      `unknown ${!oracle ? `oracle '${oracleName}'` : !scenario ? `scenario '${scenarioName ?? ''}'` : `client '${client}'`}\n\n${usage()}`,
    )
    process.exit(2)
  }
  const oracleOptions: Record<string, string> = {}
  for (const [name, option] of Object.entries(oracle.options)) {
    const value = values[name]
    if (value === undefined) continue
    if (typeof value !== 'string' || !option.values.includes(value)) {
      console.error(`--${name} must be one of ${option.values.join(', ')}`)
      process.exit(2)
    }
    oracleOptions[name] = value
  }
  const repeat = Number(values['repeat'])

  const abort = new AbortController()
  let interrupts = 0
  const onSignal = () => {
    interrupts += 1
    if (interrupts > 1) {
      console.error('\nsecond interrupt: exiting now (the children exit when they see the runner gone)')
      process.exit(130)
    }
    console.error('\ninterrupted: stopping every process and the brokers (Ctrl-C again to exit at once)')
    abort.abort()
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)

  const results: CertifyResult[] = []
  for (let i = 1; i <= repeat && !abort.signal.aborted; i++) {
    if (repeat > 1) console.log(`\n── run ${i} of ${repeat} ──`)
    const seed = values['seed'] !== undefined ? Number(values['seed']) : Date.now() % 1_000_000
    const result = await certify({
      oracle,
      scenario,
      client: client as ClientKind,
      oracleOptions,
      quick: values['quick'] === true,
      seed,
      signal: abort.signal,
    })
    results.push(result)
    console.log(`\n${result.summary}`)
    if (!result.passed && !values['keep-going']) break
  }
  if (results.length > 1) {
    console.log(`\n${results.filter((r) => r.passed).length} of ${results.length} runs passed:`)
    for (const r of results) console.log(`  ${r.summary}`)
  }
  process.exit(results.length > 0 && results.every((r) => r.passed) && !abort.signal.aborted ? 0 : 1)
})
