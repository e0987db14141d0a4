// The oracles the runner knows, by the name the command line uses. Adding one: a module like eos.ts
// (topics, generator, instance app, verifier, verdict; see ../oracle.ts) and a line here.
import type { Oracle } from '../oracle.js'
import { eosOracle } from './eos.js'
import { relationalOracle } from './relational.js'
import { smokeOracle } from './smoke.js'

export const oracles: Readonly<Record<string, Oracle>> = {
  [eosOracle.name]: eosOracle,
  [smokeOracle.name]: smokeOracle,
  [relationalOracle.name]: relationalOracle,
}
