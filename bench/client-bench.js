'use strict'
// C1: the client side. One process per contender runs N keep-alive GETs, K in
// flight, against fixed-server.js, and measures itself: wall time, latency of
// each request, its own CPU time and peak RSS. Two roles in this file:
//   runClientBench(opts)  (harness side) starts it pinned to a core, bounded;
//   `node client-bench.js '<json>'`  (measured side) does the requests.
// Clients: 'http' = module.request through that module's own Agent
// ({keepAlive: true, maxSockets: K}); 'undici' = undici.request with an
// undici Agent of K connections.

const { spawn } = require('child_process')
const { track } = require('./child')

/** Harness side: resolves the child's JSON result; SIGKILL after deadline + 15 s. */
function runClientBench ({ core, client, modulePath, port, requests, inFlight, warmup, deadlineSec }) {
  const cfg = JSON.stringify({ client, modulePath, port, requests, inFlight, warmup, deadlineSec })
  return new Promise((resolve, reject) => {
    const child = track(spawn('taskset', ['-c', String(core), process.execPath, __filename, cfg], { stdio: ['ignore', 'pipe', 'pipe'] }))
    let out = ''
    let err = ''
    child.stdout.on('data', (d) => { out += d })
    child.stderr.on('data', (d) => { err = (err + d).slice(-4000) })
    const timer = setTimeout(() => child.kill('SIGKILL'), (deadlineSec + 15) * 1000)
    child.on('error', (e) => { clearTimeout(timer); reject(e) })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      let msg
      try { msg = JSON.parse(out.trim().split('\n').pop()) } catch {}
      if (msg && msg.error) return reject(new Error(msg.error))
      if (code !== 0 || !msg) return reject(new Error(`client bench exited ${code ?? signal}: ${err.trim().split('\n').slice(-3).join(' | ')}`))
      resolve(msg)
    })
  })
}

// ---- measured side ----

/** Returns send(done): one GET; done(err) when its response body has ended. */
function httpModuleClient (modulePath, port, inFlight) {
  const mod = require(modulePath)
  const agent = new mod.Agent({ keepAlive: true, maxSockets: inFlight })
  const options = { host: '127.0.0.1', port, path: '/', agent }
  const noop = () => {}
  return (done) => {
    const req = mod.request(options, (res) => {
      res.on('data', noop)
      res.on('end', () => done(res.statusCode === 200 ? null : new Error(`status ${res.statusCode}`)))
    })
    req.on('error', done)
    req.end()
  }
}

function undiciClient (port, inFlight) {
  const undici = require('undici')
  const dispatcher = new undici.Agent({ connections: inFlight })
  const url = `http://127.0.0.1:${port}/`
  return (done) => {
    undici.request(url, { dispatcher })
      .then(({ statusCode, body }) => body.dump().then(() => done(statusCode === 200 ? null : new Error(`status ${statusCode}`))))
      .catch(done)
  }
}

/** Runs `count` requests, `inFlight` at a time; latencies (ms) into lat if given. */
function drive (send, count, inFlight, deadline, lat) {
  return new Promise((resolve) => {
    let started = 0
    let finished = 0
    let errors = 0
    let lastError = null
    const next = () => {
      if (started >= count || Date.now() > deadline) {
        if (finished === started) resolve({ done: finished, errors, lastError })
        return
      }
      const i = started++
      const t0 = process.hrtime.bigint()
      send((err) => {
        if (lat) lat[i] = Number(process.hrtime.bigint() - t0) / 1e6
        if (err) { errors++; lastError = err.message }
        finished++
        next()
      })
    }
    for (let k = 0; k < inFlight; k++) next()
  })
}

function percentile (sorted, p) {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p / 100 * sorted.length))] : NaN
}

async function main (cfg) {
  const deadline = Date.now() + cfg.deadlineSec * 1000
  let send
  try {
    send = cfg.client === 'undici' ? undiciClient(cfg.port, cfg.inFlight) : httpModuleClient(cfg.modulePath, cfg.port, cfg.inFlight)
  } catch (err) {
    return { error: `cannot load ${cfg.client === 'undici' ? 'undici' : cfg.modulePath}: ${String(err.message).split('\n')[0]}` }
  }
  if (cfg.warmup > 0) await drive(send, cfg.warmup, cfg.inFlight, deadline, null)
  const lat = new Float64Array(cfg.requests)
  const cpu0 = process.cpuUsage()
  const t0 = process.hrtime.bigint()
  const r = await drive(send, cfg.requests, cfg.inFlight, deadline, lat)
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9
  const cpu = process.cpuUsage(cpu0)
  const sorted = lat.subarray(0, r.done).sort()
  return {
    requests: r.done - r.errors,
    seconds,
    reqPerSec: (r.done - r.errors) / seconds,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    errors: r.errors + (cfg.requests - r.done), // unfinished (deadline) count as errors
    lastError: r.lastError,
    truncated: r.done < cfg.requests
  }
}

if (require.main === module) {
  main(JSON.parse(process.argv[2])).then((res) => {
    process.stdout.write(JSON.stringify(res) + '\n')
    process.exit(0) // keep-alive sockets would otherwise hold the loop open
  }, (err) => {
    process.stdout.write(JSON.stringify({ error: err.stack }) + '\n')
    process.exit(1)
  })
}

module.exports = { runClientBench }
