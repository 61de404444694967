'use strict'
// Loopback helpers shared by the tests: start a server on an ephemeral port,
// talk raw bytes to it, wait for events. Everything is bounded in time.
const net = require('net')
const { once } = require('events')

/** Starts `server` on 127.0.0.1:0 and resolves its port. */
async function listen (server, host = '127.0.0.1') {
  server.listen(0, host)
  await once(server, 'listening')
  return server.address().port
}

/** Closes a server and every connection it still has. */
async function close (server) {
  if (!server || !server.listening) return
  if (server.closeAllConnections) server.closeAllConnections()
  await new Promise((resolve) => server.close(() => resolve()))
}

/**
 * Opens a raw TCP connection, writes `data` (string or Buffer, or an array of
 * pieces written with a pause between them), and resolves everything the peer
 * sent until it closes the connection or `ms` pass (then `timedOut` is true).
 */
function rawRequest (port, data, { ms = 2000, end = false, host = '127.0.0.1', gapMs = 10 } = {}) {
  return new Promise((resolve, reject) => {
    const chunks = []
    let timedOut = false
    const sock = net.connect(port, host)
    const timer = setTimeout(() => { timedOut = true; sock.destroy() }, ms)
    sock.on('data', (c) => chunks.push(c))
    sock.on('error', (err) => { if (err.code !== 'ECONNRESET') { clearTimeout(timer); reject(err) } })
    sock.on('close', () => {
      clearTimeout(timer)
      resolve({ data: Buffer.concat(chunks).toString('latin1'), timedOut })
    })
    sock.on('connect', async () => {
      const pieces = Array.isArray(data) ? data : [data]
      for (let i = 0; i < pieces.length; i++) {
        if (i > 0) await new Promise((r) => setTimeout(r, gapMs))
        if (!sock.destroyed) sock.write(pieces[i])
      }
      if (end) sock.end()
    })
  })
}

/** Replaces the value of any Date header so that responses compare byte for byte. */
function normaliseDate (text) {
  return text.replace(/^Date: .*$/gim, 'Date: <date>')
}

/** Resolves after `ms`. */
const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Whether this Node's own net.Server honours listen({ reusePort }) (22.12 and
 * later): a second server on the same port listens instead of EADDRINUSE.
 */
async function nodeHasReusePort () {
  const first = net.createServer().listen({ port: 0, host: '127.0.0.1', reusePort: true })
  await once(first, 'listening')
  const second = net.createServer()
  const listening = await new Promise((resolve) => {
    second.once('listening', () => resolve(true))
    second.once('error', () => resolve(false))
    second.listen({ port: first.address().port, host: '127.0.0.1', reusePort: true })
  })
  first.close()
  if (listening) second.close()
  return listening
}

module.exports = { listen, close, rawRequest, normaliseDate, delay, nodeHasReusePort }
