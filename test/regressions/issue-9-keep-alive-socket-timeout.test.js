'use strict'
// Issue 9.9: socket timeouts on a reused keep-alive connection (COMPAT #23).
// Node replaces the socket's timeout (server.setTimeout) by the keep-alive
// timeout while a connection waits for its next request, gives it back when
// the next request arrives (resetSocketTimeout), and clears it when the
// socket is destroyed. uvhttp left the server's timeout running through the
// keep-alive wait (an idle connection timed out, and closed, long before
// keepAliveTimeout), ended the keep-alive wait without a 'timeout' event on
// the socket, and left the timer of a destroyed socket armed, so a write or
// read after it fired it again: Fastify's onTimeout hook ran twice for one
// request. Fastify ({ connectionTimeout }) calls server.setTimeout.
const assert = require('assert')
const net = require('net')
const path = require('path')
const { execFile } = require('child_process')
const Fastify = require('fastify')
const { eachImpl } = require('../helpers/impls')
const { delay, close } = require('../helpers/net')
const { rawConnect } = require('../helpers/req-raw')
const { serverPool, withTimeout } = require('../helpers/req-util')

const GET = (url) => `GET ${url} HTTP/1.1\r\nHost: x\r\n\r\n`

eachImpl('regression: issue 9.9, socket timeouts on a keep-alive connection', (http) => {
  const pool = serverPool()
  afterEach(() => pool.closeAll())

  /**
   * A server with setTimeout(timeout) whose /ok answers at once and /late after
   * 600 ms; `events` records 'timeout's on the server (then the socket stays
   * open; with the socket they came with), and on the request's socket (this
   * listener comes after the server's own).
   */
  async function start ({ timeout = 300, keepAliveTimeout = 5000, serverListener = true } = {}) {
    const events = []
    const sockets = new Set()
    const { server, port } = await pool.start(http, (req, res) => {
      events.push(`request ${req.url}`)
      if (!sockets.has(req.socket)) {
        sockets.add(req.socket)
        req.socket.on('timeout', () => events.push('socket timeout'))
        req.socket.on('close', () => events.push('socket close'))
      }
      if (req.url === '/ok') res.end('ok')
      else setTimeout(() => res.end('late'), 600)
    })
    server.setTimeout(timeout)
    server.keepAliveTimeout = keepAliveTimeout
    if (serverListener) server.on('timeout', (socket) => events.push(`server timeout, ${sockets.has(socket) ? 'the request\'s socket' : 'another socket'}`))
    return { server, port, events }
  }

  it('times out the second request of a connection, on the socket it came on, once', async () => {
    const { port, events } = await start({ serverListener: false })
    const c = await rawConnect(port, GET('/ok'))
    await c.waitFor('\r\n\r\nok')
    await c.write(GET('/late'))
    assert.ok(await c.waitClose(3000), 'the timed-out connection closes')
    await delay(500)
    assert.deepStrictEqual(events, ['request /ok', 'request /late', 'socket timeout', 'socket close'])
  })

  it('fires \'timeout\' for every request of the connection, and never while it waits for the next', async () => {
    const { port, events } = await start()
    const c = await rawConnect(port, GET('/late'))
    await c.waitFor('\r\n\r\nlate', 3000)
    // Idle for longer than the socket timeout, well within keepAliveTimeout.
    await delay(900)
    await c.write(GET('/late'))
    await c.waitFor(/late[^]*late$/, 3000)
    await delay(900)
    assert.strictEqual(c.closed, false, 'the idle keep-alive connection stays open')
    assert.deepStrictEqual(events, [
      'request /late', 'server timeout, the request\'s socket', 'socket timeout',
      'request /late', 'server timeout, the request\'s socket', 'socket timeout'
    ])
  })

  it('ends the keep-alive wait with a \'timeout\' on the socket', async () => {
    const { port, events } = await start({ timeout: 0, keepAliveTimeout: 100, serverListener: false })
    const c = await rawConnect(port, GET('/ok'))
    await c.waitFor('\r\n\r\nok')
    assert.ok(await c.waitClose(4000), 'the keep-alive timeout closes the connection')
    await delay(50)
    assert.deepStrictEqual(events, ['request /ok', 'socket timeout', 'socket close'])
  })

  it('never fires the timeout of a socket destroyed before it', async () => {
    const { port, events } = await start({ serverListener: false })
    const c = await rawConnect(port, GET('/late'))
    await delay(100)
    c.destroy()
    await delay(800)
    assert.deepStrictEqual(events, ['request /late', 'socket close'])
  })
})

