'use strict'
// Raw-bytes attacks on a server, for the security tests (test/security/):
// start a server of the implementation under test, send exact bytes on one
// connection, and report everything the peer and the application saw: the
// bytes that came back, the requests that reached the handler (with their
// headers and bodies), and the 'clientError's. 'clientError' is observed
// without a listener, so the server still answers as it does by default
// (the canned 400/431/… and a close). Bounded in time.
const assert = require('assert')
const net = require('net')
const { listen, close, delay } = require('./net')

/** A handler that reads the whole body and answers 200 with `<method> <url> <body length>`. */
function echoHandler (seen) {
  return (req, res) => {
    const entry = { method: req.method, url: req.url, headers: { ...req.headers }, rawHeaders: req.rawHeaders, body: null }
    seen.push(entry)
    const chunks = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', () => {
      entry.body = Buffer.concat(chunks).toString('latin1')
      entry.trailers = { ...req.trailers }
      res.end(`${req.method} ${req.url} ${entry.body.length}`)
    })
  }
}

/**
 * Sends `bytes` (a string taken as latin1, a Buffer, or an array of pieces
 * written `gapMs` apart) on one connection to a new server of `http`, and
 * resolves once the server closed the connection, or `until(result)` holds
 * (then after a further `graceMs`, to catch anything more), or `ms` passed:
 * { wire, closed, requests: [{ method, url, headers, rawHeaders, body, trailers }],
 *   errors: [{ code, message, bytesParsed }] }.
 * `configure(server)` runs before listen (set maxHeadersCount, say);
 * `handler(seen)` replaces the echo handler; `end` half-closes after the
 * last piece.
 */
async function attack (http, bytes, { options = {}, configure, handler = echoHandler, until, end = false, gapMs = 20, graceMs = 100, ms = 2000 } = {}) {
  const result = { wire: '', closed: false, requests: [], errors: [] }
  const server = http.createServer(options, handler(result.requests))
  const emit = server.emit
  server.emit = function (event, err) {
    if (event === 'clientError') result.errors.push({ code: err.code, message: err.message, bytesParsed: err.bytesParsed })
    return emit.apply(this, arguments)
  }
  if (configure) configure(server)
  const port = await listen(server)
  try {
    await exchange(port, bytes, result, { until, end, gapMs, graceMs, ms })
    return result
  } finally {
    await close(server)
  }
}

/** One raw connection: write the pieces, collect what comes back into `result`. */
function exchange (port, bytes, result, { until, end, gapMs, graceMs, ms }) {
  return new Promise((resolve) => {
    const chunks = []
    const sock = net.connect(port, '127.0.0.1')
    const timer = setTimeout(() => sock.destroy(), ms)
    let grace = null
    const check = () => {
      result.wire = Buffer.concat(chunks).toString('latin1')
      if (grace === null && until && until(result)) grace = setTimeout(() => sock.destroy(), graceMs)
    }
    sock.on('data', (c) => { chunks.push(c); check() })
    sock.on('error', () => {})
    sock.on('end', () => { result.closed = true })
    sock.on('close', () => {
      clearTimeout(timer)
      clearTimeout(grace)
      check()
      resolve()
    })
    sock.on('connect', async () => {
      const pieces = Array.isArray(bytes) ? bytes : [bytes]
      for (let i = 0; i < pieces.length; i++) {
        if (i > 0) await delay(gapMs)
        if (sock.destroyed) return
        sock.write(typeof pieces[i] === 'string' ? Buffer.from(pieces[i], 'latin1') : pieces[i])
      }
      if (end) sock.end()
    })
  })
}

const CANNED = {
  400: 'HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n',
  408: 'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n',
  413: 'HTTP/1.1 413 Payload Too Large\r\nConnection: close\r\n\r\n',
  431: 'HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\n\r\n',
}

/**
 * Asserts that an attack was refused: the server's canned answer for
 * `status` ends what came back (after the status lines `answered`, of
 * requests handled before the attack), and the server closed; one
 * 'clientError' with `code`, `message` and, if given, `bytesParsed`; no
 * request reached the handler but the `answered` ones and the `heads` whose
 * head was valid (their bodies never ended).
 */
function assertRefused (r, { status = 400, code, message, bytesParsed, answered = [], heads = 0 }) {
  assert.ok(r.wire.endsWith(CANNED[status]), `canned ${status} expected last; got ${JSON.stringify(r.wire)}`)
  assert.deepStrictEqual(statusLines(r.wire), [...answered, statusLines(CANNED[status])[0]])
  assert.strictEqual(r.closed, true, 'the server closed the connection')
  const error = { code, message }
  if (bytesParsed !== undefined) error.bytesParsed = bytesParsed
  assert.deepStrictEqual(r.errors.map((e) => bytesParsed === undefined ? { code: e.code, message: e.message } : e), [error])
  const ended = r.requests.filter((q) => q.body !== null)
  assert.strictEqual(ended.length, answered.length, 'requests handled to their end')
  assert.strictEqual(r.requests.length - ended.length, heads, 'requests whose head reached the handler, body unfinished')
}

/** The status lines in what a server sent back, in order. */
function statusLines (wire) {
  return wire.match(/HTTP\/1\.[01] \d{3}[^\r\n]*/g) || []
}

module.exports = { attack, assertRefused, echoHandler, statusLines, CANNED }
