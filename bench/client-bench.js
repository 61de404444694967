'use strict'
// C1–C3: the client side. One process per contender and run sends N
// keep-alive requests, K in flight over S sockets, to servers/fixed-server.js,
// and measures itself: wall time, latency of each request, its own CPU time
// and peak RSS. Two roles in this file:
//   runClientBench(cfg)  (harness side) starts it pinned to a core, bounded;
//   `node client-bench.js '<json>'`  (measured side) does the requests.
// Clients (cfg.client): 'http' = module.request through that module's own
// Agent ({keepAlive: true, maxSockets: S}); 'undici.request' = undici's
// request() with an undici Agent of S connections; 'undici.Pool' = an undici
// Pool of S connections; 'floor' = the engine's binding.connect() with a
// prebuilt request (cfg.modulePath is then the uvhttp package root).

const { spawn } = require('child_process')
const { track } = require('./child')

/**
 * Harness side. cfg: { core, client, modulePath, port, requests, inFlight,
 * sockets, method, path, bodyBytes, responseBytes, warmup, deadlineSec };
 * resolves the child's JSON result; SIGKILL after deadline + 15 s.
 */
function runClientBench ({ core, ...cfg }) {
  return new Promise((resolve, reject) => {
    const child = track(spawn('taskset', ['-c', String(core), process.execPath, __filename, JSON.stringify(cfg)], { stdio: ['ignore', 'pipe', 'pipe'] }))
    let out = ''
    let err = ''
    child.stdout.on('data', (d) => { out += d })
    child.stderr.on('data', (d) => { err = (err + d).slice(-4000) })
    const timer = setTimeout(() => child.kill('SIGKILL'), (cfg.deadlineSec + 15) * 1000)
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
// Each client factory returns send(done): one request as the scenario
// describes it (cfg: method, path, bodyBytes, responseBytes, sockets), done(err)
// once its response body has been read to the end; a status other than 200 or
// a body of the wrong size is an error.

function checked (status, bytes, cfg) {
  if (status !== 200) return new Error(`status ${status}`)
  if (bytes !== cfg.responseBytes) return new Error(`${bytes} body bytes, expected ${cfg.responseBytes}`)
  return null
}

/** The request body (cfg.bodyBytes of it) and the headers every client sends with it. */
function requestBody (cfg) {
  if (!cfg.bodyBytes) return { body: null, headers: {} }
  return { body: Buffer.alloc(cfg.bodyBytes, 'x'), headers: { 'content-type': 'application/octet-stream', 'content-length': String(cfg.bodyBytes) } }
}

/** module.request through that module's own Agent: keep-alive, cfg.sockets sockets. */
function httpModuleClient (cfg) {
  const mod = require(cfg.modulePath)
  const agent = new mod.Agent({ keepAlive: true, maxSockets: cfg.sockets })
  const { body, headers } = requestBody(cfg)
  const options = { host: '127.0.0.1', port: cfg.port, method: cfg.method, path: cfg.path, headers, agent }
  return (done) => {
    const req = mod.request(options, (res) => {
      let bytes = 0
      res.on('data', (chunk) => { bytes += chunk.length })
      res.on('end', () => done(checked(res.statusCode, bytes, cfg)))
    })
    req.on('error', done)
    if (body) req.end(body)
    else req.end()
  }
}

/** undici's request() through an undici Agent (pool) of cfg.sockets connections per origin. */
function undiciRequestClient (cfg, undici) {
  const dispatcher = new undici.Agent({ connections: cfg.sockets })
  const url = `http://127.0.0.1:${cfg.port}${cfg.path}`
  const { body, headers } = requestBody(cfg)
  const options = { method: cfg.method, headers, body, dispatcher }
  return (done) => readUndici(undici.request(url, options), cfg, done)
}

/** An undici Pool of cfg.sockets connections and its request(). */
function undiciPoolClient (cfg, undici) {
  const pool = new undici.Pool(`http://127.0.0.1:${cfg.port}`, { connections: cfg.sockets })
  const { body, headers } = requestBody(cfg)
  const options = { method: cfg.method, path: cfg.path, headers, body }
  return (done) => readUndici(pool.request(options), cfg, done)
}

function readUndici (promise, cfg, done) {
  promise.then(({ statusCode, body }) => {
    let bytes = 0
    body.on('data', (chunk) => { bytes += chunk.length })
    body.on('end', () => done(checked(statusCode, bytes, cfg)))
    body.on('error', done)
  }, done)
}

/**
 * The engine with trivial JS (issue 14's reference row): up to cfg.sockets
 * binding.connect() connections, each sending one prebuilt request string
 * (and body) at a time and counting its response's BODY records until END;
 * requests beyond the free connections wait in an array.
 */
function floorClient (cfg) {
  const binding = require('./floor-binding').loadEngine(cfg.modulePath)
  const C = binding.constants
  const { body, headers } = requestBody(cfg)
  const head = `${cfg.method} ${cfg.path} HTTP/1.1\r\nHost: 127.0.0.1:${cfg.port}\r\n` +
    Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('') + '\r\n'
  const idle = []
  const queue = []
  let open = 0
  class FloorClientConnection {
    constructor () {
      this.conn = null
      this.done = null
      this.status = 0
      this.bytes = 0
    }

    send (done) {
      this.done = done
      this.status = 0
      this.bytes = 0
      this.conn.write(head, body, null, 0)
    }

    onBatch (b) {
      for (let i = 0; i < b.length;) {
        switch (b[i]) {
          case C.kEvHead: this.status = b[i + 1]; i += 7 + b[i + 3]; break
          case C.kEvBody: this.bytes += b[i + 1].length; i += 2; break
          case C.kEvEnd: i += 2 + Math.max(b[i + 1], 0); this.finish(checked(this.status, this.bytes, cfg)); break
          case C.kEvConnect: if (b[i + 1] !== 0) this.fail(`connect: errno ${b[i + 1]}`); i += 2; break
          case C.kEvParseError: this.fail(`parse error ${b[i + 1]}`); i += 5; break
          case C.kEvIoError: this.fail(`${b[i + 2]}: errno ${b[i + 1]}`); i += 3; break
          case C.kEvEof: this.fail('server closed the connection'); i += 1; break
          case C.kEvClose: this.fail('connection closed'); i += 1; break
          default: i += 1 // DRAIN
        }
      }
    }

    finish (err) {
      const done = this.done
      this.done = null
      if (queue.length) this.send(queue.shift())
      else idle.push(this)
      done(err)
    }

    fail (message) {
      if (this.conn) { this.conn.close(); this.conn = null; open-- }
      const i = idle.indexOf(this)
      if (i !== -1) idle.splice(i, 1)
      if (this.done) { const done = this.done; this.done = null; done(new Error(message)) }
    }
  }
  return (done) => {
    if (idle.length) return idle.pop().send(done)
    if (open >= cfg.sockets) return queue.push(done)
    const c = new FloorClientConnection()
    const conn = binding.connect(c, 4, '127.0.0.1', cfg.port, null)
    if (typeof conn === 'number') return done(new Error(`connect: errno ${conn}`))
    c.conn = conn
    open++
    c.send(done) // written once connected
  }
}

const CLIENTS = {
  http: httpModuleClient,
  'undici.request': (cfg) => undiciRequestClient(cfg, require(cfg.modulePath)),
  'undici.Pool': (cfg) => undiciPoolClient(cfg, require(cfg.modulePath)),
  floor: floorClient
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
    send = CLIENTS[cfg.client](cfg)
  } catch (err) {
    return { error: `cannot load ${cfg.modulePath}: ${String(err.message).split('\n')[0]}` }
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
