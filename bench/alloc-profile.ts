// BENCH_ALLOC_PROF_DIR=<dir>: the child samples every allocation its JavaScript makes, the garbage included,
// and writes the profile there when it exits (`alloc-<pid>.heapprofile`; read it with alloc-report.ts).
// Node's own `--heap-prof` keeps only the samples still alive at exit — what a process retains, not what it
// allocates — so it cannot say which code feeds the garbage collector; this asks V8's sampling heap profiler
// to keep the collected samples too.
import { writeFileSync } from 'node:fs'
import { Session } from 'node:inspector'
import path from 'node:path'

/** Mean bytes between samples: V8's default (32 KiB) gives a few thousand samples per 100 MB allocated. */
const samplingIntervalBytes = 32 * 1024

export function profileAllocations(): void {
  const dir = process.env['BENCH_ALLOC_PROF_DIR']
  if (!dir) return
  const session = new Session()
  session.connect()
  // an in-thread session answers synchronously: sampling has started when post returns, and the profile
  // is written before the process exits
  session.post('HeapProfiler.enable')
  session.post('HeapProfiler.startSampling', {
    samplingInterval: samplingIntervalBytes,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  })
  process.once('exit', () => {
    session.post('HeapProfiler.stopSampling', (error, result) => {
      if (error) process.stderr.write(`[warn] allocation profile not written: ${error.message}\n`)
      else writeFileSync(path.join(dir, `alloc-${process.pid}.heapprofile`), JSON.stringify(result.profile))
    })
  })
}
