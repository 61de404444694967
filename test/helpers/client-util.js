'use strict'
// Helpers for the client parity tests. The client under test (node:http's or
// uvhttp's, from eachImpl) talks to Node's core http server, to the uvhttp
// server, and to raw net servers that send exact (or broken) bytes.
// Everything is on loopback and bounded in time.
const net = require('net')
const path = require('path')
const realHttp = require('http')
const { listen } = require('./net')

const uvhttp = require(path.join(__dirname, '..', '..'))

/** The HTTP servers a client parity case runs against. */
const SERVERS = [['node server', realHttp], ['uvhttp server', uvhttp]]

/** Rejects if `promise` does not settle within `ms`. */
function withTimeout (promise, ms, what = 'operation') {
  let timer
  return Promise.race([
    promise,
    new Promise((resolve, reject) => { timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms) })
  ]).finally(() => clearTimeout(timer))
}

/** Resolves once `cond()` is true (polled), rejects after `ms`. */
async function waitFor (cond, ms = 2000, what = 'condition') {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error(`${what} not met within ${ms} ms`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

const tick = () => new Promise((resolve) => setImmediate(resolve))
const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * A per-file pool of servers, closed (with their connections) after each
 * test: `http(httpModule, handler)` starts an HTTP server, `raw(onConnection)`
 * a net server; both resolve { server, port }.
 */
function useServers () {
  const servers = new Set()
  const sockets = new Set()
  afterEach(async () => {
    for (const s of sockets) s.destroy()
    sockets.clear()
    const all = [...servers]
    servers.clear()
    await Promise.all(all.map((s) => withTimeout(new Promise((resolve) => {
      if (s.closeAllConnections) s.closeAllConnections()
      s.close(() => resolve())
    }), 2000).catch(() => {})))
  })
  return {
    async http (httpModule, handler, { host = '127.0.0.1', options = {} } = {}) {
      const server = httpModule.createServer(options, handler)
      servers.add(server)
      const port = await listen(server, host)
      return { server, port }
    },
    async raw (onConnection, { host = '127.0.0.1' } = {}) {
      const server = net.createServer((sock) => {
        sockets.add(sock)
        sock.on('error', () => {})
        sock.on('close', () => sockets.delete(sock))
        onConnection(sock)
      })
      servers.add(server)
      const port = await listen(server, host)
      return { server, port }
    },
    /** Starts a Unix socket HTTP server at a fresh path. */
    async pipe (httpModule, handler) {
      const file = path.join(require('os').tmpdir(), `uvhttp-client-${process.pid}-${Math.random().toString(36).slice(2)}.sock`)
      const server = httpModule.createServer(handler)
      servers.add(server)
      server.listen(file)
      await new Promise((resolve, reject) => { server.once('listening', resolve); server.once('error', reject) })
      return { server, path: file }
    },
    track (server) { servers.add(server) }
  }
}

/**
 * A raw server helper: reads each request head (up to CRLFCRLF, plus
 * `bodyBytes` more if given) and answers with `answer(head, sock, n)`'s
 * return value (string/Buffer written, or nothing when the function wrote
 * itself). `heads` collects what arrived.
 */
function scripted (answer, { bodyBytes = 0 } = {}) {
  const heads = []
  let n = 0
  const onConnection = (sock) => {
    let buf = Buffer.alloc(0)
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d])
      for (;;) {
        const end = buf.indexOf('\r\n\r\n')
        if (end === -1 || buf.length < end + 4 + bodyBytes) return
        const head = buf.subarray(0, end + 4 + bodyBytes).toString('latin1')
        buf = buf.subarray(end + 4 + bodyBytes)
        heads.push(head)
        const out = answer(head, sock, n++)
        if (out !== undefined && !sock.destroyed) sock.write(out)
      }
    })
  }
  return { onConnection, heads }
}

/**
 * Runs one request with `httpModule`'s client and records its events in
 * order. Resolves { req, res, body, events, error } once the request has
 * closed and the response (if any) has ended or closed.
 */
function exchange (httpModule, options, { body, end = true, onRequest, onResponse, ms = 4000 } = {}) {
  return new Promise((resolve, reject) => {
    const events = []
    const out = { events, res: null, body: null, error: null, req: null }
    let req
    try {
      req = out.req = httpModule.request(options)
    } catch (err) {
      reject(err)
      return
    }
    const timer = setTimeout(() => {
      req.destroy()
      reject(new Error(`exchange timed out after ${ms} ms; events: ${events.join(', ')}`))
    }, ms)
    req.on('socket', () => events.push('socket'))
    req.on('finish', () => events.push('finish'))
    req.on('abort', () => events.push('abort'))
    req.on('timeout', () => events.push('timeout'))
    req.on('continue', () => events.push('continue'))
    req.on('information', (info) => events.push(`information ${info.statusCode}`))
    req.on('response', (res) => {
      events.push('response')
      out.res = res
      const chunks = []
      if (onResponse) onResponse(res, req)
      res.on('data', (c) => chunks.push(c))
      res.on('aborted', () => events.push('res aborted'))
      res.on('error', (e) => events.push(`res error ${e.code}`))
      res.on('end', () => { events.push('res end'); out.body = Buffer.concat(chunks) })
      res.on('close', () => { events.push('res close'); if (out.body === null) out.body = Buffer.concat(chunks) })
    })
    req.on('error', (e) => { events.push(`error ${e.code}`); out.error = e })
    req.on('close', async () => {
      events.push('close')
      try {
        await waitFor(() => out.res === null || out.res.readableEnded || out.res.destroyed, 2000, 'response end')
      } catch (err) {
        clearTimeout(timer)
        reject(err)
        return
      }
      await tick()
      await tick()
      clearTimeout(timer)
      resolve(out)
    })
    if (onRequest) onRequest(req)
    if (end) req.end(body)
  })
}

/** Replaces what differs between runs (ports, dates) so heads compare. */
function normaliseHead (head, port) {
  return head.replace(new RegExp(`:${port}\\b`, 'g'), ':<port>').replace(/^Date: .*$/gim, 'Date: <date>')
}

module.exports = { SERVERS, uvhttp, useServers, scripted, exchange, withTimeout, waitFor, tick, delay, normaliseHead }
