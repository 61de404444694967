'use strict'
// Expect: 100-continue and other expectations: the automatic 100, the
// checkContinue and checkExpectation events, and refusing a body safely.
const assert = require('assert')
const realHttp = require('http')
const { eachImpl } = require('../helpers/impls')
const { delay } = require('../helpers/net')
const { rawConnect } = require('../helpers/req-raw')
const { serverPool, withTimeout } = require('../helpers/req-util')

const KA = 'Connection: keep-alive\r\nKeep-Alive: timeout=5\r\n'
const CONTINUE = 'HTTP/1.1 100 Continue\r\n\r\n'

eachImpl('expect 100-continue', (http) => {
  const pool = serverPool()
  afterEach(() => pool.closeAll())

  /** Reads the whole body and answers `got <body>`. */
  function echoBody (req, res) {
    let body = ''
    req.on('data', (c) => { body += c })
    req.on('end', () => res.end(`got ${body}`))
  }

  it('sends 100 Continue by itself when there is no checkContinue listener', async () => {
    const events = []
    const { server, port } = await pool.start(http, (req, res) => { events.push('request'); echoBody(req, res) })
    server.on('checkExpectation', () => events.push('checkExpectation'))
    const c = await rawConnect(port, 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n')
    // The 100 comes before the client sends any body byte.
    assert.strictEqual(await c.waitFor(CONTINUE), CONTINUE)
    await c.write('hello')
    const expected = CONTINUE + `HTTP/1.1 200 OK\r\nDate: <date>\r\n${KA}Content-Length: 9\r\n\r\ngot hello`
    assert.strictEqual(await c.receive(expected), expected)
    assert.deepStrictEqual(events, ['request'])
  })

  it('matches the 100-continue token case-insensitively', async () => {
    const { port } = await pool.start(http, echoBody)
    const c = await rawConnect(port, 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nExpect: 100-Continue\r\n\r\n')
    await c.waitFor(CONTINUE)
    await c.write('ab')
    await c.waitFor('got ab')
  })

  it('with a checkContinue listener, does not emit request and waits for writeContinue()', async () => {
    const events = []
    let pending
    const { server, port } = await pool.start(http, () => events.push('request'))
    server.on('checkContinue', (req, res) => {
      events.push(`checkContinue ${req.method} ${req.url} ${req.headers.expect}`)
      pending = { req, res }
    })
    const c = await rawConnect(port, 'POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n')
    await withTimeout((async () => { while (!pending) await delay(5) })(), 2000, 'checkContinue')
    await delay(100)
    assert.strictEqual(c.text, '', 'no 100 Continue before writeContinue()')
    pending.res.writeContinue()
    await c.waitFor(CONTINUE)
    echoBody(pending.req, pending.res)
    await c.write('hello')
    const expected = CONTINUE + `HTTP/1.1 200 OK\r\nDate: <date>\r\n${KA}Content-Length: 9\r\n\r\ngot hello`
    assert.strictEqual(await c.receive(expected), expected)
    assert.deepStrictEqual(events, ['checkContinue POST /up 100-continue'])
  })

  it('a final status instead of 100 closes the connection; the unsent body is never parsed', async () => {
    const events = []
    const { server, port } = await pool.start(http, (req, res) => { events.push(`request ${req.method} ${req.url}`); res.end('r') })
    server.on('checkContinue', (req, res) => {
      events.push('checkContinue')
      res.writeHead(413, { 'Content-Length': 0 })
      res.end()
    })
    const c = await rawConnect(port, 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 37\r\nExpect: 100-continue\r\n\r\n')
    await c.waitFor('\r\n\r\n')
    // The "body" the client sends anyway looks like a request; it must not become one.
    await c.write('GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n')
    assert.ok(await c.waitClose(), 'the connection should close')
    assert.strictEqual(c.normalised, 'HTTP/1.1 413 Payload Too Large\r\nContent-Length: 0\r\nDate: <date>\r\nConnection: close\r\n\r\n')
    assert.deepStrictEqual(events, ['checkContinue'])
  })

  it('a final status with a body instead of 100 also gets Connection: close', async () => {
    const { server, port } = await pool.start(http, (req, res) => res.end('r'))
    server.on('checkContinue', (req, res) => { res.statusCode = 401; res.end('no') })
    const c = await rawConnect(port, 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\nExpect: 100-continue\r\n\r\n')
    assert.ok(await c.waitClose())
    assert.strictEqual(c.normalised, 'HTTP/1.1 401 Unauthorized\r\nDate: <date>\r\nConnection: close\r\nContent-Length: 2\r\n\r\nno')
  })

  it('answers other expectations with 417 by default and keeps serving the connection', async () => {
    const events = []
    const { port } = await pool.start(http, (req, res) => { events.push(`request ${req.url}`); res.end('r') })
    const c = await rawConnect(port,
      'GET /a HTTP/1.1\r\nHost: x\r\nExpect: something-else\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
    assert.ok(await c.waitClose())
    assert.strictEqual(c.normalised,
      // Node's default is writeHead(417) + end(): the length is not known, so it is chunked.
      `HTTP/1.1 417 Expectation Failed\r\nDate: <date>\r\n${KA}Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n` +
      'HTTP/1.1 200 OK\r\nDate: <date>\r\nConnection: close\r\nContent-Length: 1\r\n\r\nr')
    assert.deepStrictEqual(events, ['request /b'])
  })

  it('hands other expectations to a checkExpectation listener instead of request', async () => {
    const events = []
    const { server, port } = await pool.start(http, (req, res) => { events.push(`request ${req.url}`); res.end('r') })
    server.on('checkExpectation', (req, res) => {
      events.push(`checkExpectation ${req.url} ${req.headers.expect}`)
      res.writeHead(200, { 'Content-Length': 4 })
      res.end('fine')
    })
    server.on('checkContinue', () => events.push('checkContinue'))
    const c = await rawConnect(port,
      'GET /a HTTP/1.1\r\nHost: x\r\nExpect: Foo\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
    assert.ok(await c.waitClose())
    assert.strictEqual(c.normalised,
      `HTTP/1.1 200 OK\r\nContent-Length: 4\r\nDate: <date>\r\n${KA}\r\nfine` +
      'HTTP/1.1 200 OK\r\nDate: <date>\r\nConnection: close\r\nContent-Length: 1\r\n\r\nr')
    assert.deepStrictEqual(events, ['checkExpectation /a Foo', 'request /b'])
  })

  it('sends no 100 to an HTTP/1.0 client and emits request, not checkContinue', async () => {
    const events = []
    const { server, port } = await pool.start(http, (req, res) => { events.push('request'); echoBody(req, res) })
    server.on('checkContinue', () => events.push('checkContinue'))
    const c = await rawConnect(port, 'POST / HTTP/1.0\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n')
    await delay(100)
    assert.strictEqual(c.text, '')
    await c.write('ab')
    assert.ok(await c.waitClose())
    assert.strictEqual(c.normalised, 'HTTP/1.1 200 OK\r\nDate: <date>\r\nConnection: close\r\n\r\ngot ab')
    assert.deepStrictEqual(events, ['request'])
  })

  it('lets a request answered after writeContinue keep the connection alive', async () => {
    const { server, port } = await pool.start(http, (req, res) => res.end(req.url))
    server.on('checkContinue', (req, res) => { res.writeContinue(); echoBody(req, res) })
    const c = await rawConnect(port, 'POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n')
    await c.waitFor(CONTINUE)
    await c.write('xy')
    await c.waitFor('got xy')
    await c.write('GET /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
    assert.ok(await c.waitClose())
    assert.strictEqual(c.normalised, CONTINUE +
      `HTTP/1.1 200 OK\r\nDate: <date>\r\n${KA}Content-Length: 6\r\n\r\ngot xy` +
      'HTTP/1.1 200 OK\r\nDate: <date>\r\nConnection: close\r\nContent-Length: 2\r\n\r\n/b')
  })

  it('Node\'s client gets its continue event and completes the upload', async () => {
    const { port } = await pool.start(http, echoBody)
    const result = await withTimeout(new Promise((resolve, reject) => {
      const events = []
      const req = realHttp.request({ host: '127.0.0.1', port, method: 'POST', agent: false, headers: { Expect: '100-continue', 'Content-Length': 4 } })
      req.on('continue', () => { events.push('continue'); req.end('data') })
      req.on('information', (info) => events.push(`information ${info.statusCode}`))
      req.on('response', (res) => {
        let body = ''
        res.on('data', (c) => { body += c })
        res.on('end', () => resolve({ events, status: res.statusCode, body }))
      })
      req.on('error', reject)
      req.flushHeaders()
    }), 3000)
    assert.deepStrictEqual(result, { events: ['continue', 'information 100'], status: 200, body: 'got data' })
  })
})
