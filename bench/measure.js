'use strict'
// One measurement: one scenario, one contender, one round. For server and
// framework scenarios a fresh server process is started for each (for the
// --workers variants, a fresh set: workers.js), so peak RSS and CPU time
// belong to that scenario alone and one contender's leftovers cannot slow
// the next.

const path = require('path')
const { startPinned, stop } = require('./child')
const { runWrk, parseWrk } = require('./wrk')
const { cpuMeter, peakRssBytesOf } = require('./proc')
const { runClientBench } = require('./client-bench')
const contenders = require('./contenders')
const { startWorkers } = require('./workers')

const FIXED = path.join(__dirname, 'servers', 'fixed-server.js')

/** Starts contender c's server for scenario sc, pinned to core; rejects with its error line. */
function startServer (c, sc, core) {
  return startPinned(core, process.execPath, contenders.server(c, sc))
}

/**
 * What serves scenario sc for contender c: { port, servers: [PIDs], proxy:
 * PID or null, stop() }. One process on serverCore, or a --workers set.
 */
async function serve (c, sc, opts) {
  if (sc.workers) return startWorkers(contenders.server(c, sc), sc, opts)
  const s = await startServer(c, sc, opts.serverCore)
  return { port: s.port, servers: [s.pid], proxy: null, stop: () => stop(s.child) }
}

/**
 * Server and framework scenarios: the server(s) on serverCore (workers.js
 * says where a --workers set goes), wrk on loadCore. CPU time is the
 * utime+stime delta across the measured wrk run only (warm-up excluded) of
 * every server process (a cluster's primary and workers, each reusePort
 * process; nginx's, master and worker, apart), so requests per CPU-second
 * stays comparable when wrk, not the server, is the bottleneck.
 */
async function measureWrk (scenario, contender, opts) {
  const server = await serve(contender, scenario, opts)
  try {
    const wrkOpts = {
      url: `http://127.0.0.1:${server.port}${scenario.path}`,
      connections: scenario.connections,
      core: opts.loadCore,
      script: scenario.script,
      headers: scenario.headers
    }
    if (opts.warmup > 0) await runWrk({ ...wrkOpts, seconds: opts.warmup })
    const serverCpu = cpuMeter(server.servers)
    const proxyCpu = server.proxy ? cpuMeter([server.proxy]) : null
    const { text } = await runWrk({ ...wrkOpts, seconds: opts.duration })
    const cpu = serverCpu.since()
    const proxy = proxyCpu && proxyCpu.since()
    const r = parseWrk(text)
    return {
      requests: r.requests,
      seconds: r.seconds,
      reqPerSec: r.reqPerSec,
      bytesPerSec: r.bytesPerSec,
      p50Ms: scenario.latency === false ? NaN : r.p50Ms,
      p99Ms: scenario.latency === false ? NaN : r.p99Ms,
      cpuSeconds: cpu.seconds,
      reqPerCpuSec: r.requests / cpu.seconds,
      processes: cpu.pids.length,
      peakRssBytes: peakRssBytesOf(cpu.pids),
      ...(proxy && {
        proxyCpuSeconds: proxy.seconds,
        proxyReqPerCpuSec: r.requests / proxy.seconds,
        proxyPeakRssBytes: peakRssBytesOf(proxy.pids)
      }),
      errors: r.errors,
      errorDetail: { ...r.socketErrors, non2xx: r.non2xx }
    }
  } finally {
    await server.stop()
  }
}

/** The client scenarios' fixed peer, pinned to loadCore; started once and shared by all their runs. */
function startFixedServer (core) {
  return startPinned(core, process.execPath, [FIXED])
}

/** Client scenarios: the client process on serverCore measures itself (client-bench.js). */
async function measureClient (scenario, contender, opts, fixedPort) {
  const r = await runClientBench({
    core: opts.serverCore,
    client: contenders.client(contender),
    modulePath: contender.modulePath,
    port: fixedPort,
    requests: scenario.requests,
    inFlight: scenario.inFlight,
    sockets: scenario.sockets,
    method: scenario.method,
    path: scenario.path,
    bodyBytes: scenario.bodyBytes,
    responseBytes: scenario.responseBytes,
    warmup: Math.min(5000, Math.round(scenario.requests / 5)),
    deadlineSec: 120
  })
  return { ...r, reqPerCpuSec: r.requests / r.cpuSeconds }
}

module.exports = { measureWrk, measureClient, startFixedServer, startServer }
