'use strict'
// lib/outgoing-headers.ts against the real node:http: for each case a Node
// server (or client) makes some calls and we capture the head it writes with
// a raw socket; buildHead() given the equivalent inputs must produce the same
// bytes once the Date value is masked, and the same framing decisions.
const assert = require('assert')
const http = require('http')
const net = require('net')
const { once } = require('events')

const out = require('../../dist/outgoing-headers.js')

const CRLF2 = '\r\n\r\n'

/** Masks the Date value so heads written at different instants compare. */
const maskDate = (head) => head.replace(/^Date: .*$/gim, 'Date: <date>')

/**
 * Writes `request` to `port` and collects the reply until the server closes
 * the connection (closed: true) or stays idle for `idleMs` (closed: false).
 */
function exchange (port, request, idleMs = 60) {
  return new Promise((resolve, reject) => {
    const chunks = []
    const sock = net.connect(port, '127.0.0.1', () => sock.write(request))
    let idle = setTimeout(finish, idleMs * 4, false)
    function finish (closed) {
      clearTimeout(idle)
      sock.destroy()
      resolve({ bytes: Buffer.concat(chunks), closed })
    }
    sock.on('data', (chunk) => {
      chunks.push(chunk)
      clearTimeout(idle)
      idle = setTimeout(finish, idleMs, false)
    })
    sock.on('end', () => finish(true))
    sock.on('error', reject)
  })
}

/** Runs `handler` on a real Node server for `request`; resolves the raw reply. */
async function nodeResponse ({ request, handler, serverOptions = {}, serverProps = {} }) {
  const server = http.createServer(serverOptions, handler)
  Object.assign(server, serverProps)
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  try {
    return await exchange(server.address().port, request)
  } finally {
    server.closeAllConnections()
    server.close()
  }
}

/** Runs `makeRequest(port)` against a raw server; resolves the request head the Node client wrote. */
async function nodeRequestHead (makeRequest) {
  const server = net.createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address()
  try {
    const head = new Promise((resolve) => {
      server.once('connection', (sock) => {
        let text = ''
        sock.setEncoding('latin1')
        sock.on('data', (chunk) => {
          text += chunk
          const end = text.indexOf(CRLF2)
          if (end !== -1) {
            resolve(text.slice(0, end + 4))
            sock.end('HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n')
          }
        })
      })
    })
    const req = makeRequest(port)
    req.on('error', () => {})
    req.on('response', (res) => res.resume())
    return { port, head: await head }
  } finally {
    server.close()
  }
}

/** The inputs ServerResponse gives for a plain HTTP/1.1 request on a default server. */
function responseInput (fields = {}) {
  return {
    firstLine: 'HTTP/1.1 200 OK',
    headers: null,
    rawHeaders: null,
    isRequest: false,
    sendDate: true,
    shouldKeepAlive: true,
    useChunkedEncodingByDefault: true,
    hasBody: true,
    contentLength: -1,
    chunkedAllowed: true,
    keepAliveTimeoutSecs: 5,
    ...fields,
  }
}

/** A header store filled by `fill(store)`. */
function store (fill) {
  const h = out.createOutHeaders()
  fill(h)
  return h
}

const GET = 'GET / HTTP/1.1\r\nHost: x\r\n\r\n'
const GET_1_0 = 'GET / HTTP/1.0\r\n\r\n'

