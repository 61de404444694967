'use strict'
// Server-side timers: headersTimeout / requestTimeout (408), keepAliveTimeout,
// server.setTimeout and the 'timeout' events, req/res.setTimeout, and
// maxRequestsPerSocket.
const assert = require('assert')
const { eachImpl } = require('../helpers/impls')
const { delay } = require('../helpers/net')
const { rawConnect } = require('../helpers/req-raw')
const { serverPool, withTimeout } = require('../helpers/req-util')

const REQUEST_TIMEOUT = 'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n'
// Short limits; Node checks them every connectionsCheckingInterval ms.
const FAST = { headersTimeout: 300, requestTimeout: 600, connectionsCheckingInterval: 50 }

eachImpl('timeouts', (http) => {
  const pool = serverPool()
  afterEach(() => pool.closeAll())

  it('has Node\'s defaults', async () => {
    const { server } = await pool.start(http, () => {})
    assert.deepStrictEqual({
      headersTimeout: server.headersTimeout,
      requestTimeout: server.requestTimeout,
      keepAliveTimeout: server.keepAliveTimeout,
      timeout: server.timeout,
      maxRequestsPerSocket: server.maxRequestsPerSocket
    }, { headersTimeout: 60000, requestTimeout: 300000, keepAliveTimeout: 5000, timeout: 0, maxRequestsPerSocket: 0 })
    const { server: fast } = await pool.start(http, FAST, () => {})
    assert.strictEqual(fast.headersTimeout, 300)
    assert.strictEqual(fast.requestTimeout, 600)
  })

  it('headersTimeout: an incomplete head gets 408 and the connection closes', async () => {
    const { port } = await pool.start(http, FAST, () => assert.fail('no request expected'))
    const c = await rawConnect(port, 'GET / HTTP/1.1\r\nHost: x\r\n')
    await delay(150)
    assert.strictEqual(c.closed, false, 'closed well before headersTimeout')
    assert.ok(await c.waitClose(2500), 'not closed by headersTimeout')
    assert.strictEqual(c.text, REQUEST_TIMEOUT)
  })

  it('headersTimeout: a head trickling in byte by byte still times out', async () => {
    const { port } = await pool.start(http, FAST, () => assert.fail('no request expected'))
    const c = await rawConnect(port)
    const head = 'GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ' + 'a'.repeat(40) + '\r\n\r\n'
    const writer = (async () => {
      for (const ch of head) {
        if (c.closed) return
        await c.write(ch)
        await delay(50) // the whole head would take 3 s
      }
    })()
    assert.ok(await c.waitClose(2500), 'activity must not extend headersTimeout')
    await writer
    assert.strictEqual(c.text, REQUEST_TIMEOUT)
  })

  it('headersTimeout also applies to a connection that sends nothing', async () => {
    const { port } = await pool.start(http, FAST, () => {})
    const c = await rawConnect(port)
    assert.ok(await c.waitClose(2500))
    assert.strictEqual(c.text, REQUEST_TIMEOUT)
  })

  it('reports the timeout to a clientError listener as ERR_HTTP_REQUEST_TIMEOUT', async () => {
    const { server, port } = await pool.start(http, FAST, () => {})
    const seen = new Promise((resolve) => server.once('clientError', (err, socket) => {
      resolve({ code: err.code, message: err.message })
      socket.end('HTTP/1.1 408 Mine\r\n\r\n')
    }))
    const c = await rawConnect(port, 'GET / HTTP/1.1\r\n')
    assert.deepStrictEqual(await withTimeout(seen, 2500), { code: 'ERR_HTTP_REQUEST_TIMEOUT', message: 'Request timeout' })
    assert.ok(await c.waitClose())
    assert.strictEqual(c.text, 'HTTP/1.1 408 Mine\r\n\r\n')
  })

  it('requestTimeout: a body that never completes gets 408; req is aborted', async () => {
    const events = []
    const { port } = await pool.start(http, FAST, (req, res) => {
      events.push('request')
      for (const e of ['aborted', 'end', 'close']) req.on(e, () => events.push(`req ${e}`))
      req.on('error', (err) => events.push(`req error ${err.code}`))
      res.on('close', () => events.push('res close'))
      req.resume()
    })
    const c = await rawConnect(port, 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc')
    await delay(420)
    assert.strictEqual(c.closed, false, 'headersTimeout does not apply once the head is complete')
    assert.ok(await c.waitClose(2500))
    assert.strictEqual(c.text, REQUEST_TIMEOUT)
    await delay(20)
    assert.deepStrictEqual(events, ['request', 'req aborted', 'res close', 'req error ECONNRESET', 'req close'])
  })

  it('requestTimeout does not cut a complete request whose handler is slow', async () => {
    const { port } = await pool.start(http, FAST, (req, res) => {
      setTimeout(() => res.end('late but fine'), 800)
    })
    const c = await rawConnect(port, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
    assert.ok(await c.waitClose(2500))
    assert.match(c.text, /^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\nlate but fine$/)
  })

  it('keepAliveTimeout: advertises whole seconds and closes the idle connection (after Node\'s 1 s grace)', async () => {
    const { port } = await pool.start(http, { keepAliveTimeout: 200 }, (req, res) => res.end('ok'))
    const c = await rawConnect(port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n')
    const expected = 'HTTP/1.1 200 OK\r\nDate: <date>\r\nConnection: keep-alive\r\nKeep-Alive: timeout=0\r\nContent-Length: 2\r\n\r\nok'
    assert.strictEqual(await c.receive(expected), expected)
    // Node 20 arms the socket timer at keepAliveTimeout + 1000 ms, so 200 ms of idleness is not enough.
    await delay(600)
    assert.strictEqual(c.closed, false)
    assert.ok(await c.waitClose(2000), 'idle keep-alive connection not closed')
    assert.strictEqual(c.normalised, expected, 'nothing more is sent before closing')
  })

  it('keepAliveTimeout: a new request on the idle connection is served', async () => {
    const { port } = await pool.start(http, { keepAliveTimeout: 200 }, (req, res) => res.end(req.url))
    const c = await rawConnect(port, 'GET /1 HTTP/1.1\r\nHost: x\r\n\r\n')
    await c.waitFor('\r\n\r\n/1')
    await delay(150)
    await c.write('GET /2 HTTP/1.1\r\nHost: x\r\n\r\n')
    await c.waitFor('\r\n\r\n/2')
    assert.strictEqual(c.closed, false)
  })

  it('keepAliveTimeout: advertises timeout=2 for 2500 ms and nothing for 0', async () => {
    const { port } = await pool.start(http, { keepAliveTimeout: 2500 }, (req, res) => res.end('ok'))
    const c = await rawConnect(port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n')
    await c.waitFor('\r\n\r\nok')
    assert.strictEqual(c.normalised, 'HTTP/1.1 200 OK\r\nDate: <date>\r\nConnection: keep-alive\r\nKeep-Alive: timeout=2\r\nContent-Length: 2\r\n\r\nok')
    const { port: port0 } = await pool.start(http, { keepAliveTimeout: 0 }, (req, res) => res.end('ok'))
    const d = await rawConnect(port0, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n')
    await d.waitFor('\r\n\r\nok')
    assert.strictEqual(d.normalised, 'HTTP/1.1 200 OK\r\nDate: <date>\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok')
    await delay(300)
    assert.strictEqual(d.closed, false)
  })

  it('server.setTimeout(ms) without a callback destroys an inactive socket', async () => {
    const { server, port } = await pool.start(http, () => {}) // never answers
    assert.strictEqual(server.setTimeout(300), server)
    assert.strictEqual(server.timeout, 300)
    const c = await rawConnect(port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n')
    await delay(100)
    assert.strictEqual(c.closed, false)
    assert.ok(await c.waitClose(2000))
    assert.strictEqual(c.text, '')
  })

  it('server.setTimeout(ms, cb): timeout goes to res and the server, and the socket is left open', async () => {
    const events = []
    const { server, port } = await pool.start(http, (req, res) => {
      events.push('request')
      req.on('timeout', () => events.push('req timeout'))
      res.on('timeout', (socket) => events.push(`res timeout ${socket === req.socket}`))
    })
    server.setTimeout(300, (socket) => {
      events.push(`server timeout ${typeof socket.destroy}`)
      setTimeout(() => socket.end('HTTP/1.1 503 Slow\r\n\r\n'), 50)
    })
    const c = await rawConnect(port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n')
    assert.ok(await c.waitClose(2000))
    assert.strictEqual(c.text, 'HTTP/1.1 503 Slow\r\n\r\n')
    // The GET is already complete, so req gets no 'timeout'.
    assert.deepStrictEqual(events, ['request', 'res timeout true', 'server timeout function'])
  })

  it('server timeout listener fires for an idle connection that never sent a request', async () => {
    const events = []
    const { server, port } = await pool.start(http, () => events.push('request'))
    server.timeout = 200
    server.on('timeout', (socket) => { events.push('timeout'); socket.destroy() })
    const c = await rawConnect(port)
    assert.ok(await c.waitClose(2000))
    assert.deepStrictEqual(events, ['timeout'])
  })

  it('a server timeout listener also keeps an idle keep-alive connection from being closed', async () => {
    const events = []
    const { server, port } = await pool.start(http, { keepAliveTimeout: 200 }, (req, res) => res.end('ok'))
    const timedOut = new Promise((resolve) => server.on('timeout', (socket) => { events.push('timeout'); resolve(socket) }))
    const c = await rawConnect(port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n')
    await c.waitFor('\r\n\r\nok')
    // The keep-alive timer fires as a socket timeout; Node hands it to the listener instead of destroying.
    await withTimeout(timedOut, 2500, 'server timeout event')
    await delay(100)
    assert.strictEqual(c.closed, false)
    assert.deepStrictEqual(events, ['timeout'])
  })

  it('req.setTimeout fires on a request whose body is still arriving', async () => {
    const events = []
    const { port } = await pool.start(http, (req, res) => {
      const ret = req.setTimeout(200, function (socket) {
        events.push(`callback this=req:${this === req} socket:${socket === req.socket}`)
        res.statusCode = 408
        res.end('late')
      })
      events.push(`returns req:${ret === req}`)
      req.on('timeout', () => events.push('req timeout'))
      res.on('timeout', () => events.push('res timeout'))
      req.resume()
    })
    const c = await rawConnect(port, 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc')
    await c.waitFor('late')
    assert.strictEqual(c.normalised,
      'HTTP/1.1 408 Request Timeout\r\nDate: <date>\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\nContent-Length: 4\r\n\r\nlate')
    assert.deepStrictEqual(events, ['returns req:true', 'callback this=req:true socket:true', 'req timeout', 'res timeout'])
  })

  it('res.setTimeout fires for a complete request, req.setTimeout does not', async () => {
    const events = []
    const { port } = await pool.start(http, (req, res) => {
      req.setTimeout(200, () => events.push('req callback'))
      res.setTimeout(200, () => { events.push('res callback'); res.end('done') })
    })
    const c = await rawConnect(port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n')
    await c.waitFor('\r\n\r\ndone')
    assert.deepStrictEqual(events, ['res callback'])
    assert.strictEqual(c.closed, false)
  })

  describe('maxRequestsPerSocket', () => {
    const okKa = (body, max) => `HTTP/1.1 200 OK\r\nDate: <date>\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5${max ? `, max=${max}` : ''}\r\nContent-Length: ${body.length}\r\n\r\n${body}`
    const lastOk = (body) => `HTTP/1.1 200 OK\r\nDate: <date>\r\nConnection: close\r\nContent-Length: ${body.length}\r\n\r\n${body}`
    const dropped = 'HTTP/1.1 503 Service Unavailable\r\nDate: <date>\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'

    it('is not a createServer option in Node 20, only a property', async () => {
      const { server } = await pool.start(http, { maxRequestsPerSocket: 2 }, () => {})
      assert.strictEqual(server.maxRequestsPerSocket, 0)
    })

    it('advertises max, closes the keep-alive on the last request and answers extra ones with 503', async () => {
      const events = []
      const { server, port } = await pool.start(http, (req, res) => { events.push(`request ${req.url}`); res.end(req.url) })
      server.maxRequestsPerSocket = 2
      server.on('dropRequest', (req, socket) => events.push(`dropRequest ${req.url} ${socket === req.socket}`))
      const c = await rawConnect(port, 'GET /1 HTTP/1.1\r\nHost: x\r\n\r\n')
      await c.waitFor('\r\n\r\n/1')
      await c.write('GET /2 HTTP/1.1\r\nHost: x\r\n\r\n')
      await c.waitFor('\r\n\r\n/2')
      await c.write('GET /3 HTTP/1.1\r\nHost: x\r\n\r\n')
      const expected = okKa('/1', 2) + lastOk('/2') + dropped
      assert.strictEqual(await c.receive(expected), expected)
      assert.deepStrictEqual(events, ['request /1', 'request /2', 'dropRequest /3 true'])
    })

    it('handles pipelined requests past the limit the same way, and leaves the socket open (Node 20 quirk)', async () => {
      const events = []
      const { server, port } = await pool.start(http, (req, res) => { events.push(`request ${req.url}`); res.end(req.url) })
      server.maxRequestsPerSocket = 2
      server.on('dropRequest', (req) => events.push(`dropRequest ${req.url}`))
      const c = await rawConnect(port,
        'GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\nGET /3 HTTP/1.1\r\nHost: x\r\n\r\nGET /4 HTTP/1.1\r\nHost: x\r\n\r\n')
      const expected = okKa('/1', 2) + lastOk('/2') + dropped + dropped
      assert.strictEqual(await c.receive(expected), expected)
      assert.deepStrictEqual(events, ['request /1', 'request /2', 'dropRequest /3', 'dropRequest /4'])
      // Despite "Connection: close", Node does not end the socket here.
      await delay(300)
      assert.strictEqual(c.closed, false)
      assert.strictEqual(c.ended, false)
    })
  })
})
