'use strict'
// What the server's IncomingMessage says about a request: method, url,
// version, headers (case, duplicates, order), completeness and the socket.
const assert = require('assert')
const { once } = require('events')
const { eachImpl } = require('../helpers/impls')
const { delay } = require('../helpers/net')
const { rawConnect } = require('../helpers/req-raw')
const { serverPool, nodeRequest, withTimeout } = require('../helpers/req-util')

eachImpl('request basics', (http) => {
  const pool = serverPool()
  afterEach(() => pool.closeAll())

  /** Sends `text` on a fresh connection; resolves the first request the server sees. */
  async function capture (text, options = {}) {
    let resolveReq
    const seen = new Promise((resolve) => { resolveReq = resolve })
    const { port } = await pool.start(http, options, (req, res) => {
      const snapshot = {
        req,
        method: req.method,
        url: req.url,
        httpVersion: req.httpVersion,
        httpVersionMajor: req.httpVersionMajor,
        httpVersionMinor: req.httpVersionMinor,
        headers: req.headers,
        rawHeaders: req.rawHeaders,
        headersDistinct: req.headersDistinct,
        completeAtRequest: req.complete
      }
      req.resume()
      req.on('end', () => res.end('ok'))
      resolveReq(snapshot)
    })
    const client = await rawConnect(port, text)
    const snap = await withTimeout(seen, 2000, 'request event')
    return { ...snap, client, port }
  }

  it('emits request with instances of the exported IncomingMessage and ServerResponse', async () => {
    let got
    const { port } = await pool.start(http, (req, res) => { got = { req, res }; res.end() })
    await nodeRequest(port)
    assert.ok(got.req instanceof http.IncomingMessage)
    assert.ok(got.res instanceof http.ServerResponse)
    assert.ok(http.createServer() instanceof http.Server)
  })

  it('reports method and url exactly as sent', async () => {
    const seen = []
    const { port } = await pool.start(http, (req, res) => { seen.push([req.method, req.url]); res.end() })
    const lines = [
      ['GET', '/'],
      ['POST', '/p?q=1&r=%20x'],
      ['PUT', '/a/b/../c'],
      ['DELETE', '/x;y=1'],
      ['PATCH', '/'],
      ['OPTIONS', '*'],
      ['PURGE', '/cache'],
      ['PROPFIND', '/dav/'],
      ['M-SEARCH', '*'],
      ['GET', 'http://example.com:8080/p?q=1#frag'], // absolute-form is passed through untouched
      ['GET', '//double//slash'],
      ['GET', '/%E2%82%AC?%zz']
    ]
    for (const [method, url] of lines) {
      const c = await rawConnect(port, `${method} ${url} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`)
      assert.ok(await c.waitClose(), `${method} ${url}: connection not closed`)
      assert.match(c.text, /^HTTP\/1\.1 200 OK\r\n/, `${method} ${url}`)
    }
    assert.deepStrictEqual(seen, lines)
  })

  it('parses every method in Node\'s http.METHODS except CONNECT (pipelined on one connection)', async () => {
    const methods = require('http').METHODS.filter((m) => m !== 'CONNECT')
    const seen = []
    const { port } = await pool.start(http, (req, res) => { seen.push(req.method); res.end() })
    const text = methods.map((m, i) =>
      `${m} /${i} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n${i === methods.length - 1 ? 'Connection: close\r\n' : ''}\r\n`).join('')
    const c = await rawConnect(port, text)
    assert.ok(await c.waitClose(), 'connection not closed after the last request')
    assert.deepStrictEqual(seen, methods)
    assert.strictEqual(c.text.match(/HTTP\/1\.1 200 OK\r\n/g).length, methods.length)
  })

  it('reports httpVersion, httpVersionMajor and httpVersionMinor', async () => {
    const seen = []
    const { port } = await pool.start(http, (req, res) => {
      seen.push([req.httpVersion, req.httpVersionMajor, req.httpVersionMinor]); res.end()
    })
    for (const v of ['1.1', '1.0']) {
      const c = await rawConnect(port, `GET / HTTP/${v}\r\nHost: x\r\nConnection: close\r\n\r\n`)
      assert.ok(await c.waitClose())
    }
    assert.deepStrictEqual(seen, [['1.1', 1, 1], ['1.0', 1, 0]])
  })

  it('lowercases header names, trims values, keeps empty values and decodes latin1', async () => {
    const { headers, rawHeaders } = await capture(Buffer.from(
      'GET / HTTP/1.1\r\nHOST: Example.COM\r\nX-Mixed-CASE:   Value With Spaces  \r\nX-Tab:\tv\t\r\nX-Empty:\r\nX-Latin: caf\xe9\r\nConnection: close\r\n\r\n', 'latin1'))
    assert.deepStrictEqual(headers, {
      host: 'Example.COM',
      'x-mixed-case': 'Value With Spaces',
      'x-tab': 'v',
      'x-empty': '',
      'x-latin': 'caf\u00e9', // bytes >= 0x80 are decoded as latin1
      connection: 'close'
    })
    assert.deepStrictEqual(rawHeaders, ['HOST', 'Example.COM', 'X-Mixed-CASE', 'Value With Spaces', 'X-Tab', 'v', 'X-Empty', '', 'X-Latin', 'caf\u00e9', 'Connection', 'close'])
  })

  const duplicates =
    'GET / HTTP/1.1\r\n' +
    'Host: one\r\nHost: two\r\n' +
    'Content-Type: a\r\nContent-Type: b\r\n' +
    'User-Agent: u1\r\nUser-Agent: u2\r\n' +
    'X-Foo: 1\r\nx-foo: 2\r\nX-FOO: 3\r\n' +
    'Set-Cookie: a=1\r\nset-cookie: b=2\r\n' +
    'Cookie: c=1\r\nCookie: d=2\r\n' +
    'Accept: x\r\nAccept: y\r\n' +
    'Authorization: a1\r\nAuthorization: a2\r\n' +
    'Referer: r1\r\nReferer: r2\r\n' +
    'From: f1\r\nFrom: f2\r\n' +
    'Location: l1\r\nLocation: l2\r\n' +
    'Max-Forwards: 1\r\nMax-Forwards: 2\r\n' +
    'Retry-After: 1\r\nRetry-After: 2\r\n' +
    'ETag: e1\r\nETag: e2\r\n' +
    'Last-Modified: m1\r\nLast-Modified: m2\r\n' +
    'Server: s1\r\nServer: s2\r\n' +
    'Age: 1\r\nAge: 2\r\n' +
    'Expires: x1\r\nExpires: x2\r\n' +
    'If-Modified-Since: i1\r\nIf-Modified-Since: i2\r\n' +
    'If-Unmodified-Since: j1\r\nIf-Unmodified-Since: j2\r\n' +
    'Proxy-Authorization: p1\r\nProxy-Authorization: p2\r\n' +
    'Connection: close\r\n\r\n'

  it('applies Node\'s duplicate-header rules to req.headers', async () => {
    const { headers } = await capture(duplicates)
    assert.deepStrictEqual(headers, {
      host: 'one', // singleton fields: the first value wins
      'content-type': 'a',
      'user-agent': 'u1',
      'x-foo': '1, 2, 3', // other fields are joined with ', '
      'set-cookie': ['a=1', 'b=2'], // set-cookie is always an array
      cookie: 'c=1; d=2', // cookie is joined with '; ', not ', '
      accept: 'x, y',
      authorization: 'a1',
      referer: 'r1',
      from: 'f1',
      location: 'l1',
      'max-forwards': '1',
      'retry-after': '1',
      etag: 'e1',
      'last-modified': 'm1',
      server: 's1',
      age: '1',
      expires: 'x1',
      'if-modified-since': 'i1',
      'if-unmodified-since': 'j1',
      'proxy-authorization': 'p1',
      connection: 'close'
    })
  })

  it('joins singleton duplicates too with joinDuplicateHeaders: true', async () => {
    const { headers } = await capture(
      'GET / HTTP/1.1\r\nHost: h\r\nContent-Type: a\r\nContent-Type: b\r\nSet-Cookie: x\r\nSet-Cookie: y\r\nCookie: a\r\nCookie: b\r\nX: 1\r\nX: 2\r\nConnection: close\r\n\r\n',
      { joinDuplicateHeaders: true })
    assert.deepStrictEqual(headers, {
      host: 'h',
      'content-type': 'a, b',
      'set-cookie': ['x', 'y'],
      cookie: 'a; b',
      x: '1, 2',
      connection: 'close'
    })
  })

  it('keeps rawHeaders with the original case, order and every duplicate', async () => {
    const { rawHeaders } = await capture(duplicates)
    const expected = []
    for (const line of duplicates.split('\r\n').slice(1)) {
      if (!line) continue
      const i = line.indexOf(':')
      expected.push(line.slice(0, i), line.slice(i + 1).trim())
    }
    assert.deepStrictEqual(rawHeaders, expected)
  })

  it('keeps all of 700 header lines in rawHeaders and headers', async () => {
    const lines = Array.from({ length: 700 }, (_, k) => `X-H${k}: v${k}\r\n`)
    const { rawHeaders, headers } = await capture('GET / HTTP/1.1\r\nHost: x\r\n' + lines.join('') + '\r\n')
    assert.strictEqual(rawHeaders.length, 2 * 701)
    assert.deepStrictEqual(rawHeaders.slice(-4), ['X-H698', 'v698', 'X-H699', 'v699'])
    assert.strictEqual(headers['x-h350'], 'v350')
  })

  it('exposes every value per name in headersDistinct (a null-prototype object)', async () => {
    const { headersDistinct } = await capture(duplicates)
    assert.strictEqual(Object.getPrototypeOf(headersDistinct), null)
    assert.deepStrictEqual({ ...headersDistinct }, {
      host: ['one', 'two'],
      'content-type': ['a', 'b'],
      'user-agent': ['u1', 'u2'],
      'x-foo': ['1', '2', '3'],
      'set-cookie': ['a=1', 'b=2'],
      cookie: ['c=1', 'd=2'],
      accept: ['x', 'y'],
      authorization: ['a1', 'a2'],
      referer: ['r1', 'r2'],
      from: ['f1', 'f2'],
      location: ['l1', 'l2'],
      'max-forwards': ['1', '2'],
      'retry-after': ['1', '2'],
      etag: ['e1', 'e2'],
      'last-modified': ['m1', 'm2'],
      server: ['s1', 's2'],
      age: ['1', '2'],
      expires: ['x1', 'x2'],
      'if-modified-since': ['i1', 'i2'],
      'if-unmodified-since': ['j1', 'j2'],
      'proxy-authorization': ['p1', 'p2'],
      connection: ['close']
    })
  })

  it('is not complete inside the request handler, even for a body-less GET, and complete after end', async () => {
    const state = []
    const { port } = await pool.start(http, (req, res) => {
      // Node emits 'request' when the head is parsed, before it marks the message complete.
      state.push(['request', req.complete])
      req.on('end', () => { state.push(['end', req.complete]); res.end() })
      req.resume()
    })
    await nodeRequest(port)
    await nodeRequest(port, { method: 'POST', body: 'hello' })
    assert.deepStrictEqual(state, [['request', false], ['end', true], ['request', false], ['end', true]])
  })

  it('describes the peer and local end in req.socket, and req.connection is req.socket', async () => {
    let seen
    const { port } = await pool.start(http, (req, res) => {
      seen = {
        remoteAddress: req.socket.remoteAddress,
        remotePort: req.socket.remotePort,
        remoteFamily: req.socket.remoteFamily,
        localAddress: req.socket.localAddress,
        localPort: req.socket.localPort,
        connectionIsSocket: req.connection === req.socket,
        resSocket: res.socket === req.socket,
        resConnection: res.connection === req.socket,
        encrypted: req.socket.encrypted,
        hasEncrypted: 'encrypted' in req.socket,
        methods: ['destroy', 'setTimeout', 'setNoDelay', 'setKeepAlive', 'address', 'on', 'once', 'write', 'end']
          .filter((m) => typeof req.socket[m] !== 'function')
      }
      res.end()
    })
    const { socket } = await nodeRequest(port)
    assert.deepStrictEqual(seen, {
      remoteAddress: '127.0.0.1',
      remotePort: socket.localPort,
      remoteFamily: 'IPv4',
      localAddress: '127.0.0.1',
      localPort: port,
      connectionIsSocket: true,
      resSocket: true,
      resConnection: true,
      encrypted: undefined, // plain TCP: the property is simply absent
      hasEncrypted: false,
      methods: []
    })
  })

  it('gives the socket of the connection event as req.socket, the same object for every request on a keep-alive connection', async () => {
    const connections = []
    const sockets = []
    const { server, port } = await pool.start(http, (req, res) => { sockets.push(req.socket); res.end(req.url) })
    server.on('connection', (s) => connections.push(s))
    const c = await rawConnect(port, 'GET /1 HTTP/1.1\r\nHost: x\r\n\r\n')
    await c.waitFor('\r\n\r\n/1')
    await c.write('GET /2 HTTP/1.1\r\nHost: x\r\n\r\n')
    await c.waitFor('\r\n\r\n/2')
    assert.strictEqual(connections.length, 1)
    assert.strictEqual(sockets.length, 2)
    assert.strictEqual(sockets[0], connections[0])
    assert.strictEqual(sockets[1], connections[0])
    assert.strictEqual(sockets[0].remotePort, c.localPort)
  })

  it('emits connection before request, and request once per message', async () => {
    const events = []
    const { server, port } = await pool.start(http, (req, res) => { events.push(`request ${req.url}`); res.end() })
    server.on('connection', () => events.push('connection'))
    const c = await rawConnect(port, 'GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
    assert.ok(await c.waitClose())
    await delay(20)
    assert.deepStrictEqual(events, ['connection', 'request /a', 'request /b'])
  })

  it('passes the request and response as arguments to the request event listeners in order', async () => {
    const order = []
    const { server, port } = await pool.start(http)
    server.on('request', (req, res) => { order.push(['first', req.url, typeof res.end]) })
    server.on('request', (req, res) => { order.push(['second', req.url]); res.end() })
    const { res } = await nodeRequest(port, { path: '/x' })
    assert.strictEqual(res.statusCode, 200)
    assert.deepStrictEqual(order, [['first', '/x', 'function'], ['second', '/x']])
  })

  it('leaves headers sent by Node\'s client readable the same way', async () => {
    let seen
    const { port } = await pool.start(http, (req, res) => { seen = { headers: req.headers, raw: req.rawHeaders }; res.end() })
    await nodeRequest(port, { path: '/h', headers: { 'X-Multi': ['a', 'b'], 'X-Single': 'v' } })
    assert.deepStrictEqual(seen.raw, ['X-Multi', 'a', 'X-Multi', 'b', 'X-Single', 'v', 'Host', `127.0.0.1:${port}`, 'Connection', 'close'])
    assert.strictEqual(seen.headers['x-multi'], 'a, b')
  })

  it('answers a request whose head arrives one byte at a time', async () => {
    let seen
    const { port } = await pool.start(http, (req, res) => { seen = [req.method, req.url, req.rawHeaders]; res.end('ok') })
    const text = 'GET /slow HTTP/1.1\r\nHost: x\r\nX-A: b\r\nConnection: close\r\n\r\n'
    const c = await rawConnect(port, text.split(''), 1)
    assert.ok(await c.waitClose())
    assert.deepStrictEqual(seen, ['GET', '/slow', ['Host', 'x', 'X-A', 'b', 'Connection', 'close']])
    assert.match(c.text, /\r\n\r\nok$/)
  })

  it('waits for end before the request is complete when a body is still arriving', async () => {
    const state = []
    const { port } = await pool.start(http, (req, res) => {
      state.push(req.complete)
      req.on('data', () => state.push(req.complete))
      req.on('end', () => { state.push(req.complete); res.end() })
    })
    const c = await rawConnect(port, ['POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nConnection: close\r\n\r\nab', 'cd'], 50)
    assert.ok(await c.waitClose())
    assert.strictEqual(state[0], false)
    assert.strictEqual(state[state.length - 1], true)
    assert.ok(state.length >= 3, JSON.stringify(state))
  })

  it('emits request on a server created without a handler once a listener is added', async () => {
    const { server, port } = await pool.start(http)
    const got = once(server, 'request')
    const c = await rawConnect(port, 'GET /late HTTP/1.1\r\nHost: x\r\n\r\n')
    const [req, res] = await withTimeout(got, 2000)
    assert.strictEqual(req.url, '/late')
    res.end('z')
    await c.waitFor('\r\n\r\nz')
  })
})