// Each case: what the Node handler does, and the HeadInput the same calls
// produce in uvhttp. `closes` is whether Node closed the connection after it
// (our `last`); `chunked` whether the body went out chunked.
const responseCases = [
  {
    title: 'end(data): Content-Length, keep-alive with timeout',
    handler: (req, res) => res.end('hello'),
    input: responseInput({ contentLength: 5 }),
    closes: false,
    chunked: false,
  },
  {
    title: 'end() with no data: Content-Length: 0',
    handler: (req, res) => res.end(),
    input: responseInput({ contentLength: 0 }),
    closes: false,
    chunked: false,
  },
  {
    title: 'write() before end(): chunked',
    handler: (req, res) => { res.write('a'); res.end('b') },
    input: responseInput(),
    closes: false,
    chunked: true,
  },
  {
    title: 'stored headers keep insertion order and spelling; arrays go one per line',
    handler: (req, res) => {
      res.setHeader('Content-Type', 'text/plain')
      res.setHeader('X-Multi', ['a', 'b'])
      res.setHeader('x-number', 42)
      res.setHeader('Content-Type', 'text/html') // replaces, keeps its place
      res.end('hi')
    },
    input: responseInput({
      contentLength: 2,
      headers: store((h) => {
        out.setOutHeader(h, 'Content-Type', 'text/plain')
        out.setOutHeader(h, 'X-Multi', ['a', 'b'])
        out.setOutHeader(h, 'x-number', 42)
        out.setOutHeader(h, 'Content-Type', 'text/html')
      }),
    }),
    closes: false,
    chunked: false,
  },
  {
    title: 'appendHeader turns a field into several lines',
    handler: (req, res) => {
      res.appendHeader('X-A', '1')
      res.appendHeader('x-a', ['2', '3'])
      res.appendHeader('Set-Cookie', 'a=1')
      res.end('')
    },
    input: responseInput({
      contentLength: 0,
      headers: store((h) => {
        out.appendOutHeader(h, 'X-A', '1')
        out.appendOutHeader(h, 'x-a', ['2', '3'])
        out.appendOutHeader(h, 'Set-Cookie', 'a=1')
      }),
    }),
    closes: false,
    chunked: false,
  },
  {
    title: 'a user Content-Length is used as is',
    handler: (req, res) => { res.setHeader('Content-Length', '2'); res.write('hi'); res.end() },
    input: responseInput({ headers: store((h) => out.setOutHeader(h, 'Content-Length', '2')) }),
    closes: false,
    chunked: false,
  },
  {
    title: 'a user Transfer-Encoding: chunked wins over the known length',
    handler: (req, res) => { res.setHeader('transfer-encoding', 'chunked'); res.end('hi') },
    input: responseInput({ contentLength: 2, headers: store((h) => out.setOutHeader(h, 'transfer-encoding', 'chunked')) }),
    closes: false,
    chunked: true,
  },
  {
    title: 'Connection: close from the user closes',
    handler: (req, res) => { res.setHeader('Connection', 'close'); res.end('x') },
    input: responseInput({ contentLength: 1, headers: store((h) => out.setOutHeader(h, 'Connection', 'close')) }),
    closes: true,
    chunked: false,
  },
  {
    title: 'Connection: keep-alive from the user: no Keep-Alive header added',
    handler: (req, res) => { res.setHeader('Connection', 'keep-alive'); res.end('x') },
    input: responseInput({ contentLength: 1, headers: store((h) => out.setOutHeader(h, 'Connection', 'keep-alive')) }),
    closes: false,
    chunked: false,
  },
  {
    title: 'removeHeader("date") sends no Date',
    handler: (req, res) => { res.removeHeader('Date'); res.end('x') },
    input: responseInput({ contentLength: 1, sendDate: false }),
    closes: false,
    chunked: false,
  },
  {
    title: 'a user Date replaces ours',
    handler: (req, res) => { res.setHeader('date', 'yesterday'); res.end('x') },
    input: responseInput({ contentLength: 1, headers: store((h) => out.setOutHeader(h, 'date', 'yesterday')) }),
    closes: false,
    chunked: false,
  },
  {
    title: 'removeHeader("content-length") with a known length: chunked',
    handler: (req, res) => { res.removeHeader('Content-Length'); res.end('abc') },
    input: responseInput({ contentLength: 3, removedContentLength: true }),
    closes: false,
    chunked: true,
  },
  {
    title: 'both framing headers removed: the body ends with the connection',
    handler: (req, res) => { res.removeHeader('Content-Length'); res.removeHeader('Transfer-Encoding'); res.end('abc') },
    input: responseInput({ contentLength: 3, removedContentLength: true, removedTransferEncoding: true }),
    closes: true,
    chunked: false,
  },
  {
    title: 'removeHeader("connection"): no Connection header, still persistent',
    handler: (req, res) => { res.removeHeader('connection'); res.end('x') },
    input: responseInput({ contentLength: 1, removedConnection: true }),
    closes: false,
    chunked: false,
  },
  {
    title: 'removeHeader("connection") then a user Connection header',
    handler: (req, res) => { res.removeHeader('connection'); res.setHeader('Connection', 'close'); res.end('x') },
    input: responseInput({ contentLength: 1, removedConnection: true, headers: store((h) => out.setOutHeader(h, 'Connection', 'close')) }),
    closes: true,
    chunked: false,
  },
  {
    title: '204: no body framing at all',
    handler: (req, res) => { res.writeHead(204); res.end() },
    input: responseInput({ firstLine: 'HTTP/1.1 204 No Content', hasBody: false, contentLength: 0 }),
    closes: false,
    chunked: false,
  },
  {
    title: '304 with a user Transfer-Encoding: chunked is dropped and the connection closes',
    handler: (req, res) => { res.writeHead(304, { 'Transfer-Encoding': 'chunked' }); res.end() },
    input: responseInput({ firstLine: 'HTTP/1.1 304 Not Modified', hasBody: false, rawHeaders: { 'Transfer-Encoding': 'chunked' } }),
    closes: true,
    chunked: false,
  },
  {
    title: 'HEAD: keep-alive, no length',
    request: 'HEAD / HTTP/1.1\r\nHost: x\r\n\r\n',
    handler: (req, res) => res.end('hello'),
    input: responseInput({ hasBody: false, contentLength: 5 }),
    closes: false,
    chunked: false,
  },
  {
    // writeHead() builds the head before end() tells the length: chunked.
    title: 'writeHead with a flat array: sent verbatim, validated',
    handler: (req, res) => { res.writeHead(200, ['A', '1', 'set-cookie', 'x=1', 'Set-Cookie', 'y=2']); res.end('x') },
    input: responseInput({ rawHeaders: ['A', '1', 'set-cookie', 'x=1', 'Set-Cookie', 'y=2'] }),
    closes: false,
    chunked: true,
  },
  {
    title: 'writeHead with [name, value] pairs',
    handler: (req, res) => { res.writeHead(200, [['A', '1'], ['B', ['2', '3']]]); res.end('x') },
    input: responseInput({ rawHeaders: [['A', '1'], ['B', ['2', '3']]] }),
    closes: false,
    chunked: true,
  },
  {
    title: 'writeHead with an object, a reason phrase and a numeric Content-Length',
    handler: (req, res) => { res.writeHead(201, 'Made', { 'content-length': 1, 'Set-Cookie': ['a=1', 'b=2'] }); res.end('x') },
    input: responseInput({ firstLine: 'HTTP/1.1 201 Made', contentLength: 1, rawHeaders: { 'content-length': 1, 'Set-Cookie': ['a=1', 'b=2'] } }),
    closes: false,
    chunked: false,
  },
  {
    title: 'Trailer with chunked framing',
    handler: (req, res) => { res.setHeader('Trailer', 'X-T'); res.write('a'); res.addTrailers({ 'X-T': '1' }); res.end() },
    input: responseInput({ headers: store((h) => out.setOutHeader(h, 'Trailer', 'X-T')) }),
    closes: false,
    chunked: true,
  },
  {
    title: 'Trailer with a known length: Node switches to chunked',
    handler: (req, res) => { res.setHeader('Trailer', 'X-T'); res.end('abc') },
    input: responseInput({ contentLength: 3, headers: store((h) => out.setOutHeader(h, 'Trailer', 'X-T')) }),
    closes: false,
    chunked: true,
  },
  {
    title: 'HTTP/1.0 request: close, no Content-Length',
    request: GET_1_0,
    handler: (req, res) => res.end('hi'),
    input: responseInput({ contentLength: 2, shouldKeepAlive: false, chunkedAllowed: false }),
    closes: true,
    chunked: false,
  },
  {
    title: 'HTTP/1.0 keep-alive request with end(data): Node still closes and sends no length',
    request: 'GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n',
    handler: (req, res) => res.end('hi'),
    input: responseInput({ contentLength: 2, chunkedAllowed: false }),
    closes: true,
    chunked: false,
  },
  {
    title: 'HTTP/1.0 keep-alive request with a user Content-Length: kept alive',
    request: 'GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n',
    handler: (req, res) => { res.setHeader('Content-Length', 2); res.end('hi') },
    input: responseInput({ contentLength: 2, chunkedAllowed: false, headers: store((h) => out.setOutHeader(h, 'Content-Length', 2)) }),
    closes: false,
    chunked: false,
  },
  {
    title: 'HTTP/1.0 request: a user Connection: keep-alive and Content-Length keep the connection',
    request: GET_1_0,
    handler: (req, res) => { res.setHeader('Connection', 'keep-alive'); res.setHeader('Content-Length', 2); res.end('hi') },
    input: responseInput({
      contentLength: 2,
      shouldKeepAlive: false,
      chunkedAllowed: false,
      headers: store((h) => { out.setOutHeader(h, 'Connection', 'keep-alive'); out.setOutHeader(h, 'Content-Length', 2) }),
    }),
    closes: false,
    chunked: false,
    shouldKeepAlive: true,
  },
  {
    title: 'HTTP/1.0 request with TE: chunked may be sent chunked',
    request: 'GET / HTTP/1.0\r\nTE: chunked\r\n\r\n',
    handler: (req, res) => { res.write('a'); res.end('b') },
    input: responseInput({ shouldKeepAlive: false, chunkedAllowed: true }),
    closes: true,
    chunked: true,
  },
  {
    title: 'maxRequestsPerSocket adds max= to Keep-Alive',
    serverProps: { maxRequestsPerSocket: 3 },
    handler: (req, res) => res.end('x'),
    input: responseInput({ contentLength: 1, maxRequestsPerSocket: 3 }),
    closes: false,
    chunked: false,
  },
  {
    title: 'the last request allowed on the socket gets Connection: close (but Node keeps the socket)',
    serverProps: { maxRequestsPerSocket: 1 },
    handler: (req, res) => res.end('x'),
    input: responseInput({ contentLength: 1, maxRequestsPerSocket: 1, maxRequestsReached: true }),
    closes: false,
    chunked: false,
  },
  {
    title: 'keepAliveTimeout 500 ms: timeout=0',
    serverProps: { keepAliveTimeout: 500 },
    handler: (req, res) => res.end('x'),
    input: responseInput({ contentLength: 1, keepAliveTimeoutSecs: 500 / 1000 }),
    closes: false,
    chunked: false,
  },
  {
    title: 'keepAliveTimeout 0: no Keep-Alive header',
    serverProps: { keepAliveTimeout: 0 },
    handler: (req, res) => res.end('x'),
    input: responseInput({ contentLength: 1, keepAliveTimeoutSecs: 0 }),
    closes: false,
    chunked: false,
  },
  {
    title: 'a user Keep-Alive header suppresses ours',
    handler: (req, res) => { res.setHeader('Keep-Alive', 'timeout=9'); res.end('x') },
    input: responseInput({ contentLength: 1, headers: store((h) => out.setOutHeader(h, 'Keep-Alive', 'timeout=9')) }),
    closes: false,
    chunked: false,
  },
  {
    title: 'uniqueHeaders joins an array value on one line',
    serverOptions: { uniqueHeaders: ['x-u'] },
    handler: (req, res) => { res.setHeader('X-U', ['a', 'b']); res.setHeader('X-V', ['c', 'd']); res.end('x') },
    input: responseInput({
      contentLength: 1,
      uniqueHeaders: new Set(['x-u']),
      headers: store((h) => { out.setOutHeader(h, 'X-U', ['a', 'b']); out.setOutHeader(h, 'X-V', ['c', 'd']) }),
    }),
    closes: false,
    chunked: false,
  },
  {
    title: 'a Cookie array is joined with "; "',
    handler: (req, res) => { res.setHeader('Cookie', ['a=1', 'b=2']); res.end('x') },
    input: responseInput({ contentLength: 1, headers: store((h) => out.setOutHeader(h, 'Cookie', ['a=1', 'b=2'])) }),
    closes: false,
    chunked: false,
  },
  {
    title: 'Content-Disposition with a known length goes through Node\'s Latin-1 round trip',
    handler: (req, res) => { res.setHeader('Content-Disposition', 'attachment; filename="\u00fc.txt"'); res.end('hi') },
    input: responseInput({ contentLength: 2, headers: store((h) => out.setOutHeader(h, 'Content-Disposition', 'attachment; filename="\u00fc.txt"')) }),
    closes: false,
    chunked: false,
  },
  {
    title: '101 Switching Protocols with Connection: Upgrade',
    request: 'GET / HTTP/1.1\r\nHost: x\r\n\r\n',
    handler: (req, res) => { res.writeHead(101, { Connection: 'Upgrade', Upgrade: 'websocket' }); res.end() },
    input: responseInput({ firstLine: 'HTTP/1.1 101 Switching Protocols', hasBody: false, rawHeaders: { Connection: 'Upgrade', Upgrade: 'websocket' } }),
    closes: false,
    chunked: false,
  },
  {
    title: 'null and numeric values are sent as their string form',
    handler: (req, res) => { res.setHeader('X-Null', null); res.setHeader('X-Zero', 0); res.end('x') },
    input: responseInput({ contentLength: 1, headers: store((h) => { out.setOutHeader(h, 'X-Null', null); out.setOutHeader(h, 'X-Zero', 0) }) }),
    closes: false,
    chunked: false,
  },
]

