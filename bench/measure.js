'use strict'
// One measurement: one scenario, one contender, one round. For server and
// framework scenarios a fresh server process is started for each, so peak RSS
// and CPU time belong to that scenario alone and one contender's leftovers
// cannot slow the next.

const path = require('path')
const { startPinned, stop } = require('./child')
const { runWrk, parseWrk } = require('./wrk')
const { cpuSeconds, peakRssBytes } = require('./proc')
const { runClientBench } = require('./client-bench')
const contenders = require('./contenders')

const FIXED = path.join(__dirname, 'servers', 'fixed-server.js')

/** Starts contender c's server for scenario sc, pinned to core; rejects with its error line. */
function startServer (c, sc, core) {
  return startPinned(core, process.execPath, contenders.server(c, sc))
}

/**
 * Server and framework scenarios: server on serverCore, wrk on loadCore. CPU
 * time is the server's utime+stime delta across the measured wrk run only
 * (warm-up excluded), so requests per CPU-second stays comparable when wrk,
 * not the server, is the bottleneck.
 */
async function measureWrk (scenario, contender, opts) {
  const server = await startServer(contender, scenario, opts.serverCore)
  try {
    const wrkOpts = {
      url: `http://127.0.0.1:${server.port}${scenario.path}`,
      connections: scenario.connections,
      core: opts.loadCore,
      script: scenario.script,
      headers: scenario.headers
    }
    if (opts.warmup > 0) await runWrk({ ...wrkOpts, seconds: opts.warmup })
    const cpu0 = cpuSeconds(server.pid)
    const { text } = await runWrk({ ...wrkOpts, seconds: opts.duration })
    const cpu = cpuSeconds(server.pid) - cpu0
    const r = parseWrk(text)
    return {
      requests: r.requests,
      seconds: r.seconds,
      reqPerSec: r.reqPerSec,
      bytesPerSec: r.bytesPerSec,
      p50Ms: scenario.latency === false ? NaN : r.p50Ms,
      p99Ms: scenario.latency === false ? NaN : r.p99Ms,
      cpuSeconds: cpu,
      reqPerCpuSec: r.requests / cpu,
      peakRssBytes: peakRssBytes(server.pid),
      errors: r.errors,
      errorDetail: { ...r.socketErrors, non2xx: r.non2xx }
    }
  } finally {
    await stop(server.child)
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
