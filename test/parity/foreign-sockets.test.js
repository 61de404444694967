'use strict'
// Issue 4: sockets the application brings. server.emit('connection', socket)
// with a TLS socket (tls.createServer handing over on 'secureConnection'), a
// net.Socket from a plain net.createServer, or any Duplex is served with the
// same parser, limits, errors and events as the engine's own sockets, and
// req.socket is the application's socket (a TLSSocket: `encrypted` is true).
const assert = require('assert')
const crypto = require('crypto')
const https = require('https')
const net = require('net')
const stream = require('stream')
const tls = require('tls')
const { AsyncLocalStorage } = require('async_hooks')
const { once } = require('events')
const { WebSocketServer, WebSocket } = require('ws')
const { eachImpl } = require('../helpers/impls')
const { listen, close, rawRequest, normaliseDate, delay } = require('../helpers/net')
const { rawClient, withTimeout, waitFor, onceWithin } = require('../helpers/res-util')
const { selfSignedCert } = require('../helpers/tls-cert')

const sha = (buf) => crypto.createHash('sha256').update(buf).digest('hex')

/** One https request; resolves { res, body, socket } (socket: the client's). */
function httpsRequest (port, { method = 'GET', path = '/', body, agent = false, ms = 5000, ...tlsOptions } = {}) {
  return withTimeout(new Promise((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', port, method, path, agent, ...tlsOptions }, (res) => {
      const chunks = []
      res.on('data', (c) => chunks.push(c))
      res.on('end', () => resolve({ res, body: Buffer.concat(chunks), socket: req.socket }))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(body)
  }), ms, `https ${method} ${path}`)
}

/** What node:http did with each malformed input, to hold uvhttp's foreign sockets to. */
const reference = new Map()