describe('outgoing-headers: buildHead against Node\'s server', function () {
  for (const c of responseCases) {
    it(c.title, async function () {
      const { bytes, closed } = await nodeResponse({ request: GET, ...c })
      const end = bytes.indexOf(CRLF2)
      assert.ok(end !== -1, 'Node sent a head')
      const nodeHead = bytes.subarray(0, end + 4)

      const result = out.buildHead(c.input)
      // The head goes out with the body's encoding (UTF-8 for these string bodies).
      assert.strictEqual(maskDate(Buffer.from(result.head, 'utf8').toString('latin1')), maskDate(nodeHead.toString('latin1')))
      assert.strictEqual(result.last, c.closes, 'last')
      assert.strictEqual(closed, c.closes, 'Node closed the connection')
      assert.strictEqual(result.chunked, c.chunked, 'chunked')
      assert.strictEqual(result.hasContentLength, /^content-length:/im.test(result.head), 'hasContentLength')
      if (c.shouldKeepAlive !== undefined) assert.strictEqual(result.shouldKeepAlive, c.shouldKeepAlive, 'shouldKeepAlive')
    })
  }
})

describe('outgoing-headers: buildHead against Node\'s client', function () {
  const requestInput = (port, fields) => ({
    firstLine: 'GET / HTTP/1.1',
    headers: store((h) => out.setOutHeader(h, 'Host', `127.0.0.1:${port}`)),
    rawHeaders: null,
    isRequest: true,
    sendDate: false,
    shouldKeepAlive: true,
    useChunkedEncodingByDefault: false,
    hasBody: true,
    contentLength: -1,
    chunkedAllowed: true,
    keepAliveTimeoutSecs: 0,
    ...fields,
  })

  // `agent: false` makes Node create a fresh Agent without keepAlive and with
  // unlimited sockets, which sets shouldKeepAlive = false before any head.
  const noAgent = { hasAgent: true, shouldKeepAlive: false }

  const clientCases = [
    {
      title: 'GET without an agent: Connection: close',
      request: (port) => http.get({ port, host: '127.0.0.1', agent: false }),
      input: (port) => requestInput(port, { ...noAgent, contentLength: 0 }),
      last: true,
    },
    {
      title: 'GET with a keep-alive agent: Connection: keep-alive',
      request: (port) => http.get({ port, host: '127.0.0.1', agent: new http.Agent({ keepAlive: true }) }),
      input: (port) => requestInput(port, { hasAgent: true, contentLength: 0 }),
      last: true, // a GET body has no framing, so the message itself is "last"; the agent keeps the socket anyway
    },
    {
      title: 'POST with write(): chunked',
      request: (port) => { const req = http.request({ port, host: '127.0.0.1', method: 'POST', agent: false }); req.write('abc'); req.end(); return req },
      input: (port) => requestInput(port, { ...noAgent, firstLine: 'POST / HTTP/1.1', useChunkedEncodingByDefault: true }),
      last: true,
    },
    {
      title: 'POST with end(data): Content-Length',
      request: (port) => { const req = http.request({ port, host: '127.0.0.1', method: 'POST', agent: false }); req.end('abc'); return req },
      input: (port) => requestInput(port, { ...noAgent, firstLine: 'POST / HTTP/1.1', useChunkedEncodingByDefault: true, contentLength: 3 }),
      last: true,
    },
    {
      // An array `headers` option makes the constructor build the head at once, before end() tells the length.
      title: 'POST with array headers: sent verbatim, chunked',
      request: (port) => {
        const req = http.request({ port, host: '127.0.0.1', method: 'POST', agent: false, headers: ['Host', 'h', 'X-A', '1'] })
        req.end('abc')
        return req
      },
      input: () => ({
        ...requestInput(0, { ...noAgent, firstLine: 'POST / HTTP/1.1', useChunkedEncodingByDefault: true }),
        headers: null,
        rawHeaders: ['Host', 'h', 'X-A', '1'],
      }),
      last: true,
    },
    {
      title: 'a user Expect header',
      request: (port) => { const req = http.request({ port, host: '127.0.0.1', method: 'PUT', agent: false, headers: { Expect: '100-continue' } }); req.end('abc'); return req },
      input: (port) => ({
        ...requestInput(port, { ...noAgent, firstLine: 'PUT / HTTP/1.1', useChunkedEncodingByDefault: true }),
        headers: store((h) => { out.setOutHeader(h, 'Expect', '100-continue'); out.setOutHeader(h, 'Host', `127.0.0.1:${port}`) }),
      }),
      last: true,
      expect: true,
    },
    {
      title: 'a Cookie array on a request goes on one line',
      request: (port) => http.get({ port, host: '127.0.0.1', agent: false, headers: { Cookie: ['a=1', 'b=2'] } }),
      input: (port) => ({
        ...requestInput(port, { ...noAgent, contentLength: 0 }),
        headers: store((h) => { out.setOutHeader(h, 'Cookie', ['a=1', 'b=2']); out.setOutHeader(h, 'Host', `127.0.0.1:${port}`) }),
      }),
      last: true,
    },
  ]

  for (const c of clientCases) {
    it(c.title, async function () {
      const { port, head } = await nodeRequestHead(c.request)
      const result = out.buildHead(c.input(port))
      assert.strictEqual(result.head, head)
      assert.strictEqual(result.last, c.last, 'last')
      assert.strictEqual(result.hasExpectHeader, c.expect === true, 'hasExpectHeader')
    })
  }
})

