// Where a child's JavaScript allocates, from a profile of BENCH_ALLOC_PROF_DIR (alloc-profile.ts): bytes
// allocated per function (self), per function of ours (with what Node, V8 and libraries allocate in its calls)
// and per source file, largest first.
//   tsx bench/alloc-report.ts <file.heapprofile> [--top=30] [--per=<input records>]
import { readFileSync } from 'node:fs'

interface CallFrame {
  readonly functionName: string
  readonly url: string
  readonly lineNumber: number
}
interface ProfileNode {
  readonly id: number
  readonly callFrame: CallFrame
  readonly children: readonly ProfileNode[]
}
interface AllocationProfile {
  readonly head: ProfileNode
  readonly samples: readonly { readonly size: number; readonly nodeId: number }[]
}

const [file, ...flags] = process.argv.slice(2)
if (!file) {
  process.stderr.write('usage: tsx bench/alloc-report.ts <file.heapprofile> [--top=30] [--per=<records>]\n')
  process.exit(2)
}
const flag = (name: string): number | undefined => {
  const value = flags.find((f) => f.startsWith(`--${name}=`))?.split('=')[1]
  return value === undefined ? undefined : Number(value)
}
const top = flag('top') ?? 30
const per = flag('per')

const profile = JSON.parse(readFileSync(file, 'utf8')) as AllocationProfile
const frames = new Map<number, CallFrame>()
const parents = new Map<number, number>()
const visit = (node: ProfileNode): void => {
  frames.set(node.id, node.callFrame)
  for (const child of node.children) {
    parents.set(child.id, node.id)
    visit(child)
  }
}
visit(profile.head)
/** Our own code: not Node's, not a library's, not V8's (a frame without a script). */
const ours = (frame: CallFrame): boolean =>
  frame.url !== '' && !frame.url.startsWith('node:') && !frame.url.includes('/node_modules/')

const shortUrl = (url: string): string =>
  url
    .replace(/^file:\/\//, '')
    .replace(/^.*\/node_modules\//, 'nm/')
    .replace(/^.*?\/(bench|state|topology|kafka|processors|schemas|service|logging)\//, '$1/')
const byFunction = new Map<string, number>()
const byFile = new Map<string, number>()
const byOurCaller = new Map<string, number>()
const nameOf = (frame: CallFrame | undefined): string =>
  frame
    ? `${frame.functionName || '(anonymous)'} ${shortUrl(frame.url) || '(native)'}:${frame.lineNumber + 1}`
    : '(unknown)'
let total = 0
for (const { size, nodeId } of profile.samples) {
  const frame = frames.get(nodeId)
  const where = frame ? shortUrl(frame.url) || '(native)' : '(unknown)'
  byFunction.set(nameOf(frame), (byFunction.get(nameOf(frame)) ?? 0) + size)
  byFile.set(where, (byFile.get(where) ?? 0) + size)
  // the nearest function of ours on the stack: what a native, Node or library allocation was made for
  let id: number | undefined = nodeId
  while (id !== undefined && !(frames.get(id) && ours(frames.get(id)!))) id = parents.get(id)
  const caller = id === undefined ? '(none of ours)' : nameOf(frames.get(id))
  byOurCaller.set(caller, (byOurCaller.get(caller) ?? 0) + size)
  total += size
}

const mb = (bytes: number): string => (bytes / 1e6).toFixed(1).padStart(8)
const show = (title: string, rows: Map<string, number>): void => {
  process.stdout.write(`--- ${title}\n`)
  for (const [name, bytes] of [...rows].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    const share = ((100 * bytes) / total).toFixed(1).padStart(5)
    const perRecord = per ? `${(bytes / per).toFixed(0).padStart(7)} B/record` : ''
    process.stdout.write(`${mb(bytes)} MB ${share}% ${perRecord} ${name}\n`)
  }
}
process.stdout.write(
  `${mb(total)} MB sampled in ${profile.samples.length} samples${per ? ` (${(total / per).toFixed(0)} B per record)` : ''}\n`,
)
show('by function (self)', byFunction)
show('by function of ours (self, and what Node, V8 and libraries allocate for it)', byOurCaller)
show('by file', byFile)
