'use strict'
// The workloads, as data. Three kinds:
//   server     wrk against servers/app.js (S1–S5): the http API's server side
//   framework  wrk against a framework app over the module (F1, F2)
//   client     client-bench.js against servers/fixed-server.js (C1–C3): the
//              client side, measured in the client process
// run.js turns each into runs; contenders.js says which contender takes part
// in which kind, and how. `short` labels it in the chart; `quick` holds the
// reduced form --quick uses (a CI smoke test); `target` is the ratio to core
// per CPU-second the issues ask for (issues 10 and 14), shown beside the
// figures in the README. --workers adds variants of S1 and S2 served by more
// than one process (WAYS, withWorkers): they are server scenarios with
// `workers` and `via` set, which workers.js knows how to start.

const { PATHS } = require('./servers/routes')
const FIXED = require('./servers/fixed-server')

const SCENARIOS = [
  {
    id: 'S1',
    short: 'GET',
    title: 'GET hello, keep-alive, 50 conn',
    kind: 'server',
    path: PATHS.hello,
    connections: 50,
    target: 2.2,
    quick: { connections: 10 }
  },
  {
    id: 'S2',
    short: 'pipelined',
    title: 'GET hello, pipelined x16, 50 conn',
    kind: 'server',
    path: PATHS.hello,
    connections: 50,
    script: 'pipeline.lua',
    // wrk records one latency sample per 16-request batch, then "corrects" for
    // coordinated omission as if each response were a sample, which injects
    // synthetic values and breaks its percentiles (wg/wrk#236: 0.00us at p90).
    // No latency is reported for S2 rather than a wrong one.
    latency: false,
    target: 12
  },
  {
    id: 'S3',
    short: 'POST 4 KiB',
    title: 'POST 4 KiB body, reply its length, 50 conn',
    kind: 'server',
    path: PATHS.length,
    connections: 50,
    script: 'post-4k.lua',
    target: 2.4,
    quick: { connections: 10 }
  },
  {
    id: 'S4',
    short: 'close',
    title: 'GET hello, Connection: close, 50 conn',
    kind: 'server',
    path: PATHS.hello,
    connections: 50,
    headers: ['Connection: close'],
    target: 2.8
  },
  {
    id: 'S5',
    short: '1 MiB',
    title: '1 MiB response in 64 KiB writes, 10 conn',
    kind: 'server',
    path: PATHS.big,
    connections: 10,
    // Throughput is reported as MB/s: what matters here is bytes moved.
    unit: 'MB/s',
    target: 1.0
  },
  {
    id: 'F1',
    short: 'Express',
    title: 'Express hello world (JSON), 50 conn',
    kind: 'framework',
    app: 'express.js',
    path: '/',
    connections: 50,
    quick: { connections: 10 }
  },
  {
    id: 'F2',
    short: 'Fastify',
    title: 'Fastify hello world (JSON), 50 conn',
    kind: 'framework',
    app: 'fastify.js',
    path: '/',
    connections: 50,
    quick: { connections: 10 }
  },
  {
    id: 'C1',
    short: 'GET',
    title: 'client: 50,000 keep-alive GETs, 50 in flight',
    kind: 'client',
    requests: 50000,
    inFlight: 50,
    sockets: 50,
    method: 'GET',
    path: FIXED.PATHS.small,
    bodyBytes: 0,
    responseBytes: FIXED.BODY_BYTES[FIXED.PATHS.small],
    target: 2.0,
    quick: { requests: 3000 }
  },
  {
    id: 'C2',
    short: 'POST 4/16 KiB',
    title: 'client: 50,000 POSTs of 4 KiB, 16 KiB answers, 50 in flight',
    kind: 'client',
    requests: 50000,
    inFlight: 50,
    sockets: 50,
    method: 'POST',
    path: FIXED.PATHS.big,
    bodyBytes: 4096,
    responseBytes: FIXED.BODY_BYTES[FIXED.PATHS.big],
    quick: { requests: 3000 }
  },
  {
    id: 'C3',
    short: '8 sockets',
    title: 'client: 50,000 GETs, 50 in flight over 8 sockets',
    kind: 'client',
    requests: 50000,
    inFlight: 50,
    // More requests than sockets: 42 wait in the agent's (the pool's) queue.
    sockets: 8,
    method: 'GET',
    path: FIXED.PATHS.small,
    bodyBytes: 0,
    responseBytes: FIXED.BODY_BYTES[FIXED.PATHS.small],
    quick: { requests: 3000 }
  }
]

/**
 * How --workers serves S1 and S2 with n processes (issue 13.4); workers.js
 * starts each. `letter` names the variant (S1-c2: S1, cluster, 2 workers).
 */
const WAYS = [
  { via: 'cluster', letter: 'c', title: 'node:cluster (default scheduling), primary counted' },
  { via: 'reusePort', letter: 'r', title: 'independent processes, listen({ reusePort })' },
  { via: 'nginx', letter: 'n', title: 'nginx in front, one upstream port each' }
]

/** The scenarios --workers varies. */
const WORKER_BASES = ['S1', 'S2']

/**
 * The variants of scenario sc for each worker count: every way, then every
 * count (S1-c1, S1-c2, S1-r1 …); none for a scenario --workers does not vary.
 */
function withWorkers (sc, counts) {
  if (!WORKER_BASES.includes(sc.id)) return []
  return WAYS.flatMap((w) => counts.map((n) => ({
    ...sc,
    id: `${sc.id}-${w.letter}${n}`,
    base: sc.id,
    short: `${w.via} ×${n}`,
    title: `${sc.title}; ${n} worker${n > 1 ? 's' : ''}: ${w.title}`,
    workers: n,
    via: w.via,
    target: undefined
  })))
}

/** Scenarios --quick runs unless --scenarios says otherwise. */
const QUICK_IDS = ['S1', 'S3', 'F1', 'F2', 'C1', 'C2', 'C3']

/** The scenario with its quick overrides applied when quick is set. */
function resolve (scenario, quick) {
  return quick && scenario.quick ? { ...scenario, ...scenario.quick } : scenario
}

module.exports = { SCENARIOS, QUICK_IDS, WAYS, WORKER_BASES, withWorkers, resolve }