eachImpl('server.emit(\'connection\', socket): sockets the application brings', (http, implName) => {
  const cleanups = []
  afterEach(async () => {
    for (const fn of cleanups.splice(0).reverse()) await withTimeout(fn(), 2000, 'cleanup').catch(() => {})
  })

  /**
   * A front server (net or tls) that hands every socket to an http server
   * created with `handler`; resolves { server, front, port, sockets }.
   */
  async function handOver (kind, handler, options) {
    const server = options ? http.createServer(options, handler) : http.createServer(handler)
    const sockets = []
    const onSocket = (s) => { sockets.push(s); server.emit('connection', s) }
    const front = kind === 'tls'
      ? tls.createServer({ ...selfSignedCert() }, onSocket)
      : net.createServer(onSocket)
    const port = await listen(front)
    cleanups.push(async () => {
      for (const s of sockets) s.destroy()
      await new Promise((resolve) => front.close(resolve))
      await close(server)
    })
    return { server, front, port, sockets }
  }

  describe('a TLS socket from tls.createServer', function () {
    before(function () {
      if (!selfSignedCert()) this.skip() // no openssl to make a certificate
    })

    it('serves https requests; req.socket is the TLSSocket itself, encrypted', async () => {
      const seen = {}
      const { port, sockets } = await handOver('tls', (req, res) => {
        seen.tlsSocket = req.socket instanceof tls.TLSSocket
        seen.encrypted = req.socket.encrypted
        seen.connection = req.connection === req.socket
        seen.resSocket = res.socket === req.socket
        seen.handedOver = req.socket === sockets[0]
        seen.remote = req.socket.remoteAddress
        res.setHeader('Content-Type', 'text/plain')
        res.end(`hello ${req.method} ${req.url}`)
      })
      const { res, body } = await httpsRequest(port, { path: '/secure?x=1', rejectUnauthorized: false })
      assert.strictEqual(res.statusCode, 200)
      assert.strictEqual(body.toString(), 'hello GET /secure?x=1')
      assert.strictEqual(res.headers['content-type'], 'text/plain')
      assert.deepStrictEqual(seen, { tlsSocket: true, encrypted: true, connection: true, resSocket: true, handedOver: true, remote: '127.0.0.1' })
    })

    it('a client that verifies the certificate (ca, servername) gets through too', async () => {
      const { port } = await handOver('tls', (req, res) => res.end('verified'))
      const { body, socket } = await httpsRequest(port, { ca: selfSignedCert().cert, servername: 'localhost' })
      assert.strictEqual(body.toString(), 'verified')
      assert.strictEqual(socket.authorized, true)
    })

    it('keep-alive: requests reuse the socket; 1 MiB bodies go both ways intact', async () => {
      const seenSockets = new Set()
      const { port } = await handOver('tls', (req, res) => {
        seenSockets.add(req.socket)
        if (req.url === '/big') {
          const big = Buffer.alloc(1024 * 1024, 7)
          res.setHeader('X-Sha', sha(big))
          // chunked, in pieces, with backpressure
          let i = 0
          const more = () => {
            while (i < 16) {
              if (!res.write(big.subarray(i * 65536, ++i * 65536))) return res.once('drain', more)
            }
            res.end()
          }
          return more()
        }
        const chunks = []
        req.on('data', (c) => chunks.push(c))
        req.on('end', () => res.end(sha(Buffer.concat(chunks))))
      })
      const agent = new https.Agent({ keepAlive: true, maxSockets: 1, rejectUnauthorized: false })
      cleanups.push(async () => agent.destroy())
      const upload = crypto.randomBytes(1024 * 1024)
      const a = await httpsRequest(port, { method: 'POST', path: '/up', body: upload, agent })
      assert.strictEqual(a.body.toString(), sha(upload))
      const b = await httpsRequest(port, { path: '/big', agent })
      assert.strictEqual(b.res.headers['transfer-encoding'], 'chunked')
      assert.strictEqual(b.body.length, 1024 * 1024)
      assert.strictEqual(sha(b.body), b.res.headers['x-sha'])
      assert.strictEqual(seenSockets.size, 1)
    })

    it('\'upgrade\' over TLS: a ws WebSocketServer (noServer) talks wss through the handed-over socket', async () => {
      const { server, port, sockets } = await handOver('tls', (req, res) => res.end('http'))
      const wss = new WebSocketServer({ noServer: true })
      cleanups.push(async () => { for (const c of wss.clients) c.terminate(); wss.close() })
      const seen = {}
      server.on('upgrade', (req, socket, head) => {
        seen.same = socket === sockets[0]
        seen.encrypted = socket.encrypted
        wss.handleUpgrade(req, socket, head, (ws) => ws.on('message', (m) => ws.send(`echo:${m}`)))
      })
      const ws = new WebSocket(`wss://127.0.0.1:${port}/ws`, { rejectUnauthorized: false })
      await onceWithin(ws, 'open')
      const reply = onceWithin(ws, 'message')
      ws.send('over tls')
      const [data] = await reply
      assert.strictEqual(data.toString(), 'echo:over tls')
      const closed = onceWithin(ws, 'close')
      ws.close(1000, 'done')
      const [code] = await closed
      assert.strictEqual(code, 1000)
      assert.deepStrictEqual(seen, { same: true, encrypted: true })
    })
  })

  describe('a net.Socket from net.createServer', () => {
    it('serves pipelined requests in order and closes after Connection: close', async () => {
      const seen = []
      const { port, sockets } = await handOver('net', (req, res) => {
        seen.push([req.url, req.socket === sockets[0], req.socket.encrypted])
        res.end(`r${req.url}`)
      })
      const text = await rawRequest(port,
        'GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\nGET /3 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
      assert.strictEqual(text.timedOut, false)
      const bodies = text.data.split('\r\n\r\n').slice(1).map((s) => s.split('HTTP/1.1')[0])
      assert.deepStrictEqual(bodies, ['r/1', 'r/2', 'r/3'])
      assert.deepStrictEqual(seen, [['/1', true, undefined], ['/2', true, undefined], ['/3', true, undefined]])
    })

    it('a request body that nobody reads pauses the socket; reading it later gets every byte', async () => {
      let request
      const { port, sockets } = await handOver('net', (req, res) => { request = [req, res] })
      const body = crypto.randomBytes(8 * 1024 * 1024)
      const client = net.connect(port, '127.0.0.1')
      client.on('error', () => {})
      client.write(`POST / HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`)
      client.write(body)
      await waitFor(() => request !== undefined, 2000, "'request'")
      await delay(300)
      assert.ok(client.writableLength > 0, 'the client wrote 8 MiB that nobody read')
      assert.ok(sockets[0].readableLength <= 1024 * 1024, `the server socket buffered ${sockets[0].readableLength} bytes`)
      const [req, res] = request
      const chunks = []
      req.on('data', (c) => chunks.push(c))
      await onceWithin(req, 'end', 8000)
      const got = Buffer.concat(chunks)
      assert.strictEqual(sha(got), sha(body))
      client.resume()
      res.end('ok')
      await onceWithin(client, 'close')
    })

    it('a client that pipelines without reading responses stalls: the handed-over socket stops being read', async function () {
      this.timeout(15000)
      let requests = 0
      const body = Buffer.alloc(16 * 1024, 'r')
      const { port } = await handOver('net', (req, res) => { requests++; res.end(body) })
      const sock = net.connect(port, '127.0.0.1')
      sock.on('error', () => {})
      await onceWithin(sock, 'connect')
      sock.pause()
      const request = Buffer.from(`GET / HTTP/1.1\r\nHost: x\r\nX-Pad: ${'p'.repeat(2000)}\r\n\r\n`.repeat(256))
      let sent = 0
      const deadline = Date.now() + 8000
      while (Date.now() < deadline && sent < 50000) {
        if (!sock.write(request)) {
          const drained = await Promise.race([once(sock, 'drain').then(() => true), delay(500).then(() => false)])
          if (!drained) break
        }
        sent += 256
      }
      await delay(200)
      const handled = requests
      sock.destroy()
      assert.ok(sent < 50000, `the client was never stalled (${sent} requests sent)`)
      assert.ok(handled < sent, `the server handled every request (${handled} of ${sent})`)
    })

    it('\'upgrade\' hands over the same socket with head; the server stops parsing it', async () => {
      const { server, port, sockets } = await handOver('net', (req, res) => res.end('http'))
      const seen = {}
      server.on('upgrade', (req, socket, head) => {
        seen.same = socket === sockets[0]
        seen.head = head.toString()
        socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n')
        socket.on('data', (d) => socket.write(d))
        socket.on('end', () => socket.end())
      })
      const client = await rawClient(port)
      client.write('GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\nhead bytes|')
      await client.until((t) => t.includes('\r\n\r\n'))
      client.write('GET /not-parsed HTTP/1.1\r\n\r\n')
      await client.until((t) => t.endsWith('GET /not-parsed HTTP/1.1\r\n\r\n'))
      client.sock.end()
      await client.waitClose()
      assert.deepStrictEqual(seen, { same: true, head: 'head bytes|' })
    })

    it('\'connect\' gets the socket; without a listener a CONNECT is closed', async () => {
      const { server, port, sockets } = await handOver('net', (req, res) => res.end('http'))
      const a = await rawClient(port)
      a.write('CONNECT b.example:443 HTTP/1.1\r\nHost: b.example:443\r\n\r\n')
      await a.waitClose()
      assert.strictEqual(a.text, '')
      server.on('connect', (req, socket, head) => {
        socket.end(`HTTP/1.1 200 Connection Established\r\n\r\n${req.url} ${head} ${socket === sockets[1]}`)
      })
      const b = await rawClient(port)
      b.write('CONNECT b.example:443 HTTP/1.1\r\nHost: b.example:443\r\n\r\nhi')
      await b.waitClose()
      assert.strictEqual(b.text, 'HTTP/1.1 200 Connection Established\r\n\r\nb.example:443 hi true')
    })

    it('headersTimeout applies to a handed-over socket once the server listens: 408', async () => {
      const { server, port } = await handOver('net', (req, res) => res.end('late'),
        { headersTimeout: 200, requestTimeout: 1000, connectionsCheckingInterval: 50 })
      await listen(server) // Node tracks connections for the timeouts from 'listening' on
      const codes = []
      server.on('clientError', (err, socket) => {
        codes.push(err.code)
        socket.end('HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n')
      })
      const t0 = Date.now()
      const { data, timedOut } = await rawRequest(port, 'GET / HTTP/1.1\r\nHost: x\r\n', { ms: 3000 })
      assert.strictEqual(timedOut, false)
      assert.strictEqual(data, 'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n')
      assert.deepStrictEqual(codes, ['ERR_HTTP_REQUEST_TIMEOUT'])
      assert.ok(Date.now() - t0 >= 150)
    })

    it('server.setTimeout() arms the socket\'s timeout: an idle socket is destroyed', async () => {
      const { server, port } = await handOver('net', (req, res) => res.end('x'))
      server.setTimeout(100)
      const t0 = Date.now()
      const { data, timedOut } = await rawRequest(port, 'GET / HTTP/1.1\r\nHost: x\r\n', { ms: 3000 })
      assert.strictEqual(timedOut, false)
      assert.strictEqual(data, '')
      assert.ok(Date.now() - t0 >= 80)
    })

    it('socket.setEncoding() throws ERR_HTTP_SOCKET_ENCODING, on engine and handed-over sockets', async () => {
      const handler = (req, res) => {
        try {
          req.socket.setEncoding('utf8')
          res.end('no error')
        } catch (err) {
          res.end(err.code)
        }
      }
      const engine = http.createServer(handler)
      const enginePort = await listen(engine)
      cleanups.push(() => close(engine))
      const { port } = await handOver('net', handler)
      const GET = 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'
      for (const p of [enginePort, port]) {
        const { data } = await rawRequest(p, GET)
        assert.match(data, /\r\n\r\nERR_HTTP_SOCKET_ENCODING$/)
      }
    })

    it('AsyncLocalStorage: \'request\' sees the store active when the socket was handed over', async () => {
      const als = new AsyncLocalStorage()
      const server = http.createServer((req, res) => res.end(String(als.getStore())))
      const front = net.createServer((s) => als.run('handed-over', () => server.emit('connection', s)))
      const port = await listen(front)
      cleanups.push(async () => { await new Promise((resolve) => front.close(resolve)) })
      const { data } = await rawRequest(port, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
      assert.match(data, /\r\n\r\nhanded-over$/)
    })

    it('closeAllConnections()/closeIdleConnections() reach handed-over sockets only once the server has listened (Node\'s ConnectionsList)', async () => {
      const { server, port, sockets } = await handOver('net', (req, res) => res.end('x'))
      const a = await rawClient(port)
      a.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n')
      await a.until((t) => t.endsWith('\r\n\r\nx'))
      server.closeIdleConnections()
      server.closeAllConnections()
      await delay(50)
      assert.strictEqual(sockets[0].destroyed, false, 'an untracked socket was closed')
      await listen(server)
      const b = await rawClient(port)
      b.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n')
      await b.until((t) => t.endsWith('\r\n\r\nx'))
      server.closeIdleConnections()
      await b.waitClose()
      assert.strictEqual(sockets[1].destroyed, true)
      assert.strictEqual(sockets[0].destroyed, false)
    })

    it('the server is not closed by its handed-over connections, nor counted as listening', async () => {
      const { server, port } = await handOver('net', (req, res) => res.end('x'))
      let closes = 0
      server.on('close', () => closes++)
      await rawRequest(port, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
      await delay(30)
      assert.strictEqual(closes, 0)
      assert.strictEqual(server.listening, false)
      assert.deepStrictEqual(server.listeners('connection').length, 1)
    })
  })

  it('any Duplex: a request pushed into a stream.Duplex is answered through its write side', async () => {
    const server = http.createServer((req, res) => {
      let body = ''
      req.on('data', (d) => { body += d })
      req.on('end', () => res.end(`${req.method} ${req.url} ${body}`))
    })
    const out = []
    let ended = false
    const duplex = new stream.Duplex({
      read () {},
      write (chunk, enc, cb) { out.push(Buffer.from(chunk)); cb() },
      final (cb) { ended = true; cb() }
    })
    server.emit('connection', duplex)
    duplex.push('POST /duplex HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nConnection: close\r\n\r\nbody')
    await waitFor(() => ended, 2000, 'the response to end the duplex')
    const text = normaliseDate(Buffer.concat(out).toString())
    assert.strictEqual(text, 'HTTP/1.1 200 OK\r\nDate: <date>\r\nConnection: close\r\nContent-Length: 17\r\n\r\nPOST /duplex body')
    duplex.destroy()
  })

  it('the server\'s maxHeaderSize applies to engine and handed-over sockets alike (0 meaning the default)', async () => {
    const head = `GET / HTTP/1.1\r\nHost: x\r\nX-Pad: ${'p'.repeat(200)}\r\nConnection: close\r\n\r\n`
    const out = {}
    for (const maxHeaderSize of [100, 0]) {
      const handler = (req, res) => res.end('fits')
      const engine = http.createServer({ maxHeaderSize }, handler)
      const enginePort = await listen(engine)
      cleanups.push(() => close(engine))
      const { port } = await handOver('net', handler, { maxHeaderSize })
      const a = await rawRequest(enginePort, head)
      const b = await rawRequest(port, head)
      out[maxHeaderSize] = [a.data.split('\r\n')[0], b.data.split('\r\n')[0]]
    }
    assert.deepStrictEqual(out, {
      100: ['HTTP/1.1 431 Request Header Fields Too Large', 'HTTP/1.1 431 Request Header Fields Too Large'],
      0: ['HTTP/1.1 200 OK', 'HTTP/1.1 200 OK']
    })
  })

  describe('malformed input: the same \'clientError\' and canned answer as on the engine\'s sockets', () => {
    const cases = [
      ['an invalid header token', 'GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n'],
      ['an invalid method', 'G@T / HTTP/1.1\r\nHost: x\r\n\r\n'],
      ['two Content-Lengths', 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab'],
      ['a bad chunk size', 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'],
      ['headers past maxHeaderSize (431)', `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20000)}\r\n\r\n`, { noBytesParsed: true }],
      ['chunk extensions past the limit (413)', `POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1;${'e'.repeat(20000)}\r\na\r\n0\r\n\r\n`, { noBytesParsed: true }],
      ['a body cut short by the client\'s FIN', 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc', { end: true }],
      ['HTTP/1.1 without Host (a 400 response, no clientError)', 'GET / HTTP/1.1\r\n\r\n']
    ]

    for (const [title, input, opts = {}] of cases) {
      it(title, async () => {
        const results = []
        for (const kind of ['engine', 'net']) {
          const errors = []
          const handler = (req, res) => { req.resume(); req.on('end', () => res.end('handled')) }
          let port, server
          if (kind === 'engine') {
            server = http.createServer(handler)
            port = await listen(server)
            cleanups.push(() => close(server))
          } else {
            ({ server, port } = await handOver('net', handler))
          }
          server.on('clientError', (err, socket) => {
            errors.push([err.code, opts.noBytesParsed ? '-' : err.bytesParsed, err.message])
            if (socket.writable) socket.write('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n')
            socket.destroy()
          })
          const first = await rawRequest(port, input, { end: !!opts.end })
          // And without a 'clientError' listener: Node's canned response.
          server.removeAllListeners('clientError')
          const canned = await rawRequest(port, input, { end: !!opts.end })
          results.push({ kind, errors, first: normaliseDate(first.data), canned: normaliseDate(canned.data), timedOut: first.timedOut || canned.timedOut })
        }
        const [engine, foreign] = results
        assert.strictEqual(engine.timedOut, false)
        assert.deepStrictEqual({ ...foreign, kind: 'engine' }, engine)
        if (implName === 'node:http') reference.set(title, foreign)
        else if (reference.has(title)) assert.deepStrictEqual(foreign, reference.get(title))
      })
    }
  })
})

describe('server.emit(\'connection\') and the engine\'s own sockets [uvhttp]', () => {
  it('an engine socket is served once, not also as a foreign one', async () => {
    const http = require('../..')
    let requests = 0
    const sockets = []
    const server = http.createServer((req, res) => { requests++; res.end('once') })
    server.on('connection', (s) => sockets.push(s))
    await listen(server)
    try {
      const { data } = await rawRequest(server.address().port, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
      assert.match(data, /^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\nonce$/)
      assert.strictEqual(requests, 1)
      assert.strictEqual(sockets.length, 1)
      assert.ok(sockets[0] instanceof net.Socket)
    } finally {
      await close(server)
    }
  })

  it('the handed-over socket\'s parser is uvhttp\'s (llhttp in the addon), not Node\'s', async () => {
    const http = require('../..')
    const server = http.createServer((req, res) => res.end(String(req.socket.parser)))
    const front = net.createServer((s) => server.emit('connection', s))
    const port = await listen(front)
    try {
      const { data } = await rawRequest(port, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
      // Node's connectionListener sets socket.parser; uvhttp's does not.
      assert.match(data, /\r\n\r\nundefined$/)
    } finally {
      await new Promise((resolve) => front.close(resolve))
    }
  })
})
