'use strict'
// Serving a --workers variant of S1/S2 (scenarios.js) with n processes of the
// contender's server command, one of three ways:
//   cluster    servers/cluster.js, a node:cluster primary forking n workers
//              (the primary takes part: with cluster's default scheduling it
//              accepts every connection and hands it to a worker)
//   reusePort  n independent processes on one port, listen({ reusePort: true })
//              (BENCH_REUSE_PORT, servers/announce.js); the kernel spreads the
//              connections
//   nginx      n independent processes on a port each, nginx in front with one
//              upstream server per port (nginx takes them in turn), keeping
//              its upstream connections alive; test/helpers/reverse-proxy.js
//              writes its configuration and starts it
// The nginx way does not use reusePort, so core http runs it on Node 20 too;
// its upstream block is the README's. Every process of a variant (nginx
// included) is pinned to the same cores (serverCores), so the servers and
// nginx compete for them as they would on a machine of that size.

const os = require('os')
const path = require('path')
const { startPinned, stop, track } = require('./child')
const proxies = require('../test/helpers/reverse-proxy')

const CLUSTER = path.join(__dirname, 'servers', 'cluster.js')

/**
 * The cores n server processes are pinned to: n cores other than the load's
 * (wrk's), from serverCore on; when the machine has too few, every core, the
 * load's included ({ cores, sharesLoad }). On a 2-core machine 1 process has
 * core 0 to itself and 2 processes share both cores with wrk.
 */
function serverCores (n, { serverCore, loadCore }, total = os.cpus().length) {
  const others = []
  for (let i = 0; i < total; i++) {
    const core = (serverCore + i) % total
    if (core !== loadCore) others.push(core)
  }
  if (others.length >= n) return { cores: others.slice(0, n), sharesLoad: false }
  return { cores: [...Array(total).keys()], sharesLoad: true }
}

/**
 * Starts what serves variant sc for contender c (serverArgs: its server
 * command's node arguments) and resolves { port (where the load goes),
 * servers: [root PIDs of the server processes], proxy: nginx's PID or null,
 * stop() }. Whatever started is stopped again if a later part fails.
 */
async function startWorkers (serverArgs, sc, opts) {
  const cores = serverCores(sc.workers, opts).cores.join(',')
  const started = []
  const pinned = async (args, env) => {
    const s = await startPinned(cores, process.execPath, args, { env })
    started.push(s.child)
    return s
  }
  let front = null
  const stopAll = async () => {
    if (front) await front.stop()
    await Promise.all(started.map(stop))
  }
  try {
    if (sc.via === 'cluster') {
      const primary = await pinned([CLUSTER, String(sc.workers), ...serverArgs])
      return { port: primary.port, servers: [primary.pid], proxy: null, stop: stopAll }
    }
    if (sc.via === 'reusePort') {
      // The first binds a port of the kernel's choosing; the others join it.
      const first = await pinned(serverArgs, { BENCH_REUSE_PORT: '0' })
      for (let i = 1; i < sc.workers; i++) await pinned(serverArgs, { BENCH_REUSE_PORT: String(first.port) })
      return { port: first.port, servers: started.map((ch) => ch.pid), proxy: null, stop: stopAll }
    }
    if (sc.via === 'nginx') {
      const apps = []
      for (let i = 0; i < sc.workers; i++) apps.push(await pinned(serverArgs))
      // A pool as large as wrk's connection count: nginx then keeps one
      // upstream connection per client connection instead of opening one per
      // request, as a production pool sized for its load does.
      front = await proxies.start(proxies.nginx, apps.map((a) => a.port), { keepalive: sc.connections, wrap: ['taskset', '-c', cores] })
      track(front.proc) // so Ctrl-C stops it too (child.js stopAll)
      return { port: front.port, servers: apps.map((a) => a.pid), proxy: front.pid, stop: stopAll }
    }
    throw new Error(`unknown way to serve: ${sc.via}`)
  } catch (err) {
    await stopAll()
    throw err
  }
}

/**
 * Whether two processes of a server command (node arguments) share a port
 * with listen({ reusePort }): core http has the option from Node 22.12;
 * earlier lines ignore it and the second process gets EADDRINUSE. Resolves
 * null, or why not in one line, naming the contender as name.
 */
async function reusePortMissing (serverArgs, opts, name) {
  try {
    const pair = await startWorkers(serverArgs, { workers: 2, via: 'reusePort' }, opts)
    await pair.stop()
    return null
  } catch (err) {
    const hint = name === 'core' ? ' (Node\'s http has it from 22.12, uvhttp on every line)' : ''
    const code = /\bE[A-Z]{3,}\b/.exec(err.message)
    return `${name} on Node ${process.version} has no listen({ reusePort })${hint}: a second process on its port ${code ? `gets ${code[0]}` : `fails (${err.message.split('\n')[0]})`}`
  }
}

module.exports = { startWorkers, serverCores, reusePortMissing }
