'use strict'
// Helpers for the response / socket / lifecycle parity tests. The client side
// is always Node's own `http` or a raw `net` socket, never the implementation
// under test. Everything is bounded in time.
const nodeHttp = require('http')
const net = require('net')
const path = require('path')
const { once } = require('events')
const { listen, close, rawRequest } = require('./net')

/**
 * Registers an afterEach that closes every server made through it, and
 * returns `serve(handler, options)` which starts an `http.createServer` on
 * 127.0.0.1:0 and resolves `{ server, port }`.
 */
function useServers (http) {
  const servers = []
  afterEach(async function () {
    await Promise.all(servers.splice(0).map((s) => withTimeout(close(s), 2000, 'server close').catch(() => {})))
  })
  async function serve (handler, options) {
    const server = options ? http.createServer(options, handler) : http.createServer(handler)
    servers.push(server)
    const port = await listen(server)
    return { server, port }
  }
  serve.track = (server) => { servers.push(server); return server }
  return serve
}

/** Rejects when `promise` has not settled after `ms`. */
function withTimeout (promise, ms, what = 'operation') {
  let timer
  return Promise.race([
    promise,
    new Promise((resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms)
    })
  ]).finally(() => clearTimeout(timer))
}

/** Polls `pred` every 5 ms; resolves when it is true, rejects after `ms`. */
function waitFor (pred, ms = 2000, what = 'condition') {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + ms
    const check = () => {
      if (pred()) resolve()
      else if (Date.now() > deadline) reject(new Error(`${what} timed out after ${ms} ms`))
      else setTimeout(check, 5)
    }
    check()
  })
}

/** Resolves the first emission of `event` on `emitter`, or rejects after `ms`. */
function onceWithin (emitter, event, ms = 2000) {
  return withTimeout(once(emitter, event), ms, `'${event}'`)
}

/**
 * One request with Node's own client (agent: false, so the client sends
 * `Connection: close`). Resolves `{ res, body }` with the body as a Buffer.
 */
function request (port, { method = 'GET', path: p = '/', headers, body, host = '127.0.0.1', socketPath, ms = 2000, agent = false } = {}) {
  return withTimeout(new Promise((resolve, reject) => {
    const opts = { method, path: p, headers, agent }
    if (socketPath) opts.socketPath = socketPath
    else Object.assign(opts, { host, port })
    const req = nodeHttp.request(opts, (res) => {
      const chunks = []
      res.on('data', (c) => chunks.push(c))
      res.on('end', () => resolve({ res, body: Buffer.concat(chunks) }))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(body)
  }), ms, `request ${method} ${p}`)
}

/**
 * Sends a raw request over a fresh TCP connection and resolves everything
 * the server sent until it closed the connection (latin1 text). Rejects when
 * the server kept the connection open past `ms`.
 */
async function raw (port, text, opts = {}) {
  const { data, timedOut } = await rawRequest(port, text, opts)
  if (timedOut && !opts.allowTimeout) throw new Error(`server did not close the connection; got ${JSON.stringify(data)}`)
  return data
}

/** Splits a raw response into its head (without the blank line) and body. */
function splitResponse (text) {
  const i = text.indexOf('\r\n\r\n')
  if (i < 0) throw new Error(`no end of head in ${JSON.stringify(text)}`)
  return { head: text.slice(0, i), body: text.slice(i + 4) }
}

/**
 * Decodes a chunked body (latin1 text). Returns the data, the chunk sizes,
 * the trailer section as text, and what followed the final CRLF.
 */
function decodeChunked (text) {
  let pos = 0
  const sizes = []
  let data = ''
  for (;;) {
    const eol = text.indexOf('\r\n', pos)
    if (eol < 0) throw new Error(`truncated chunked body at ${pos}`)
    const size = parseInt(text.slice(pos, eol).split(';')[0], 16)
    if (Number.isNaN(size)) throw new Error(`bad chunk size line ${JSON.stringify(text.slice(pos, eol))}`)
    pos = eol + 2
    if (size === 0) break
    sizes.push(size)
    data += text.slice(pos, pos + size)
    if (text.slice(pos + size, pos + size + 2) !== '\r\n') throw new Error('chunk not followed by CRLF')
    pos += size + 2
  }
  const end = text.indexOf('\r\n\r\n', pos - 2)
  if (end < 0) throw new Error('no end of trailer section')
  const trailers = text.slice(pos, end + 2)
  return { data, sizes, trailers, rest: text.slice(end + 4) }
}

/**
 * A raw TCP client that collects what it receives and can wait for bytes:
 * `await c.until((text) => text.includes('\r\n\r\n'))`.
 */
async function rawClient (port, host = '127.0.0.1') {
  const sock = net.connect(port, host)
  const client = {
    sock,
    text: '',
    closed: false,
    write: (s) => sock.write(s),
    until (pred, ms = 2000) {
      return withTimeout(new Promise((resolve) => {
        const check = () => {
          if (pred(client.text)) { sock.off('data', check); sock.off('close', check); resolve(client.text); return }
          if (client.closed) { sock.off('data', check); sock.off('close', check); resolve(client.text) }
        }
        sock.on('data', check)
        sock.on('close', check)
        check()
      }), ms, 'raw client wait').then((t) => {
        if (!pred(t)) throw new Error(`connection closed before the expected data; got ${JSON.stringify(t)}`)
        return t
      })
    },
    waitClose (ms = 2000) {
      if (client.closed) return Promise.resolve()
      return withTimeout(once(sock, 'close'), ms, 'raw client close')
    },
    destroy: () => sock.destroy()
  }
  sock.on('data', (c) => { client.text += c.toString('latin1') })
  sock.on('close', () => { client.closed = true })
  sock.on('error', () => {})
  await withTimeout(once(sock, 'connect'), 2000, 'connect')
  return client
}

/** What a child process should `require` to get the implementation `name`. */
function moduleIdFor (name) {
  return name === 'node:http' ? 'http' : path.join(__dirname, '..', '..')
}

module.exports = { useServers, withTimeout, waitFor, onceWithin, request, raw, splitResponse, decodeChunked, rawClient, moduleIdFor }