describe('regression: issue 9.9, Fastify({ connectionTimeout }) on a keep-alive connection', function () {
  this.timeout(20000)

  /** Runs a Fastify app in a child process (fresh module state), node:http or uvhttp as require('http'). */
  function runApp (preload) {
    const script = `
      const net = require('net')
      const Fastify = require(${JSON.stringify(require.resolve('fastify'))})
      const app = Fastify({ connectionTimeout: 300 })
      const events = []
      app.addHook('onTimeout', async (request) => { events.push('onTimeout ' + request.url) })
      app.get('/ok', async () => 'ok')
      app.get('/hang', () => new Promise(() => {}))
      process.on('uncaughtException', (err) => { events.push('uncaught ' + err.message) })
      app.listen({ port: 0, host: '127.0.0.1' }).then(() => {
        const socket = net.connect(app.server.address().port, '127.0.0.1')
        let text = ''
        socket.on('data', (d) => {
          text += d
          if (text.endsWith('ok') && !socket.second) { socket.second = true; socket.write('GET /hang HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n') }
        })
        socket.on('close', () => events.push('client sees the connection close'))
        socket.write('GET /ok HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n')
        const impl = app.server instanceof require('uvhttp').Server ? 'uvhttp' : 'node:http'
        setTimeout(() => { socket.destroy(); app.close(); console.log(JSON.stringify({ impl, events })) }, 1500)
      })
    `
    const args = preload ? ['-r', preload, '-e', script] : ['-e', script]
    return new Promise((resolve, reject) => {
      execFile(process.execPath, args, { timeout: 15000 }, (err, stdout) => {
        if (err) reject(err)
        else resolve(JSON.parse(stdout.trim().split('\n').pop()))
      })
    })
  }

  it('times out the second request once, runs onTimeout once, and closes, as on node:http', async () => {
    const reference = await runApp(null)
    assert.deepStrictEqual(reference, { impl: 'node:http', events: ['onTimeout /hang', 'client sees the connection close'] })
    const uvhttp = await runApp('uvhttp/register')
    assert.deepStrictEqual(uvhttp, { impl: 'uvhttp', events: reference.events })
  })

  it('does the same with a uvhttp server from serverFactory that sets the timeout', async () => {
    const uvhttp = require(path.join(__dirname, '..', '..'))
    const events = []
    const app = Fastify({
      serverFactory (handler) {
        const server = uvhttp.createServer(handler)
        server.setTimeout(300)
        return server
      }
    })
    app.addHook('onTimeout', async (request) => { events.push('onTimeout ' + request.url) })
    app.get('/ok', async () => 'ok')
    app.get('/hang', () => new Promise(() => {}))
    await app.listen({ port: 0, host: '127.0.0.1' })
    try {
      const socket = net.connect(app.server.address().port, '127.0.0.1')
      let text = ''
      const closed = new Promise((resolve) => socket.on('close', resolve))
      socket.on('data', (d) => {
        text += d
        if (text.endsWith('ok') && !socket.second) { socket.second = true; socket.write(GET('/hang')) }
      })
      socket.write(GET('/ok'))
      await withTimeout(closed, 3000, 'the connection to close')
      await delay(800)
      assert.deepStrictEqual(events, ['onTimeout /hang'])
    } finally {
      await withTimeout(app.close(), 3000, 'app.close').catch(() => close(app.server))
    }
  })
})
