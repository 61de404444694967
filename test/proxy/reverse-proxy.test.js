'use strict'
// Behind a real load balancer (issue 13.3): nginx and HAProxy in front of
// the server, as production runs Node. Each case runs against node:http and
// uvhttp: upstream keep-alive (the proxy pools its connections to the app),
// chunked responses, large uploads, X-Forwarded-* in req.headers, WebSocket
// upgrades with the ws library, and the proxy closing idle upstream
// connections. The proxies are started and stopped by the test
// (test/helpers/reverse-proxy.js); without the binary the cases are skipped
// with a message (CI installs both: .ci/run).
const assert = require('assert')
const crypto = require('crypto')
const nodeHttp = require('http')
const { WebSocket, WebSocketServer } = require('ws')
const { eachImpl } = require('../helpers/impls')
const { listen, close } = require('../helpers/net')
const { withTimeout, waitFor } = require('../helpers/res-util')
const { nginx, haproxy, which, start } = require('../helpers/reverse-proxy')

/** A request through the proxy on a new client connection; resolves { status, headers, body (Buffer) }. */
function request (port, { method = 'GET', path = '/', headers = {}, body } = {}) {
  return withTimeout(new Promise((resolve, reject) => {
    const req = nodeHttp.request({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
      const chunks = []
      res.on('data', (c) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }))
      res.on('error', reject)
    })
    req.on('error', reject)
    if (typeof body === 'function') body(req)
    else req.end(body)
  }), 10000, `${method} ${path}`)
}

const json = async (...args) => JSON.parse((await request(...args)).body)

