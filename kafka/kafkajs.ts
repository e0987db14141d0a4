// kafkajs, with its read_committed filter replaced (kafkajs-aborted-filter.ts). The only module that
// imports kafkajs' values: the filter must be in place before kafkajs loads, which the import order below
// ensures (an ES module's imports are evaluated in order), and which is checked once here.
import { assertAbortedFilterInstalled } from './kafkajs-aborted-filter.js'
import kafkajs from 'kafkajs'

assertAbortedFilterInstalled()

export default kafkajs