describe('outgoing-headers: errors and store operations', function () {
  const nodeRes = () => new http.ServerResponse({ method: 'GET', httpVersionMajor: 1, httpVersionMinor: 1, headers: {} })
  const thrown = (fn) => { try { fn() } catch (err) { return err } }
  const same = (ours, theirs) => {
    assert.ok(theirs, 'Node threw')
    assert.ok(ours, 'we threw')
    assert.strictEqual(ours.constructor, theirs.constructor)
    assert.strictEqual(ours.code, theirs.code)
    assert.strictEqual(ours.message, theirs.message)
  }

  it('invalid raw headers throw Node\'s errors', function () {
    const raws = [['a'], { 'a b': '1' }, { a: undefined }, { a: 'x\n' }, [['a b', '1']], ['a', ['ok', 'x\r']], [5, 'x']]
    for (const raw of raws) {
      same(thrown(() => out.buildHead(responseInput({ rawHeaders: raw }))), thrown(() => nodeRes().writeHead(200, raw)))
    }
  })

  it('a Trailer without chunked framing throws ERR_HTTP_TRAILER_INVALID', function () {
    const h = store((s) => { out.setOutHeader(s, 'Trailer', 'x'); out.setOutHeader(s, 'Content-Length', 1) })
    const res = nodeRes()
    res.setHeader('Trailer', 'x')
    res.setHeader('Content-Length', 1)
    same(thrown(() => out.buildHead(responseInput({ headers: h }))), thrown(() => res.writeHead(200)))
  })

  it('setOutHeader/appendOutHeader validate as setHeader/appendHeader', function () {
    for (const [name, value] of [['a b', 1], ['', 1], ['x', undefined], ['x', 'a\nb'], [5, 'x']]) {
      same(thrown(() => out.setOutHeader(out.createOutHeaders(), name, value)), thrown(() => nodeRes().setHeader(name, value)))
      same(thrown(() => out.appendOutHeader(out.createOutHeaders(), name, value)), thrown(() => nodeRes().appendHeader(name, value)))
    }
  })

  it('getOutHeader/hasOutHeader/removeOutHeader refuse non-string names as Node', function () {
    same(thrown(() => out.getOutHeader(null, 5)), thrown(() => nodeRes().getHeader(5)))
    same(thrown(() => out.hasOutHeader(null, {})), thrown(() => nodeRes().hasHeader({})))
    same(thrown(() => out.removeOutHeader(null, null)), thrown(() => nodeRes().removeHeader(null)))
  })

  it('the getters return what getHeader/getHeaderNames/getRawHeaderNames/getHeaders return', function () {
    const res = nodeRes()
    const h = out.createOutHeaders()
    const calls = [
      ['set', 'Content-Type', 'text/plain'], ['set', 'X-Multi', ['a', 'b']], ['append', 'x-multi', 'c'],
      ['set', 'constructor', 'c'], ['set', '__proto__', 'p'], ['append', 'Set-Cookie', 'a=1'], ['remove', 'content-type'],
      ['set', 'Content-Type', 'text/html'],
    ]
    for (const [op, name, value] of calls) {
      if (op === 'set') { res.setHeader(name, value); out.setOutHeader(h, name, value) }
      if (op === 'append') { res.appendHeader(name, value); out.appendOutHeader(h, name, value) }
      if (op === 'remove') { res.removeHeader(name); assert.strictEqual(out.removeOutHeader(h, name), name.toLowerCase()) }
    }
    assert.deepStrictEqual(out.outHeaderNames(h), res.getHeaderNames())
    assert.deepStrictEqual(out.rawOutHeaderNames(h), res.getRawHeaderNames())
    assert.deepStrictEqual(out.outHeadersObject(h), res.getHeaders())
    assert.strictEqual(Object.getPrototypeOf(out.outHeadersObject(h)), null)
    for (const name of ['content-type', 'X-MULTI', '__proto__', 'constructor', 'missing', 'toString']) {
      assert.deepStrictEqual(out.getOutHeader(h, name), res.getHeader(name), name)
      assert.strictEqual(out.hasOutHeader(h, name), res.hasHeader(name), name)
    }
    assert.deepStrictEqual(out.outHeaderNames(null), [])
    assert.deepStrictEqual(out.rawOutHeaderNames(null), [])
    assert.strictEqual(out.getOutHeader(null, 'x'), undefined)
  })

  it('utcDate is an IMF-fixdate for the current second', function () {
    const before = Math.floor(Date.now() / 1000) * 1000
    const date = out.utcDate()
    const after = Date.now()
    assert.match(date, /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d GMT$/)
    const at = Date.parse(date)
    assert.ok(at >= before && at <= after, `${date} within [${before}, ${after}]`)
    assert.strictEqual(out.utcDate(), out.utcDate())
  })
})