for (const proxy of [nginx, haproxy]) {
  const installed = which(proxy.bin) !== null

  eachImpl(`behind ${proxy.name}`, (http) => {
    let server = null
    let front = null
    /** Every connection the app accepted (from the proxy): { port, closed }. */
    let upstream = []
    const clientErrors = []

    before(function () {
      if (!installed) {
        console.log(`      ${proxy.bin} is not installed here: skipped (.ci/run installs it)`)
        this.skip()
      }
    })

    async function startBoth (options) {
      server = http.createServer((req, res) => {
        if (req.url === '/chunked') {
          res.setHeader('X-Upstream-Port', req.socket.remotePort)
          res.write('first '.repeat(500))
          setTimeout(() => res.write('second '.repeat(500)), 10)
          setTimeout(() => res.end('last'), 20)
        } else if (req.url === '/upload') {
          const hash = crypto.createHash('sha256')
          let bytes = 0
          req.on('data', (c) => { bytes += c.length; hash.update(c) })
          req.on('end', () => res.end(JSON.stringify({ bytes, sha256: hash.digest('hex') })))
        } else {
          res.setHeader('Content-Type', 'application/json')
          res.end(JSON.stringify({ headers: req.headers, remoteAddress: req.socket.remoteAddress, remotePort: req.socket.remotePort }))
        }
      })
      server.on('connection', (socket) => {
        const conn = { port: socket.remotePort, closed: false }
        upstream.push(conn)
        socket.on('close', () => { conn.closed = true })
      })
      server.on('clientError', (err) => clientErrors.push(err.code))
      const wss = new WebSocketServer({ server })
      wss.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(isBinary ? data : `echo: ${data}`)))
      const appPort = await listen(server)
      front = await start(proxy, [appPort], options)
    }

    afterEach(async () => {
      if (front) await front.stop()
      if (server) await withTimeout(close(server), 3000, 'app close')
      server = front = null
      upstream = []
      assert.deepStrictEqual(clientErrors.splice(0), [])
    })

    it('keeps its connections to the app alive: 20 requests, each on its own client connection, share a few', async function () {
      this.timeout(20000)
      await startBoth()
      const seen = []
      for (let i = 0; i < 20; i++) {
        const echo = await json(front.port)
        assert.strictEqual(echo.remoteAddress, '127.0.0.1')
        seen.push(echo.remotePort)
      }
      // One, mostly: a request may come before the proxy has put the last
      // connection back in its pool.
      assert.ok(upstream.length <= 3, `upstream connections: ${JSON.stringify(upstream)}`)
      assert.deepStrictEqual(new Set(seen), new Set(upstream.map((c) => c.port)))
    })

    it('X-Forwarded-* reach req.headers', async function () {
      this.timeout(20000)
      await startBoth()
      const { headers } = await json(front.port, { headers: { Host: 'example.test', 'X-Forwarded-For': '203.0.113.7' } })
      assert.strictEqual(headers['x-forwarded-for'], '203.0.113.7, 127.0.0.1')
      assert.strictEqual(headers['x-forwarded-proto'], 'http')
      assert.strictEqual(headers.host, 'example.test')
    })

    it('a chunked response arrives whole, and the proxy keeps the connection it came on', async function () {
      this.timeout(20000)
      await startBoth()
      const res = await request(front.port, { path: '/chunked' })
      assert.strictEqual(res.status, 200)
      assert.strictEqual(res.body.toString(), 'first '.repeat(500) + 'second '.repeat(500) + 'last')
      assert.strictEqual((await request(front.port)).status, 200)
      // A proxy that could not find the end of the body would close it.
      await new Promise((resolve) => setTimeout(resolve, 100))
      const conn = upstream.find((c) => c.port === Number(res.headers['x-upstream-port']))
      assert.strictEqual(conn.closed, false)
    })

    it('large uploads arrive whole: 8 MiB with a Content-Length, 3 MiB chunked', async function () {
      this.timeout(30000)
      await startBoth()
      const big = crypto.randomBytes(8 << 20)
      const sized = await json(front.port, { method: 'POST', path: '/upload', headers: { 'Content-Length': big.length }, body: big })
      assert.deepStrictEqual(sized, { bytes: big.length, sha256: crypto.createHash('sha256').update(big).digest('hex') })
      const piece = crypto.randomBytes(64 << 10)
      const hash = crypto.createHash('sha256')
      const chunked = await json(front.port, {
        method: 'POST',
        path: '/upload',
        body: (req) => {
          for (let i = 0; i < 48; i++) { req.write(piece); hash.update(piece) }
          req.end()
        }
      })
      assert.deepStrictEqual(chunked, { bytes: 48 * piece.length, sha256: hash.digest('hex') })
    })

    it('a WebSocket (ws) upgrades through it and echoes text and a 256 KiB binary message', async function () {
      this.timeout(20000)
      await startBoth()
      const ws = new WebSocket(`ws://127.0.0.1:${front.port}/ws`)
      const messages = []
      ws.on('message', (data, isBinary) => messages.push(isBinary ? data : data.toString()))
      await withTimeout(new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject) }), 5000, 'ws open')
      const blob = crypto.randomBytes(256 << 10)
      ws.send('hello')
      ws.send(blob)
      await waitFor(() => messages.length === 2, 5000, 'ws echoes')
      assert.strictEqual(messages[0], 'echo: hello')
      assert.ok(Buffer.compare(messages[1], blob) === 0)
      const closed = new Promise((resolve) => ws.once('close', (code) => resolve(code)))
      ws.close(1000)
      assert.strictEqual(await withTimeout(closed, 5000, 'ws close'), 1000)
    })

    it('closes an idle connection to the app after its idle timeout; the app lets it go and the next request opens a new one', async function () {
      this.timeout(20000)
      await startBoth({ idleTimeout: 1 })
      const first = await json(front.port)
      assert.strictEqual(upstream.length, 1)
      await waitFor(() => upstream[0].closed, 8000, 'the proxy closing the idle connection')
      await waitFor(() => new Promise((resolve) => server.getConnections((err, n) => resolve(!err && n === 0))), 2000, 'no connection left')
      const next = await json(front.port)
      assert.notStrictEqual(next.remotePort, first.remotePort)
      assert.strictEqual(upstream.length, 2)
      // nginx closes with a FIN; HAProxy resets a purged connection, which
      // the server reports as Node does: 'clientError' ECONNRESET.
      assert.deepStrictEqual(clientErrors.splice(0), proxy === haproxy ? ['ECONNRESET'] : [])
    })

    if (proxy === nginx) {
      it('closes a connection to the app after keepalive_requests; no request fails', async function () {
        this.timeout(20000)
        await startBoth({ keepaliveRequests: 5 })
        const ports = []
        for (let i = 0; i < 12; i++) ports.push((await json(front.port)).remotePort)
        assert.deepStrictEqual(ports.map((p) => ports.indexOf(p)), [0, 0, 0, 0, 0, 5, 5, 5, 5, 5, 10, 10])
      })
    }
  })
}
