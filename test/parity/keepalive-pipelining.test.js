'use strict'
// Connection reuse and response framing, byte for byte (Date normalised):
// keep-alive, pipelining (in order even when answered out of order),
// HTTP/1.0, Connection: close, HEAD, 204/304, Content-Length vs chunked.
const assert = require('assert')
const { eachImpl } = require('../helpers/impls')
const { byLine } = require('../helpers/node-line')
const { delay } = require('../helpers/net')
const { rawConnect } = require('../helpers/req-raw')
const { serverPool } = require('../helpers/req-util')

// Response heads exactly as Node 20 writes them.
const KA = 'Connection: keep-alive\r\nKeep-Alive: timeout=5\r\n'
const ok = (body) => `HTTP/1.1 200 OK\r\nDate: <date>\r\n${KA}Content-Length: ${body.length}\r\n\r\n${body}`
const okClose = (body) => `HTTP/1.1 200 OK\r\nDate: <date>\r\nConnection: close\r\nContent-Length: ${body.length}\r\n\r\n${body}`
// write('hel') then end('lo') as a chunked body: Node 26 joins the chunks
// written in one tick into one.
const HELLO_CHUNKED = byLine({ 20: '3\r\nhel\r\n2\r\nlo\r\n0\r\n\r\n', 26: '5\r\nhello\r\n0\r\n\r\n' })

