'use strict'
// One test (or a few) per item of shared/COMPAT.md that concerns the server:
// what real frameworks and middleware rely on, written the way they use it.
// Items 11 and 12 are client-only and live in the client tests.
const assert = require('assert')
const crypto = require('crypto')
const fs = require('fs')
const nodeHttp = require('http')
const os = require('os')
const path = require('path')
const stream = require('stream')
const util = require('util')
const zlib = require('zlib')
const express = require('express')
const { WebSocketServer, WebSocket } = require('ws')
const { eachImpl } = require('../helpers/impls')
const { byLine } = require('../helpers/node-line')
const { normaliseDate } = require('../helpers/net')
const { useServers, request, raw, splitResponse, rawClient, withTimeout, waitFor, onceWithin } = require('../helpers/res-util')

const GET = (p = '/') => `GET ${p} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`

/** A temp file with `data`; returns its path. */
function tempFile (data, ext = '.bin') {
  const file = path.join(os.tmpdir(), `uvhttp-compat-${process.pid}-${crypto.randomBytes(4).toString('hex')}${ext}`)
  fs.writeFileSync(file, data)
  return file
}

eachImpl('compat', (http) => {
  const serve = useServers(http)
  const files = []
  afterEach(() => { for (const f of files.splice(0)) fs.rmSync(f, { force: true }) })

  it('#1 req is a real stream.Readable: instanceof, _readableState, data/end, pipe()', async () => {
    const seen = {}
    const { port } = await serve((req, res) => {
      seen.readable = req instanceof stream.Readable
      seen.incoming = req instanceof http.IncomingMessage
      seen.state = typeof req._readableState === 'object' && req._readableState !== null
      seen.objectMode = req._readableState.objectMode
      seen.events = []
      const collected = []
      const sink = new stream.Writable({
        write (chunk, enc, cb) { collected.push(chunk); cb() }
      })
      req.on('end', () => seen.events.push('end'))
      req.on('close', () => seen.events.push('close'))
      sink.on('finish', () => {
        seen.body = Buffer.concat(collected).toString()
        res.end('got it')
      })
      req.pipe(sink)
    })
    const body = 'x'.repeat(100000)
    const out = await request(port, { method: 'POST', body, headers: { 'Content-Type': 'text/plain' } })
    assert.strictEqual(out.body.toString(), 'got it')
    await waitFor(() => seen.events.includes('close'), 2000, "req 'close'")
    assert.strictEqual(seen.body, body)
    assert.deepStrictEqual([seen.readable, seen.incoming, seen.state, seen.objectMode], [true, true, true, false])
    assert.deepStrictEqual(seen.events, ['end', 'close'])
  })

  it('#1 req supports async iteration and readable.read() like any Readable', async () => {
    const { port } = await serve(async (req, res) => {
      const chunks = []
      for await (const c of req) chunks.push(c)
      res.end(`${Buffer.concat(chunks).length} ${req.readableEnded}`)
    })
    const { body } = await request(port, { method: 'POST', body: Buffer.alloc(70000, 1) })
    assert.strictEqual(body.toString(), '70000 true')
  })

  it('#2 fs.createReadStream(file).pipe(res) and stream.pipeline(file, res) deliver the file', async () => {
    const data = crypto.randomBytes(3 * 1024 * 1024 + 7)
    const file = tempFile(data)
    files.push(file)
    let pipelineErr = 'not called'
    const { port } = await serve((req, res) => {
      if (req.url === '/pipe') {
        fs.createReadStream(file).pipe(res)
      } else {
        res.setHeader('Content-Length', data.length)
        stream.pipeline(fs.createReadStream(file), res, (err) => { pipelineErr = err })
      }
    })
    const a = await request(port, { path: '/pipe', ms: 5000 })
    assert.strictEqual(a.res.headers['transfer-encoding'], 'chunked')
    assert.ok(a.body.equals(data))
    // The client keeps its connection until the server's pipeline is done:
    // a client that closes as soon as the last byte arrives can make the
    // socket close before the response's 'finish' (in Node as well), and
    // pipeline would then rightly report a premature close.
    const agent = new nodeHttp.Agent({ keepAlive: true })
    try {
      const b = await request(port, { path: '/pipeline', ms: 5000, agent })
      assert.strictEqual(b.res.headers['content-length'], String(data.length))
      assert.ok(b.body.equals(data))
      await waitFor(() => pipelineErr !== 'not called', 2000, 'pipeline callback')
    } finally {
      agent.destroy()
    }
    assert.strictEqual(pipelineErr, undefined)
  })

  it('#3 req.socket / req.connection: addresses, encrypted, setTimeout, setNoDelay, destroy', async () => {
    const seen = {}
    const { port } = await serve((req, res) => {
      const s = req.connection
      seen.same = s === req.socket
      seen.addr = [s.remoteAddress, typeof s.remotePort, s.encrypted]
      seen.rets = [s.setTimeout(1000) === s, s.setNoDelay(true) === s]
      s.setTimeout(0)
      // An error handler's typical answer: drop the connection.
      s.destroy()
    })
    const text = await raw(port, GET())
    assert.strictEqual(text, '')
    assert.deepStrictEqual(seen, { same: true, addr: ['127.0.0.1', 'number', undefined], rets: [true, true] })
  })

  it('#4 \'close\' fires on req, res and the socket when the client disconnects before the response', async () => {
    const events = []
    let gotRequest
    const requested = new Promise((resolve) => { gotRequest = resolve })
    const { port } = await serve((req, res) => {
      req.on('aborted', () => events.push('req aborted'))
      req.on('error', (err) => events.push(`req error ${err.code} ${err.message}`))
      req.on('close', () => events.push('req close'))
      res.on('close', () => events.push('res close'))
      res.on('finish', () => events.push('res finish'))
      req.socket.on('close', () => events.push('socket close'))
      gotRequest()
    })
    const client = await rawClient(port)
    client.write('GET /long-poll HTTP/1.1\r\nHost: x\r\n\r\n')
    await withTimeout(requested, 2000, 'request')
    client.destroy()
    await waitFor(() => events.length >= 5, 2000, "'close' events")
    // 'error' (ECONNRESET 'aborted') is emitted on req only because it has an 'error' listener.
    assert.deepStrictEqual([...events].sort(), ['req aborted', 'req close', 'req error ECONNRESET aborted', 'res close', 'socket close'])
    assert.ok(events.indexOf('req aborted') < events.indexOf('req close'))
    assert.ok(events.indexOf('req error ECONNRESET aborted') < events.indexOf('req close'))
  })

  it('#4 \'close\' fires on req and res after a keep-alive response, the socket stays open', async () => {
    const events = []
    let socket
    const { port } = await serve((req, res) => {
      socket = req.socket
      req.on('close', () => events.push('req close'))
      res.on('close', () => events.push('res close'))
      socket.on('close', () => events.push('socket close'))
      res.end('sse-ish')
    })
    const client = await rawClient(port)
    client.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n')
    await client.until((t) => t.endsWith('sse-ish'))
    await waitFor(() => events.length >= 2, 2000, "'close' events")
    assert.deepStrictEqual(events, ['res close', 'req close'])
    assert.strictEqual(socket.destroyed, false)
    client.destroy()
    await onceWithin(socket, 'close')
  })

  describe('#5 framing matches Node', () => {
    it('an HTTP/1.0 peer gets no chunked encoding and the connection closes after the body', async () => {
      const { port } = await serve((req, res) => { res.write('one '); res.end('two') })
      const text = await raw(port, 'GET / HTTP/1.0\r\nHost: x\r\n\r\n')
      // Node answers an HTTP/1.0 request with an HTTP/1.1 status line.
      assert.strictEqual(normaliseDate(text), 'HTTP/1.1 200 OK\r\nDate: <date>\r\nConnection: close\r\n\r\none two')
    })

    it('an HTTP/1.0 keep-alive peer stays connected only when the application sets Content-Length', async () => {
      const { port } = await serve((req, res) => {
        if (req.url === '/with-length') res.setHeader('Content-Length', 5)
        res.end('short')
      })
      // Surprising but Node: end(data) alone does not make the length known to an HTTP/1.0 peer, so it closes.
      assert.strictEqual(normaliseDate(await raw(port, 'GET / HTTP/1.0\r\nHost: x\r\nConnection: keep-alive\r\n\r\n')),
        'HTTP/1.1 200 OK\r\nDate: <date>\r\nConnection: close\r\n\r\nshort')
      const client = await rawClient(port)
      client.write('GET /with-length HTTP/1.0\r\nHost: x\r\nConnection: keep-alive\r\n\r\n')
      const text = await client.until((t) => t.endsWith('short'))
      assert.strictEqual(normaliseDate(text),
        'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nDate: <date>\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n\r\nshort')
      await new Promise((resolve) => setTimeout(resolve, 50))
      assert.strictEqual(client.closed, false)
      client.destroy()
    })

    it('HEAD gets the headers a GET would (Content-Length kept) and no body', async () => {
      const { port } = await serve((req, res) => {
        res.setHeader('Content-Type', 'text/plain')
        res.setHeader('Content-Length', 5)
        res.end(req.method === 'HEAD' ? undefined : 'hello')
      })
      const head = await raw(port, 'HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
      const get = await raw(port, GET())
      assert.strictEqual(normaliseDate(head), normaliseDate(splitResponse(get).head) + '\r\n\r\n')
      assert.strictEqual(splitResponse(get).body, 'hello')
    })

    it('204 and 304 carry no body and no Transfer-Encoding', async () => {
      const { port } = await serve((req, res) => {
        res.statusCode = Number(req.url.slice(1))
        if (res.statusCode === 304) res.setHeader('ETag', '"abc"')
        res.end()
      })
      assert.strictEqual(normaliseDate(await raw(port, GET('/204'))),
        'HTTP/1.1 204 No Content\r\nDate: <date>\r\nConnection: close\r\n\r\n')
      assert.strictEqual(normaliseDate(await raw(port, GET('/304'))),
        'HTTP/1.1 304 Not Modified\r\nETag: "abc"\r\nDate: <date>\r\nConnection: close\r\n\r\n')
    })

    it('a middleware removing Content-Length after setting it switches to chunked', async () => {
      const { port } = await serve((req, res) => {
        res.setHeader('Content-Length', 5)
        res.removeHeader('Content-Length')
        res.write('hel')
        res.end('lo')
      })
      const { head, body } = splitResponse(await raw(port, GET()))
      assert.match(head, /\r\nTransfer-Encoding: chunked$/)
      assert.doesNotMatch(head, /Content-Length/i)
      // Node 26 joins the chunks written in one tick into one.
      assert.strictEqual(body, byLine({ 20: '3\r\nhel\r\n2\r\nlo\r\n0\r\n\r\n', 26: '5\r\nhello\r\n0\r\n\r\n' }))
    })

    it('a request body with Content-Length and one with chunked encoding both arrive whole', async () => {
      const { port } = await serve((req, res) => {
        const chunks = []
        req.on('data', (c) => chunks.push(c))
        req.on('end', () => res.end(`${req.headers['transfer-encoding'] || 'length'}:${Buffer.concat(chunks)}`))
      })
      const a = await raw(port, 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nConnection: close\r\n\r\nabcde')
      const b = await raw(port, 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n2\r\nab\r\n3\r\ncde\r\n0\r\n\r\n')
      assert.strictEqual(splitResponse(a).body, 'length:abcde')
      assert.strictEqual(splitResponse(b).body, 'chunked:abcde')
    })
  })

  it('#6 \'upgrade\' hands over the raw socket and head; the server no longer parses it', async () => {
    const seen = {}
    const { server, port } = await serve((req, res) => res.end('not upgraded'))
    server.on('upgrade', (req, socket, head) => {
      seen.head = head.toString()
      seen.isBuffer = Buffer.isBuffer(head)
      seen.duplex = socket instanceof stream.Duplex
      seen.rets = [socket.setNoDelay(true) === socket, socket.setTimeout(0) === socket]
      seen.unshift = typeof socket.unshift
      seen.writableLength = typeof socket._writableState.length
      seen.upgradeHeader = req.headers.upgrade
      socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n')
      if (head.length) socket.write(head)
      socket.on('data', (d) => socket.write(d))
      socket.on('end', () => socket.end())
    })
    const client = await rawClient(port)
    client.write('GET /chat HTTP/1.1\r\nHost: x\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\nearly bytes|')
    await client.until((t) => t.includes('early bytes|'))
    // Bytes that look like HTTP are echoed raw, not parsed as a request.
    client.write('GET /not-a-request HTTP/1.1\r\n\r\n')
    const text = await client.until((t) => t.endsWith('GET /not-a-request HTTP/1.1\r\n\r\n'))
    assert.strictEqual(text, 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\nearly bytes|GET /not-a-request HTTP/1.1\r\n\r\n')
    assert.deepStrictEqual(seen, {
      head: 'early bytes|', isBuffer: true, duplex: true, rets: [true, true], unshift: 'function', writableLength: 'number', upgradeHeader: 'echo'
    })
    client.sock.end()
    await client.waitClose()
  })

  it('#7 a compression-style middleware (wraps write/end, _implicitHeader, on-headers) works', async () => {
    const seen = {}
    const { port } = await serve((req, res) => {
      // What the `compression` middleware does, in short.
      const gzip = zlib.createGzip()
      const write = res.write
      const end = res.end
      const writeHead = res.writeHead
      res.writeHead = function (...args) {
        this.removeHeader('Content-Length')
        this.setHeader('Content-Encoding', 'gzip')
        return writeHead.apply(this, args)
      }
      gzip.on('data', (c) => { if (write.call(res, c) === false) gzip.pause() })
      res.on('drain', () => gzip.resume())
      gzip.on('end', () => end.call(res))
      res.write = function (chunk, encoding) {
        if (!this._header) this._implicitHeader()
        return gzip.write(typeof chunk === 'string' ? Buffer.from(chunk, encoding) : chunk)
      }
      res.end = function (chunk, encoding) {
        if (!this._header) this._implicitHeader()
        if (chunk) gzip.write(typeof chunk === 'string' ? Buffer.from(chunk, encoding) : chunk)
        gzip.end()
        return this
      }
      // The application.
      res.setHeader('Content-Type', 'text/plain')
      res.setHeader('Content-Length', 22)
      res.write('compressed ')
      seen.header = res._header
      seen.names = res.getHeaderNames()
      res.end('hello world')
    })
    const { res, body } = await request(port)
    assert.strictEqual(res.headers['content-encoding'], 'gzip')
    assert.strictEqual(res.headers['content-length'], undefined)
    assert.strictEqual(res.headers['transfer-encoding'], 'chunked')
    assert.strictEqual(zlib.gunzipSync(body).toString(), 'compressed hello world')
    assert.match(seen.header, /^HTTP\/1\.1 200 OK\r\nContent-Type: text\/plain\r\nContent-Encoding: gzip\r\n/)
    assert.deepStrictEqual(seen.names, ['content-type', 'content-encoding'])
  })

  it('#8 ServerResponse and IncomingMessage are callable the ES5 way', () => {
    function MyRes (req) { http.ServerResponse.call(this, req); this.mine = true }
    util.inherits(MyRes, http.ServerResponse)
    const res = new MyRes({ method: 'GET', httpVersionMajor: 1, httpVersionMinor: 1, headers: {} })
    assert.ok(res instanceof http.ServerResponse)
    assert.ok(res instanceof http.OutgoingMessage)
    assert.deepStrictEqual([res.mine, res.statusCode, res.headersSent, res._header, res.finished], [true, 200, false, null, false])
    res.setHeader('X-A', 1)
    assert.strictEqual(res.getHeader('x-a'), 1)
    assert.strictEqual(res.writeHead(201, { 'X-B': '2' }), res)
    assert.strictEqual(res.headersSent, true)
    // Without a socket, Node assumes keep-alive and chunked.
    assert.strictEqual(normaliseDate(res._header),
      'HTTP/1.1 201 Created\r\nX-A: 1\r\nX-B: 2\r\nDate: <date>\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n')
    assert.strictEqual(res.write('buffered'), true)
    res.end()
    assert.deepStrictEqual([res.writableEnded, res.finished], [true, true])

    function MyReq (socket) { http.IncomingMessage.call(this, socket); this.mine = true }
    util.inherits(MyReq, http.IncomingMessage)
    const socket = new stream.PassThrough()
    socket.remoteAddress = '10.1.2.3'
    const req = new MyReq(socket)
    assert.ok(req instanceof http.IncomingMessage)
    assert.ok(req instanceof stream.Readable)
    assert.strictEqual(req.socket, socket)
    assert.strictEqual(req.connection, socket)
    assert.strictEqual(req.socket.remoteAddress, '10.1.2.3')
    assert.deepStrictEqual([req.mine, req.method, req.url, req.complete, req.httpVersion, req.statusCode], [true, null, '', false, null, null])
    assert.deepStrictEqual({ ...req.headers }, {})
    assert.deepStrictEqual(req.rawHeaders, [])
    req.headers = { 'x-injected': '1' }
    req.method = 'POST'
    req.url = '/inject'
    assert.deepStrictEqual([req.headers['x-injected'], req.method, req.url], ['1', 'POST', '/inject'])
  })

  it('#8 an ES5-constructed request can be pushed a body and read', async () => {
    function MyReq (socket) { http.IncomingMessage.call(this, socket) }
    util.inherits(MyReq, http.IncomingMessage)
    const req = new MyReq(new stream.PassThrough())
    const chunks = []
    req.on('data', (c) => chunks.push(c))
    const ended = onceWithin(req, 'end')
    req.push('injected ')
    req.push(Buffer.from('body'))
    req.push(null)
    await ended
    assert.strictEqual(Buffer.concat(chunks).toString(), 'injected body')
  })

  it('#8 a server built with ES5 subclasses (createServer options) uses them', async () => {
    function MyReq (socket) { http.IncomingMessage.call(this, socket) }
    util.inherits(MyReq, http.IncomingMessage)
    MyReq.prototype.kind = function () { return 'es5-req' }
    function MyRes (req) { http.ServerResponse.call(this, req) }
    util.inherits(MyRes, http.ServerResponse)
    MyRes.prototype.send = function (s) { this.setHeader('X-Sent-By', 'es5-res'); this.end(s) }
    const { port } = await serve((req, res) => res.send(`${req.kind()} ${req.headers['x-in']}`), { IncomingMessage: MyReq, ServerResponse: MyRes })
    const { res, body } = await request(port, { headers: { 'X-In': 'hdr' } })
    assert.strictEqual(body.toString(), 'es5-req hdr')
    assert.strictEqual(res.headers['x-sent-by'], 'es5-res')
  })

  it('#9 prototype swaps of req and res inside the handler keep everything working', async () => {
    const seen = {}
    const reqProto = Object.create(http.IncomingMessage.prototype)
    reqProto.get = function (name) { return this.headers[name.toLowerCase()] }
    const resProto = Object.create(http.ServerResponse.prototype)
    resProto.send = function (body) { this.setHeader('Content-Type', 'text/plain'); this.end(body) }
    const { port } = await serve((req, res) => {
      Object.setPrototypeOf(req, reqProto)
      Object.setPrototypeOf(res, resProto)
      seen.header = req.get('X-Swap')
      seen.raw = req.rawHeaders.includes('X-Swap')
      seen.instances = [req instanceof http.IncomingMessage, res instanceof http.ServerResponse]
      const chunks = []
      req.on('data', (c) => chunks.push(c))
      req.on('end', () => {
        res.statusCode = 201
        res.setHeader('X-Echo', req.headers['x-swap'])
        res.send(`body=${Buffer.concat(chunks)} method=${req.method} url=${req.url}`)
      })
    })
    const { res, body } = await request(port, { method: 'PUT', path: '/swapped?q=1', headers: { 'X-Swap': 'yes' }, body: 'payload' })
    assert.strictEqual(res.statusCode, 201)
    assert.strictEqual(res.headers['x-echo'], 'yes')
    assert.strictEqual(res.headers['content-type'], 'text/plain')
    assert.strictEqual(body.toString(), 'body=payload method=PUT url=/swapped?q=1')
    assert.deepStrictEqual(seen, { header: 'yes', raw: true, instances: [true, true] })
  })

  it('#10 backpressure: write() returns false past the highWaterMark and \'drain\' follows', async () => {
    const seen = {}
    const big = Buffer.alloc(1024 * 1024, 'b')
    const { port } = await serve((req, res) => {
      seen.ret = res.write(big)
      seen.needDrain = res.writableNeedDrain
      res.once('drain', () => { seen.drained = true; res.end() })
    })
    const { body } = await request(port)
    assert.strictEqual(body.length, big.length)
    assert.deepStrictEqual(seen, { ret: false, needDrain: true, drained: true })
  })

  it('#13 Expect: 100-continue gets an automatic 100 Continue without a checkContinue listener', async () => {
    const { port } = await serve((req, res) => {
      const chunks = []
      req.on('data', (c) => chunks.push(c))
      req.on('end', () => res.end(`got ${Buffer.concat(chunks)}`))
    })
    const client = await rawClient(port)
    client.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n')
    await client.until((t) => t.includes('\r\n\r\n'))
    assert.strictEqual(client.text, 'HTTP/1.1 100 Continue\r\n\r\n')
    client.write('body')
    await client.waitClose()
    assert.match(client.text, /^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 OK\r\n[^]*\r\n\r\ngot body$/)
  })

  it('#14 CONNECT: \'connect\' gets the request, the raw socket and the head', async () => {
    const seen = {}
    const { server, port } = await serve((req, res) => res.end('not a tunnel'))
    server.on('connect', (req, socket, head) => {
      seen.method = req.method
      seen.url = req.url
      seen.head = head.toString()
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      socket.on('data', (d) => socket.write(d.toString().toUpperCase()))
      socket.on('end', () => socket.end())
    })
    const client = await rawClient(port)
    client.write('CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\nhello')
    await client.until((t) => t.includes('\r\n\r\n'))
    client.write('tunnel')
    await client.until((t) => t.endsWith('TUNNEL'))
    client.sock.end()
    await client.waitClose()
    assert.strictEqual(client.text, 'HTTP/1.1 200 Connection Established\r\n\r\nTUNNEL')
    assert.deepStrictEqual(seen, { method: 'CONNECT', url: 'example.com:443', head: 'hello' })
  })

  it('#15 header case and order survive both ways: rawHeaders in, a flat array out, set-cookie, headersDistinct', async () => {
    const seen = {}
    const { port } = await serve((req, res) => {
      seen.distinct = req.headersDistinct
      res.writeHead(200, [...req.rawHeaders.filter((h, i) => i % 2 === 0 ? h.toLowerCase().startsWith('x-') : req.rawHeaders[i - 1].toLowerCase().startsWith('x-')),
        'Set-Cookie', 'a=1', 'set-cookie', 'b=2', 'Content-Length', '0'])
      res.end()
    })
    const text = await raw(port, 'GET / HTTP/1.1\r\nHost: x\r\nx-Zeta: 1\r\nX-ALPHA: 2\r\nx-zeta: 3\r\nConnection: close\r\n\r\n')
    assert.strictEqual(normaliseDate(text),
      'HTTP/1.1 200 OK\r\nx-Zeta: 1\r\nX-ALPHA: 2\r\nx-zeta: 3\r\nSet-Cookie: a=1\r\nset-cookie: b=2\r\nContent-Length: 0\r\n' +
      'Date: <date>\r\nConnection: close\r\n\r\n')
    assert.deepStrictEqual({ ...seen.distinct }, { host: ['x'], 'x-zeta': ['1', '3'], 'x-alpha': ['2'], connection: ['close'] })
  })

  it('#16 graceful shutdown: close() drops idle keep-alive, finishes in-flight, closeAllConnections ends the rest', async () => {
    let release
    const { server, port } = await serve((req, res) => {
      if (req.url === '/slow') release = () => res.end('finished')
      else res.end('idle')
    })
    const idle = await rawClient(port)
    idle.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n')
    await idle.until((t) => t.endsWith('idle'))
    const busy = await rawClient(port)
    busy.write('GET /slow HTTP/1.1\r\nHost: x\r\n\r\n')
    await waitFor(() => release, 2000, 'slow request')
    let closed = false
    server.close(() => { closed = true })
    await idle.waitClose(1000)
    await assert.rejects(request(port), (err) => err.code === 'ECONNREFUSED')
    release()
    await busy.until((t) => t.endsWith('finished'))
    assert.strictEqual(closed, false)
    server.closeAllConnections()
    await busy.waitClose(1000)
    await waitFor(() => closed, 2000, 'close callback')
  })

  it('#17 the module object is writable: request, get and ClientRequest can be replaced and restored', () => {
    for (const name of ['request', 'get', 'ClientRequest', 'Agent', 'createServer']) {
      const d = Object.getOwnPropertyDescriptor(http, name)
      assert.ok(d, name)
      assert.strictEqual(d.writable, true, `${name} is not writable`)
      assert.strictEqual(d.configurable, true, `${name} is not configurable`)
    }
    const saved = { request: http.request, get: http.get, ClientRequest: http.ClientRequest }
    try {
      const fakeRequest = () => 'intercepted'
      http.request = fakeRequest
      http.get = fakeRequest
      http.ClientRequest = function FakeClientRequest () {}
      assert.strictEqual(http.request, fakeRequest)
      assert.strictEqual(http.request(), 'intercepted')
      assert.strictEqual(http.get(), 'intercepted')
      assert.strictEqual(http.ClientRequest.name, 'FakeClientRequest')
    } finally {
      Object.assign(http, saved)
    }
    assert.strictEqual(http.request, saved.request)
    assert.strictEqual(http.get, saved.get)
    assert.strictEqual(http.ClientRequest, saved.ClientRequest)
  })

  describe('#18 Express on the implementation, and WebSocket on the same port', () => {
    function app () {
      const a = express()
      a.use(express.json())
      a.get('/users/:id', (req, res) => res.json({ id: req.params.id, q: req.query.q }))
      a.post('/echo', (req, res) => res.status(201).json({ got: req.body, type: req.get('content-type') }))
      a.get('/file', (req, res, next) => res.sendFile(a.locals.file, (err) => err && next(err)))
      a.get('/boom', () => { throw new Error('kaboom') })
      a.get('/next-error', (req, res, next) => setImmediate(() => next(Object.assign(new Error('later'), { status: 418 }))))
      a.use((err, req, res, next) => {
        res.status(err.status || 500).json({ error: err.message })
      })
      return a
    }

    it('routes with params and query, and res.json', async () => {
      const { port } = await serve(app())
      const { res, body } = await request(port, { path: '/users/42?q=x' })
      assert.strictEqual(res.statusCode, 200)
      assert.strictEqual(res.headers['content-type'], 'application/json; charset=utf-8')
      assert.strictEqual(res.headers['x-powered-by'], 'Express')
      assert.strictEqual(res.headers['content-length'], String(body.length))
      assert.ok(res.headers.etag)
      assert.deepStrictEqual(JSON.parse(body), { id: '42', q: 'x' })
    })

    it('parses a JSON body with express.json()', async () => {
      const { port } = await serve(app())
      const payload = JSON.stringify({ a: [1, 2, 3], s: 'h\u00e9' })
      const { res, body } = await request(port, { method: 'POST', path: '/echo', headers: { 'Content-Type': 'application/json' }, body: payload })
      assert.strictEqual(res.statusCode, 201)
      assert.deepStrictEqual(JSON.parse(body), { got: { a: [1, 2, 3], s: 'h\u00e9' }, type: 'application/json' })
    })

    it('serves a file with res.sendFile, including a Range request', async () => {
      const data = crypto.randomBytes(200000)
      const file = tempFile(data, '.bin')
      files.push(file)
      const a = app()
      a.locals.file = file
      const { port } = await serve(a)
      const whole = await request(port, { path: '/file' })
      assert.strictEqual(whole.res.statusCode, 200)
      assert.strictEqual(whole.res.headers['content-type'], 'application/octet-stream')
      assert.strictEqual(whole.res.headers['content-length'], String(data.length))
      assert.strictEqual(whole.res.headers['accept-ranges'], 'bytes')
      assert.ok(whole.body.equals(data))
      const part = await request(port, { path: '/file', headers: { Range: 'bytes=10-19' } })
      assert.strictEqual(part.res.statusCode, 206)
      assert.strictEqual(part.res.headers['content-range'], `bytes 10-19/${data.length}`)
      assert.ok(part.body.equals(data.subarray(10, 20)))
    })

    it('sends thrown and next(err) errors to the error middleware, and 404s unknown routes', async () => {
      const { port } = await serve(app())
      const boom = await request(port, { path: '/boom' })
      assert.strictEqual(boom.res.statusCode, 500)
      assert.deepStrictEqual(JSON.parse(boom.body), { error: 'kaboom' })
      const later = await request(port, { path: '/next-error' })
      assert.strictEqual(later.res.statusCode, 418)
      assert.deepStrictEqual(JSON.parse(later.body), { error: 'later' })
      const missing = await request(port, { path: '/nope' })
      assert.strictEqual(missing.res.statusCode, 404)
      assert.match(missing.body.toString(), /Cannot GET \/nope/)
    })

    it('serves Express and a ws WebSocket server on one port through \'upgrade\'', async () => {
      const { server, port } = await serve(app())
      const wss = new WebSocketServer({ noServer: true })
      server.on('upgrade', (req, socket, head) => {
        wss.handleUpgrade(req, socket, head, (ws) => {
          ws.on('message', (m) => ws.send(`echo:${m}`))
        })
      })
      try {
        const ws = new WebSocket(`ws://127.0.0.1:${port}/socket`)
        await onceWithin(ws, 'open')
        const message = onceWithin(ws, 'message')
        ws.send('hi')
        const [data] = await message
        assert.strictEqual(data.toString(), 'echo:hi')
        // HTTP keeps working next to it.
        const { body } = await request(port, { path: '/users/7' })
        assert.deepStrictEqual(JSON.parse(body), { id: '7' })
        const closed = onceWithin(ws, 'close')
        ws.close()
        await closed
      } finally {
        for (const c of wss.clients) c.terminate()
        wss.close()
      }
    })
  })
})

