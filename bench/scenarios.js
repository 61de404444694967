'use strict'
// The workloads (issue 5), as data: what wrk sends and how hard. run.js turns
// each into wrk runs; C1 (the client) is driven by client-bench.js instead.
// `quick` holds the reduced form used by --quick (a CI smoke test).

const { PATHS } = require('./servers/routes')

const SCENARIOS = [
  {
    id: 'S1',
    title: 'GET hello, keep-alive, 50 conn',
    kind: 'wrk',
    path: PATHS.hello,
    connections: 50,
    quick: { connections: 10 }
  },
  {
    id: 'S2',
    title: 'GET hello, pipelined x16, 50 conn',
    kind: 'wrk',
    path: PATHS.hello,
    connections: 50,
    script: 'pipeline.lua',
    // wrk records one latency sample per 16-request batch, then "corrects" for
    // coordinated omission as if each response were a sample, which injects
    // synthetic values and breaks its percentiles (wg/wrk#236: 0.00us at p90).
    // No latency is reported for S2 rather than a wrong one.
    latency: false
  },
  {
    id: 'S3',
    title: 'POST 4 KiB body, reply its length, 50 conn',
    kind: 'wrk',
    path: PATHS.length,
    connections: 50,
    script: 'post-4k.lua',
    quick: { connections: 10 }
  },
  {
    id: 'S4',
    title: 'GET hello, Connection: close, 50 conn',
    kind: 'wrk',
    path: PATHS.hello,
    connections: 50,
    headers: ['Connection: close']
  },
  {
    id: 'S5',
    title: '1 MiB response in 64 KiB writes, 10 conn',
    kind: 'wrk',
    path: PATHS.big,
    connections: 10,
    // Throughput is reported as MB/s: what matters here is bytes moved.
    unit: 'MB/s'
  },
  {
    id: 'C1',
    title: 'client: 50,000 keep-alive GETs, 50 in flight',
    kind: 'client',
    requests: 50000,
    inFlight: 50,
    quick: { requests: 5000 }
  }
]

/** Scenarios --quick runs unless --scenarios says otherwise. */
const QUICK_IDS = ['S1', 'S3', 'C1']

/** The scenario with its quick overrides applied when quick is set. */
function resolve (scenario, quick) {
  return quick && scenario.quick ? { ...scenario, ...scenario.quick } : scenario
}

module.exports = { SCENARIOS, QUICK_IDS, resolve }
