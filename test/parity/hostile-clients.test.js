'use strict'
// Small versions of npm run stress (scripts/stress.js), as behaviour: a
// slowloris crowd is timed out while others are served, clients that never
// read stall the application's writes instead of filling the server's
// memory, and a crowd of idle keep-alive connections stays open, costs the
// next client nothing, and goes at closeIdleConnections(). The figures
// (how many, how fast, how much memory) are the script's, not the tests'.
const assert = require('assert')
const net = require('net')
const { eachImpl } = require('../helpers/impls')
const { listen, close, delay } = require('../helpers/net')
const { nodeRequest, withTimeout } = require('../helpers/req-util')

/** Opens `n` raw connections; each gets `onConnect(socket)`; resolves them all. */
function connectMany (port, n, onConnect = () => {}) {
  return Promise.all(Array.from({ length: n }, () => new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1')
    s.once('error', reject)
    s.once('connect', () => { s.removeListener('error', reject); s.on('error', () => {}); onConnect(s); resolve(s) })
  })))
}

/** Resolves once every socket has closed. */
const allClosed = (sockets) => Promise.all(sockets.map((s) => (s.destroyed && s.closed) ? null : new Promise((resolve) => s.once('close', resolve))))

eachImpl('hostile clients', (http) => {
  let server
  let sockets = []
  afterEach(async () => {
    for (const s of sockets) s.destroy()
    sockets = []
    await close(server)
  })

  it('slowloris: every connection sending its head a byte at a time gets 408 and is closed; others are served', async function () {
    this.timeout(15000)
    const timedOut = []
    server = http.createServer({ headersTimeout: 300, requestTimeout: 2000, connectionsCheckingInterval: 50 }, (req, res) => res.end('ok'))
    const emit = server.emit
    server.emit = function (event, err) {
      if (event === 'clientError') timedOut.push(err.code)
      return emit.apply(this, arguments)
    }
    const port = await listen(server)
    const received = new Map()
    sockets = await connectMany(port, 20, (s) => {
      received.set(s, '')
      s.on('data', (d) => received.set(s, received.get(s) + d))
      s.write('GET / HTTP/1.1\r\nHost: x\r\n')
    })
    const ticker = setInterval(() => { for (const s of sockets) if (!s.destroyed) s.write('X') }, 100)
    try {
      // Meanwhile a normal request on a connection of its own is answered.
      const { res, body } = await nodeRequest(port, { path: '/normal' })
      assert.deepStrictEqual([res.statusCode, body.toString()], [200, 'ok'])
      await withTimeout(allClosed(sockets), 5000, 'every slowloris connection closed by the server')
    } finally {
      clearInterval(ticker)
    }
    assert.deepStrictEqual(timedOut, Array(20).fill('ERR_HTTP_REQUEST_TIMEOUT'))
    assert.deepStrictEqual(new Set(received.values()), new Set(['HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n']))
  })

  // Plainly, and corked around each write as frameworks do (Node 24+ emits
  // 'drain' from uncork() once nothing waits: the engine's queue must count).
  for (const corked of [false, true]) {
    it(`slow readers: the application's writes stall (write() false, no 'drain') while the clients read nothing; others are served${corked ? ' (cork/uncork around writes)' : ''}`, async function () {
      this.timeout(15000)
      const chunk = Buffer.alloc(64 * 1024, 'e')
      const streams = []
      server = http.createServer((req, res) => {
        if (req.url !== '/endless') return res.end('ok')
        const stream = { written: 0, stalled: false, drains: 0, closed: false }
        streams.push(stream)
        res.on('close', () => { stream.closed = true })
        res.on('drain', () => { stream.drains++; pump() })
        // Bounded, so that a server that never pushes back fails the test rather than hang it.
        const pump = () => {
          while (!stream.closed && stream.written < 48 * 1024 * 1024) {
            stream.written += chunk.length
            if (corked) res.cork()
            const more = res.write(chunk)
            if (corked) res.uncork()
            if (!more) { stream.stalled = true; return }
          }
        }
        pump()
      })
      const port = await listen(server)
      sockets = await connectMany(port, 5, (s) => {
        s.pause() // never read a byte
        s.write('GET /endless HTTP/1.1\r\nHost: x\r\n\r\n')
      })
      const deadline = Date.now() + 5000
      const settled = () => streams.length === 5 && streams.every((s) => s.stalled)
      while (!settled() && Date.now() < deadline) await delay(20)
      assert.ok(settled(), 'every endless response met backpressure')
      // Stalled: whatever 'drain's the kernel's buffers allowed at first, none
      // comes while nobody reads, so the application writes no more.
      await delay(300)
      const written = streams.map((s) => s.written)
      const drains = streams.map((s) => s.drains)
      await delay(300)
      assert.deepStrictEqual(streams.map((s) => s.written), written)
      assert.deepStrictEqual(streams.map((s) => s.drains), drains)
      // What the kernel's buffers took at first, not an unbounded queue.
      assert.ok(written.every((n) => n < 32 * 1024 * 1024), `written: ${written}`)
      const { res, body } = await nodeRequest(port, { path: '/normal' })
      assert.deepStrictEqual([res.statusCode, body.toString()], [200, 'ok'])
      // The readers leave: every response is closed.
      for (const s of sockets) s.destroy()
      const closedBy = Date.now() + 5000
      while (!streams.every((s) => s.closed) && Date.now() < closedBy) await delay(20)
      assert.deepStrictEqual(streams.map((s) => s.closed), Array(5).fill(true))
    })
  }

  it('idle keep-alive connections stay open and cost the next client nothing; closeIdleConnections() closes them all', async function () {
    this.timeout(15000)
    server = http.createServer({ keepAliveTimeout: 60000 }, (req, res) => res.end('ok'))
    const port = await listen(server)
    const answered = []
    sockets = await connectMany(port, 200, (s) => {
      let text = ''
      s.on('data', (d) => { text += d; if (text.endsWith('ok')) answered.push(s) })
      s.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n')
    })
    const deadline = Date.now() + 5000
    while (answered.length < 200 && Date.now() < deadline) await delay(20)
    assert.strictEqual(answered.length, 200)
    const count = await new Promise((resolve, reject) => server.getConnections((err, n) => (err ? reject(err) : resolve(n))))
    assert.strictEqual(count, 200)
    assert.ok(sockets.every((s) => !s.destroyed), 'all still open')
    const { res, body } = await nodeRequest(port, { path: '/next' })
    assert.deepStrictEqual([res.statusCode, body.toString()], [200, 'ok'])
    server.closeIdleConnections()
    await withTimeout(allClosed(sockets), 5000, 'every idle connection closed')
  })
})