describe('outgoing-headers: randomised against Node\'s ServerResponse', function () {
  // Drives a real ServerResponse (no socket needed: the head is built by
  // writeHead()/end() and left in res._header) and buildHead() with the same
  // random calls, then compares the head and every decision Node records.
  const { kUniqueHeaders } = require('_http_outgoing')

  let seed = 20240601
  const random = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff
    return seed / 0x7fffffff
  }
  const pick = (list) => list[Math.floor(random() * list.length)]
  const copy = (value) => Array.isArray(value) ? value.slice() : value

  const names = ['Content-Type', 'content-length', 'Content-Length', 'Transfer-Encoding', 'transfer-encoding',
    'Connection', 'Date', 'Expect', 'Trailer', 'Keep-Alive', 'X-A', 'x-a', 'Set-Cookie', 'Cookie', 'Content-Disposition', 'X-U']
  const valuesByName = {
    'content-length': ['0', '5', 5, 'abc'],
    'transfer-encoding': ['chunked', 'gzip, chunked', 'identity'],
    connection: ['close', 'keep-alive', 'Upgrade', 'foo, close'],
    date: ['x'],
    expect: ['100-continue'],
    trailer: ['X-T'],
    'keep-alive': ['timeout=1'],
    'set-cookie': [['a=1', 'b=2'], 'c=3'],
    cookie: [['a=1', 'b=2'], 'x'],
    'content-disposition': ['attachment; filename="\u00fc"', ['a', 'b']],
  }
  const valueFor = (name) => pick(valuesByName[name.toLowerCase()] || ['v', ['1', '2'], 7, null])
  const rawChoices = [['X-R', '1', 'Connection', 'close'], { 'Content-Length': 3 }, [['Transfer-Encoding', 'chunked']], { Trailer: 'x' }]

  it('agrees on 5000 random responses', function () {
    for (let iteration = 0; iteration < 5000; iteration++) {
      const minor = random() < 0.2 ? 0 : 1
      const method = random() < 0.15 ? 'HEAD' : 'GET'
      const te = minor === 0 && random() < 0.3 ? 'chunked' : undefined
      const res = new http.ServerResponse({ method, httpVersionMajor: 1, httpVersionMinor: minor, headers: te ? { te } : {} })
      const input = responseInput({
        shouldKeepAlive: random() < 0.8,
        keepAliveTimeoutSecs: pick([5000, 0, 500, 65000]) / 1000,
        maxRequestsPerSocket: pick([undefined, 0, 3]),
        maxRequestsReached: random() < 0.1,
        uniqueHeaders: random() < 0.2 ? new Set(['x-u']) : null,
        useChunkedEncodingByDefault: true,
        chunkedAllowed: minor === 1 || te !== undefined,
      })
      res.shouldKeepAlive = input.shouldKeepAlive
      res._keepAliveTimeout = input.keepAliveTimeoutSecs * 1000
      res._maxRequestsPerSocket = input.maxRequestsPerSocket
      res.maxRequestsOnConnectionReached = input.maxRequestsReached
      if (input.uniqueHeaders) res[kUniqueHeaders] = input.uniqueHeaders

      const h = out.createOutHeaders()
      const operations = Math.floor(random() * 5)
      for (let k = 0; k < operations; k++) {
        const choice = random()
        const name = pick(names)
        if (choice < 0.8) {
          const value = valueFor(name)
          const [nodeCall, ourCall] = choice < 0.6 ? ['setHeader', 'setOutHeader'] : ['appendHeader', 'appendOutHeader']
          res[nodeCall](name, copy(value))
          out[ourCall](h, name, copy(value))
        } else {
          res.removeHeader(name)
          const key = out.removeOutHeader(h, name)
          if (key === 'connection') input.removedConnection = true
          if (key === 'content-length') input.removedContentLength = true
          if (key === 'transfer-encoding') input.removedTransferEncoding = true
          if (key === 'date') input.sendDate = false
        }
      }
      input.headers = operations > 0 ? h : null

      const status = pick([200, 200, 200, 204, 304, 101, 103, 404])
      input.firstLine = `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}`
      input.hasBody = !(method === 'HEAD' || status === 204 || status === 304 || status < 200)
      const viaWriteHead = random() < 0.6
      const body = pick([null, 'abc', ''])
      // writeHead() with its own headers merges them into a non-empty store
      // with setHeader (the caller's job); only the empty-store case reaches buildHead raw.
      input.rawHeaders = viaWriteHead && operations === 0 && random() < 0.5 ? copy(pick(rawChoices)) : null
      input.contentLength = viaWriteHead ? -1 : (body === null ? 0 : Buffer.byteLength(body))

      let nodeError, ourError, result
      try {
        res.statusCode = status
        if (viaWriteHead) res.writeHead(status, input.rawHeaders || undefined)
        else if (body !== null) res.end(body)
        else res.end()
      } catch (err) { nodeError = err }
      try { result = out.buildHead(input) } catch (err) { ourError = err }

      const where = `iteration ${iteration}`
      if (nodeError || ourError) {
        assert.ok(nodeError && ourError, `${where}: only one side threw (${(nodeError || ourError).message})`)
        assert.strictEqual(ourError.message, nodeError.message, where)
        continue
      }
      assert.strictEqual(maskDate(result.head), maskDate(res._header), where)
      assert.strictEqual(result.last, res._last, `${where}: last`)
      assert.strictEqual(result.chunked, res.chunkedEncoding, `${where}: chunked`)
      assert.strictEqual(result.shouldKeepAlive, res.shouldKeepAlive, `${where}: shouldKeepAlive`)
      assert.deepStrictEqual(result.contentLength, res._contentLength ?? -1, `${where}: contentLength`)
    }
  })
})
