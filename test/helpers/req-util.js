'use strict'
// Helpers for the server parity tests: start servers of the implementation
// under test and close them all afterwards, talk to them with Node's REAL
// http client (the reference client, never the implementation under test),
// and run curl.
const realHttp = require('http')
const { execFile, execFileSync } = require('child_process')
const { listen, close } = require('./net')
const { RawClient } = require('./req-raw')

/**
 * A per-file pool of servers: `start(http, options, handler)` creates and
 * listens on 127.0.0.1:0; `closeAll()` (for afterEach) closes them and every
 * raw client still open.
 */
function serverPool () {
  const servers = new Set()
  return {
    async start (http, options, handler) {
      if (typeof options === 'function') { handler = options; options = {} }
      const server = http.createServer(options || {}, handler)
      servers.add(server)
      const port = await listen(server)
      return { server, port }
    },
    async closeAll () {
      RawClient.destroyAll()
      const all = [...servers]
      servers.clear()
      await Promise.all(all.map((s) => withTimeout(close(s), 2000).catch(() => {})))
    }
  }
}

/** Rejects if `promise` does not settle within `ms`. */
function withTimeout (promise, ms, what = 'operation') {
  let timer
  return Promise.race([
    promise,
    new Promise((resolve, reject) => { timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms) })
  ]).finally(() => clearTimeout(timer))
}

/**
 * One request with Node's own http client (agent: false unless given).
 * Resolves { res, body (Buffer), socket } once the response has ended.
 */
function nodeRequest (port, { method = 'GET', path = '/', headers = {}, body, agent = false, timeout = 3000, setHost = true } = {}) {
  return new Promise((resolve, reject) => {
    const req = realHttp.request({ host: '127.0.0.1', port, method, path, headers, agent, setHost })
    const timer = setTimeout(() => { req.destroy(new Error(`request timed out after ${timeout} ms`)) }, timeout)
    let socket
    req.on('socket', (s) => { socket = s })
    req.on('error', (err) => { clearTimeout(timer); reject(err) })
    req.on('response', (res) => {
      const chunks = []
      res.on('data', (c) => chunks.push(c))
      res.on('error', (err) => { clearTimeout(timer); reject(err) })
      res.on('end', () => { clearTimeout(timer); resolve({ res, body: Buffer.concat(chunks), socket }) })
    })
    if (body !== undefined) req.end(body)
    else req.end()
  })
}

let curlChecked
/** True when a `curl` binary can be run. */
function hasCurl () {
  if (curlChecked === undefined) {
    try { execFileSync('curl', ['--version'], { stdio: 'ignore', timeout: 5000 }); curlChecked = true } catch { curlChecked = false }
  }
  return curlChecked
}

/** Runs curl with `args`; resolves { code, stdout (Buffer), stderr (string) }. */
function curl (args, { timeout = 8000 } = {}) {
  return new Promise((resolve) => {
    execFile('curl', args, { timeout, encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? (err.code ?? err.signal) : 0, stdout, stderr: stderr.toString('latin1') })
    })
  })
}

module.exports = { serverPool, withTimeout, nodeRequest, hasCurl, curl }
