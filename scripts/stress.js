'use strict'
// npm run stress [-- --quick] [--impl node,uvhttp]
//
// Slow and hostile clients against core http and uvhttp, side by side, each
// server in a process of its own (scripts/load/server-child.js with
// stress-app.js), the attackers in another (hostile-clients.js), normal
// requests timed from this one (probe.js):
//   slowloris     1,000 connections send their head a byte at a time
//                 (headersTimeout 4 s, checked every 1 s): each must get 408
//                 and be closed within 5 s, while normal requests on other
//                 connections keep a p99 below twice their unloaded p99;
//   slow readers  200 clients ask for an endless response and never read:
//                 the server's RSS must stay bounded, normal clients served;
//   idle          10,000 keep-alive connections that made one request each
//                 and stay open: RSS (and heap) per connection.
// Every phase is bounded in time; --quick runs a tenth of the connections.
// The server's file descriptor limit is raised to the hard limit if needed.
// Figures are for the README, with the date and the machine; the shared
// development machine makes single runs move.
const { fork, spawnSync } = require('child_process')
const fs = require('fs')
const os = require('os')
const path = require('path')
const { startServer } = require('./load/server-process')
const { probe, percentile } = require('./load/probe')

const MiB = 1024 * 1024
const HEADERS_TIMEOUT = 4000
const CHECK_INTERVAL = 1000

function parseArgs (argv) {
  const a = { quick: false, impls: ['node', 'uvhttp'] }
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--quick') a.quick = true
    else if (argv[i] === '--impl') a.impls = argv[++i].split(',')
    else throw new Error(`unknown argument ${argv[i]} (--quick, --impl node,uvhttp)`)
  }
  return a
}

/** [soft, hard] limit on open files of this process. */
function fdLimits () {
  const m = /^Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/m.exec(fs.readFileSync('/proc/self/limits', 'utf8'))
  const n = (v) => (v === 'unlimited' ? Infinity : Number(v))
  return [n(m[1]), n(m[2])]
}

/** Runs this script again under `ulimit -n <hard>` when the soft limit is too low for `needed`. */
function ensureFds (needed) {
  const [soft, hard] = fdLimits()
  if (soft >= needed || process.env.UVHTTP_STRESS_REEXEC) return Math.min(soft, hard)
  const limit = hard === Infinity ? needed : hard
  const r = spawnSync('sh', ['-c', `ulimit -n ${limit} && exec "$0" "$@"`, process.execPath, __filename, ...process.argv.slice(2)], {
    stdio: 'inherit', env: { ...process.env, UVHTTP_STRESS_REEXEC: '1' },
  })
  process.exit(r.status ?? 1)
}