eachImpl('keep-alive and pipelining', (http) => {
  const pool = serverPool()
  afterEach(() => pool.closeAll())

  /** A server whose routes write responses in the ways the tests need. */
  function routes (req, res) {
    switch (req.url) {
      case '/cl': res.setHeader('Content-Length', 5); res.end('hello'); break
      case '/chunked': res.write('hel'); res.end('lo'); break
      case '/end': res.end('hello'); break
      case '/empty': res.end(); break
      case '/204': res.statusCode = 204; res.end('ignored body'); break
      case '/304': res.statusCode = 304; res.write('abc'); res.end(); break
      case '/rm-write': // middleware pattern: set, then remove, Content-Length
        res.setHeader('Content-Length', 5)
        res.setHeader('X-A', '1')
        res.removeHeader('Content-Length')
        res.write('hel')
        res.end('lo')
        break
      case '/rm-end':
        res.setHeader('Content-Length', 5)
        res.removeHeader('Content-Length')
        res.end('hello')
        break
      case '/typed': res.setHeader('Content-Type', 'text/plain'); res.end('hello'); break
      case '/head-cl': res.writeHead(200, { 'Content-Length': 5 }); res.end('hello'); break
      default: res.end(req.url)
    }
  }

  it('serves several requests one after another on one keep-alive connection', async () => {
    const { port } = await pool.start(http, routes)
    const c = await rawConnect(port, 'GET /a HTTP/1.1\r\nHost: x\r\n\r\n')
    let expected = ok('/a')
    assert.strictEqual(await c.receive(expected), expected)
    await c.write('GET /bb HTTP/1.1\r\nHost: x\r\n\r\n')
    expected += ok('/bb')
    assert.strictEqual(await c.receive(expected), expected)
    await c.write('GET /ccc HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
    expected += okClose('/ccc')
    assert.ok(await c.waitClose(), 'connection should close after Connection: close')
    assert.strictEqual(c.normalised, expected)
  })

  it('answers three pipelined requests from one write in order', async () => {
    const seen = []
    const { port } = await pool.start(http, (req, res) => { seen.push(req.url); res.end(req.url) })
    const c = await rawConnect(port,
      'GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\nGET /3 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
    assert.ok(await c.waitClose())
    assert.strictEqual(c.normalised, ok('/1') + ok('/2') + okClose('/3'))
    assert.deepStrictEqual(seen, ['/1', '/2', '/3'])
  })

  it('keeps pipelined responses in request order when the application answers out of order', async () => {
    const events = []
    const { port } = await pool.start(http, (req, res) => {
      events.push(`request ${req.url}`)
      res.on('finish', () => events.push(`finish ${req.url}`))
      if (req.url === '/1') setTimeout(() => { events.push('end /1'); res.end('one') }, 120)
      else if (req.url === '/2') { events.push('end /2'); res.end('two') }
      else setTimeout(() => { events.push('end /3'); res.end('three') }, 60)
    })
    const c = await rawConnect(port,
      'GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\nGET /3 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
    assert.ok(await c.waitClose())
    assert.strictEqual(c.normalised, ok('one') + ok('two') + okClose('three'))
    // Node emits 'request' for every pipelined request at once; a response
    // ended early is held back (and 'finish' delayed) until its turn.
    assert.deepStrictEqual(events, [
      'request /1', 'request /2', 'end /2', 'request /3',
      'end /3', 'end /1', 'finish /1', 'finish /2', 'finish /3'
    ])
  })

  it('pipelined responses answered at once keep order, framing and events; none follows one that closes', async () => {
    const events = []
    const { port } = await pool.start(http, (req, res) => {
      events.push(`request ${req.url}`)
      res.on('finish', () => events.push(`finish ${req.url}`))
      res.on('close', () => events.push(`close ${req.url}`))
      switch (req.url) {
        case '/buf': res.writeHead(200, { 'Content-Length': 3 }); res.end(Buffer.from('buf')); break
        case '/str': res.end('str'); break
        case '/chunks': res.write(Buffer.from('ch')); res.write('un'); res.end(Buffer.from('ks')); break
        case '/close': res.setHeader('Connection', 'close'); res.end('bye'); break
        default: res.end(req.url)
      }
    })
    const c = await rawConnect(port, ['/buf', '/str', '/chunks', '/close', '/after']
      .map((url) => `GET ${url} HTTP/1.1\r\nHost: x\r\n\r\n`).join(''))
    assert.ok(await c.waitClose())
    assert.strictEqual(c.normalised,
      'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nDate: <date>\r\n' + KA + '\r\nbuf' +
      ok('str') +
      'HTTP/1.1 200 OK\r\nDate: <date>\r\n' + KA + 'Transfer-Encoding: chunked\r\n\r\n2\r\nch\r\n2\r\nun\r\n2\r\nks\r\n0\r\n\r\n' +
      'HTTP/1.1 200 OK\r\nConnection: close\r\nDate: <date>\r\nContent-Length: 3\r\n\r\nbye')
    await delay(50)
    assert.deepStrictEqual(events, [
      'request /buf', 'request /str', 'request /chunks', 'request /close', 'request /after',
      'finish /buf', 'close /buf', 'finish /str', 'close /str', 'finish /chunks', 'close /chunks',
      'finish /close', 'close /close',
      // The response that never got its turn is destroyed when the socket
      // closes; from Node 24 on, that emits its 'close'.
      ...byLine({ 20: [], 24: ['close /after'] })
    ])
  })

  it('a waiting response that wrote before its turn, and one whose head goes with a Buffer body, keep their bytes in order', async () => {
    const waiting = {}
    const { port } = await pool.start(http, (req, res) => {
      waiting[req.url] = res
      // Written while /slow is unfinished: this part has to wait in the response.
      if (req.url === '/early') res.write('a')
      if (req.url !== '/buf') return
      setImmediate(() => {
        waiting['/slow'].end('one')
        // Now everything before them has gone out: their bytes may follow at once.
        waiting['/early'].end('b')
        res.writeHead(200, { 'Content-Length': 3 })
        res.end(Buffer.from('buf'))
      })
    })
    const c = await rawConnect(port,
      'GET /slow HTTP/1.1\r\nHost: x\r\n\r\nGET /early HTTP/1.1\r\nHost: x\r\n\r\n' +
      'GET /buf HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
    assert.ok(await c.waitClose())
    assert.strictEqual(c.normalised,
      ok('one') +
      'HTTP/1.1 200 OK\r\nDate: <date>\r\n' + KA + 'Transfer-Encoding: chunked\r\n\r\n1\r\na\r\n1\r\nb\r\n0\r\n\r\n' +
      'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nDate: <date>\r\nConnection: close\r\n\r\nbuf')
  })

  it('answers 300 pipelined requests from one write, in order (a batch longer than a call\'s arguments)', async () => {
    const { port } = await pool.start(http, (req, res) => res.end(req.url))
    const urls = Array.from({ length: 300 }, (_, k) => `/${k}`)
    const c = await rawConnect(port, urls.map((url, k) =>
      `GET ${url} HTTP/1.1\r\nHost: x\r\nX-N: ${k}\r\n${k === urls.length - 1 ? 'Connection: close\r\n' : ''}\r\n`).join(''))
    assert.ok(await c.waitClose())
    assert.strictEqual(c.normalised, urls.slice(0, -1).map(ok).join('') + okClose(urls[urls.length - 1]))
  })

  it('pipelines a POST with a body between two GETs', async () => {
    const { port } = await pool.start(http, (req, res) => {
      let body = ''
      req.on('data', (c) => { body += c })
      req.on('end', () => res.end(`${req.url}:${body}`))
    })
    const c = await rawConnect(port,
      'GET /a HTTP/1.1\r\nHost: x\r\n\r\n' +
      'POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello' +
      'POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n' +
      'GET /d HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
    assert.ok(await c.waitClose())
    assert.strictEqual(c.normalised, ok('/a:') + ok('/b:hello') + ok('/c:hi') + okClose('/d:'))
  })

  it('HTTP/1.0: no chunked encoding, Connection: close, and the connection closes', async () => {
    const { port } = await pool.start(http, routes)
    const c = await rawConnect(port, 'GET /chunked HTTP/1.0\r\nHost: x\r\n\r\n')
    assert.ok(await c.waitClose())
    // The status line says HTTP/1.1 even to an HTTP/1.0 client.
    assert.strictEqual(c.normalised, 'HTTP/1.1 200 OK\r\nDate: <date>\r\nConnection: close\r\n\r\nhello')
  })

  it('HTTP/1.0: res.end(body) gets no Content-Length either, and closes', async () => {
    const { port } = await pool.start(http, routes)
    const c = await rawConnect(port, 'GET /end HTTP/1.0\r\n\r\n')
    assert.ok(await c.waitClose())
    assert.strictEqual(c.normalised, 'HTTP/1.1 200 OK\r\nDate: <date>\r\nConnection: close\r\n\r\nhello')
  })

  it('HTTP/1.0 with Connection: keep-alive stays open only when the response has a Content-Length', async () => {
    const { port } = await pool.start(http, routes)
    const c = await rawConnect(port, 'GET /cl HTTP/1.0\r\nConnection: keep-alive\r\n\r\n')
    const first = 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nDate: <date>\r\n' + KA + '\r\nhello'
    assert.strictEqual(await c.receive(first), first)
    assert.strictEqual(c.closed, false)
    // Without a known length the same keep-alive request is answered with a close.
    await c.write('GET /end HTTP/1.0\r\nConnection: keep-alive\r\n\r\n')
    assert.ok(await c.waitClose())
    assert.strictEqual(c.normalised, first + 'HTTP/1.1 200 OK\r\nDate: <date>\r\nConnection: close\r\n\r\nhello')
  })

  it('closes after the response when the request says Connection: close', async () => {
    const { port } = await pool.start(http, routes)
    const c = await rawConnect(port, 'GET /chunked HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
    assert.ok(await c.waitClose())
    assert.strictEqual(c.normalised,
      'HTTP/1.1 200 OK\r\nDate: <date>\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n' + HELLO_CHUNKED)
  })

  it('ignores bytes pipelined after a Connection: close request', async () => {
    const seen = []
    const { port } = await pool.start(http, (req, res) => { seen.push(req.url); res.end(req.url) })
    const c = await rawConnect(port, 'GET /1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\n')
    assert.ok(await c.waitClose())
    assert.strictEqual(c.normalised, okClose('/1'))
    assert.deepStrictEqual(seen, ['/1'])
  })

  it('HEAD gets the head without a body, and the connection stays usable', async () => {
    const { port } = await pool.start(http, routes)
    const c = await rawConnect(port,
      'HEAD /typed HTTP/1.1\r\nHost: x\r\n\r\n' +
      'HEAD /chunked HTTP/1.1\r\nHost: x\r\n\r\n' +
      'HEAD /head-cl HTTP/1.1\r\nHost: x\r\n\r\n' +
      'GET /end HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
    assert.ok(await c.waitClose())
    assert.strictEqual(c.normalised,
      // res.end(body) on HEAD: neither Content-Length nor Transfer-Encoding is sent.
      'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nDate: <date>\r\n' + KA + '\r\n' +
      'HTTP/1.1 200 OK\r\nDate: <date>\r\n' + KA + '\r\n' +
      // An explicit Content-Length is kept.
      'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nDate: <date>\r\n' + KA + '\r\n' +
      okClose('hello'))
  })

  it('204 and 304 carry no body and no framing headers, even when the app writes one', async () => {
    const { port } = await pool.start(http, routes)
    const c = await rawConnect(port,
      'GET /204 HTTP/1.1\r\nHost: x\r\n\r\nGET /304 HTTP/1.1\r\nHost: x\r\n\r\nGET /end HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
    assert.ok(await c.waitClose())
    assert.strictEqual(c.normalised,
      'HTTP/1.1 204 No Content\r\nDate: <date>\r\n' + KA + '\r\n' +
      'HTTP/1.1 304 Not Modified\r\nDate: <date>\r\n' + KA + '\r\n' +
      okClose('hello'))
  })

  it('uses chunked encoding when the length is not known', async () => {
    const { port } = await pool.start(http, routes)
    const c = await rawConnect(port, 'GET /chunked HTTP/1.1\r\nHost: x\r\n\r\n')
    const expected = 'HTTP/1.1 200 OK\r\nDate: <date>\r\n' + KA + 'Transfer-Encoding: chunked\r\n\r\n' + HELLO_CHUNKED
    assert.strictEqual(await c.receive(expected), expected)
    assert.strictEqual(c.closed, false)
  })

  it('computes Content-Length for res.end(body) and res.end() without a write', async () => {
    const { port } = await pool.start(http, routes)
    const c = await rawConnect(port, 'GET /end HTTP/1.1\r\nHost: x\r\n\r\nGET /empty HTTP/1.1\r\nHost: x\r\n\r\n')
    const expected = ok('hello') + ok('')
    assert.strictEqual(await c.receive(expected), expected)
  })

  it('sends an application-set Content-Length where it was set in the header order', async () => {
    const { port } = await pool.start(http, routes)
    const c = await rawConnect(port, 'GET /cl HTTP/1.1\r\nHost: x\r\n\r\n')
    const expected = 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nDate: <date>\r\n' + KA + '\r\nhello'
    assert.strictEqual(await c.receive(expected), expected)
  })

  it('falls back to chunked when middleware removes Content-Length (write + end)', async () => {
    const { port } = await pool.start(http, routes)
    const c = await rawConnect(port, 'GET /rm-write HTTP/1.1\r\nHost: x\r\n\r\n')
    const expected = 'HTTP/1.1 200 OK\r\nX-A: 1\r\nDate: <date>\r\n' + KA + 'Transfer-Encoding: chunked\r\n\r\n' + HELLO_CHUNKED
    assert.strictEqual(await c.receive(expected), expected)
  })

  it('falls back to chunked when Content-Length is removed, even for a single res.end(body)', async () => {
    const { port } = await pool.start(http, routes)
    const c = await rawConnect(port, 'GET /rm-end HTTP/1.1\r\nHost: x\r\n\r\n')
    // Node remembers the removal and does not compute a length for end(body).
    const expected = 'HTTP/1.1 200 OK\r\nDate: <date>\r\n' + KA + 'Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n'
    assert.strictEqual(await c.receive(expected), expected)
  })

  it('reuses the connection for Node\'s keep-alive Agent', async () => {
    const realHttp = require('http')
    const ports = []
    const { port } = await pool.start(http, (req, res) => { ports.push(req.socket.remotePort); res.end('x') })
    const agent = new realHttp.Agent({ keepAlive: true, maxSockets: 1 })
    try {
      for (let i = 0; i < 3; i++) {
        await new Promise((resolve, reject) => {
          realHttp.get({ host: '127.0.0.1', port, agent, path: `/${i}` }, (res) => {
            res.resume()
            res.on('end', resolve)
          }).on('error', reject)
        })
        await delay(5)
      }
    } finally {
      agent.destroy()
    }
    assert.strictEqual(ports.length, 3)
    assert.strictEqual(new Set(ports).size, 1)
  })
})