/** The attackers' process: call(cmd, args) resolves its result. */
function startClients () {
  const child = fork(path.join(__dirname, 'load', 'hostile-clients.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  let id = 0
  const waiting = new Map()
  child.on('message', (m) => { waiting.get(m.id)(m.result); waiting.delete(m.id) })
  return {
    call (cmd, args = {}) {
      return new Promise((resolve) => { waiting.set(++id, resolve); child.send({ id, cmd, ...args }) })
    },
    stop () { child.disconnect() },
  }
}

const mib = (b) => (b / MiB).toFixed(1)
const ms = (v) => (Number.isNaN(v) ? '–' : v < 10 ? v.toFixed(2) : v.toFixed(1))
const until = (t) => () => t

async function slowlorisPhase (server, clients, count, results) {
  const before = await server.sample()
  const baseline = await probe(server.port, until(Date.now() + 3000))
  let attackDone = false
  const attack = clients.call('slowloris', { port: server.port, count, byteMs: 200, limitMs: 20000 }).finally(() => { attackDone = true })
  const loaded = await probe(server.port, () => (attackDone ? 0 : Infinity))
  const { results: conns } = await attack
  const bound = HEADERS_TIMEOUT + CHECK_INTERVAL
  const closeTimes = conns.map((c) => c.closedAfter).filter((t) => t !== null)
  const later = await server.sample()
  results.slowloris = {
    count,
    timedOut: later.app.timedOut - before.app.timedOut,
    answered408: conns.filter((c) => c.status === 'HTTP/1.1 408 Request Timeout').length,
    closed: closeTimes.length,
    closedWithinBound: closeTimes.filter((t) => t <= bound).length,
    maxClose: Math.max(...closeTimes),
    bound,
    p99Unloaded: percentile(baseline.latencies, 99),
    p99Loaded: percentile(loaded.latencies, 99),
    served: loaded.latencies.length,
    failures: baseline.failures.length + loaded.failures.length,
  }
}

async function slowReadersPhase (server, clients, count, results) {
  const before = await server.sample(true)
  const { connected } = await clients.call('slowReaders', { port: server.port, count })
  let peak = 0
  let streamed = []
  const probed = probe(server.port, until(Date.now() + 10000))
  for (let t = 0; t < 10; t++) {
    await new Promise((resolve) => setTimeout(resolve, 1000))
    const s = await server.sample()
    peak = Math.max(peak, s.rss)
    streamed.push(s.app.streamed)
  }
  const normal = await probed
  await clients.call('release')
  await new Promise((resolve) => setTimeout(resolve, 500))
  const end = await server.sample(true)
  streamed = streamed.map((b) => b - before.app.streamed)
  results.slowReaders = {
    count: connected,
    rssBefore: before.rss,
    rssPeak: peak,
    rssAfter: end.rss,
    // What the application wrote in the first second, and in the last five
    // (zero once every socket's buffers are full and it waits for 'drain').
    streamedFirstSecond: streamed[0],
    streamedLastFive: streamed[9] - streamed[4],
    served: normal.latencies.length,
    failures: normal.failures.length,
  }
}

async function idlePhase (server, clients, count, results) {
  const before = await server.sample(true)
  const { answered, open } = await clients.call('idle', { port: server.port, count })
  await new Promise((resolve) => setTimeout(resolve, 1000))
  const held = await server.sample(true)
  await clients.call('release')
  results.idle = {
    count: answered,
    open,
    rssPerConnection: (held.rss - before.rss) / answered,
    heapPerConnection: (held.heapUsed - before.heapUsed) / answered,
    externalPerConnection: (held.external - before.external) / answered,
    fds: held.fds - before.fds,
  }
}

async function run (impl, scale) {
  const server = await startServer({
    impl,
    app: path.join(__dirname, 'load', 'stress-app.js'),
    options: { headersTimeout: HEADERS_TIMEOUT, requestTimeout: 60000, connectionsCheckingInterval: CHECK_INTERVAL, keepAliveTimeout: 120000 },
  })
  const clients = startClients()
  const results = {}
  try {
    console.log(`stress: ${impl}: slowloris, ${scale.slowloris} connections`)
    await slowlorisPhase(server, clients, scale.slowloris, results)
    console.log(`stress: ${impl}: slow readers, ${scale.readers} connections`)
    await slowReadersPhase(server, clients, scale.readers, results)
    console.log(`stress: ${impl}: idle keep-alive, ${scale.idle} connections`)
    await idlePhase(server, clients, scale.idle, results)
  } finally {
    clients.stop()
    const exit = await server.stop()
    results.crashed = exit.code !== 0
  }
  return results
}

function report (all, scale) {
  const impls = Object.keys(all)
  const row = (label, f) => `| ${label} | ${impls.map((i) => f(all[i])).join(' | ')} |`
  const lines = [
    `| | ${impls.map((i) => (i === 'node' ? 'core `http`' : i)).join(' | ')} |`,
    `|---|${impls.map(() => '---').join('|')}|`,
    row(`slowloris: timed out by the server (408 sent), of ${scale.slowloris}`, (r) => `${r.slowloris.timedOut}`),
    row('slowloris: 408 read by the client (the rest reset before)', (r) => `${r.slowloris.answered408}`),
    row(`slowloris: closed within ${HEADERS_TIMEOUT + CHECK_INTERVAL} ms (last at)`, (r) => `${r.slowloris.closedWithinBound} (${r.slowloris.maxClose} ms)`),
    row('slowloris: normal requests p99, unloaded → under attack', (r) => `${ms(r.slowloris.p99Unloaded)} → ${ms(r.slowloris.p99Loaded)} ms (${(r.slowloris.p99Loaded / r.slowloris.p99Unloaded).toFixed(1)}×)`),
    row(`slow readers (${scale.readers}): RSS before → peak → after, MiB`, (r) => `${mib(r.slowReaders.rssBefore)} → ${mib(r.slowReaders.rssPeak)} → ${mib(r.slowReaders.rssAfter)}`),
    row('slow readers: bytes written by the app, first second / last five', (r) => `${mib(r.slowReaders.streamedFirstSecond)} / ${mib(r.slowReaders.streamedLastFive)} MiB`),
    row('slow readers: normal requests served meanwhile (failed)', (r) => `${r.slowReaders.served} (${r.slowReaders.failures})`),
    row(`idle keep-alive (${scale.idle}): RSS per connection`, (r) => `${(r.idle.rssPerConnection / 1024).toFixed(1)} KiB`),
    row('idle keep-alive: JS heap + external per connection', (r) => `${((r.idle.heapPerConnection + r.idle.externalPerConnection) / 1024).toFixed(1)} KiB`),
  ]
  return lines.join('\n')
}

async function main () {
  const args = parseArgs(process.argv.slice(2))
  const scale = args.quick ? { slowloris: 100, readers: 20, idle: 1000 } : { slowloris: 1000, readers: 200, idle: 10000 }
  const fds = ensureFds(scale.idle + 500)
  if (fds < scale.idle + 500) scale.idle = Math.max(100, fds - 500)
  const all = {}
  for (const impl of args.impls) all[impl] = await run(impl, scale)
  const failures = []
  for (const [impl, r] of Object.entries(all)) {
    if (r.crashed) failures.push(`${impl} crashed or did not stop cleanly`)
    if (r.slowloris.timedOut !== r.slowloris.count) failures.push(`${impl}: ${r.slowloris.count - r.slowloris.timedOut} slowloris connections not timed out`)
    if (r.slowloris.closed !== r.slowloris.count) failures.push(`${impl}: ${r.slowloris.count - r.slowloris.closed} slowloris connections still open at the end`)
    if (r.slowloris.failures || r.slowReaders.failures) failures.push(`${impl}: normal requests failed under attack`)
    if (r.idle.count !== scale.idle) failures.push(`${impl}: ${scale.idle - r.idle.count} idle connections not served`)
  }
  const date = new Date().toISOString().slice(0, 10)
  console.log(`\nstress: ${date}, Node ${process.version}, ${os.cpus().length} × ${os.cpus()[0].model.trim()}, ${Math.round(os.totalmem() / 1024 ** 3)} GiB, ${os.type()} ${os.release()}; headersTimeout ${HEADERS_TIMEOUT} ms, connectionsCheckingInterval ${CHECK_INTERVAL} ms\n`)
  console.log(report(all, scale))
  console.log(failures.length ? `\nstress: FAILED (${failures.join('; ')})` : '\nstress: OK')
  process.exitCode = failures.length ? 1 : 0
}

main().catch((err) => {
  console.log(`stress: FAILED (${err.stack})`)
  process.exitCode = 1
})
