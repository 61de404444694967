'use strict'
// Every private slot of Node's objects and every internal module uvhttp
// relies on, checked by name on the running Node line (npm run
// test:node-matrix runs it on 20, 22, 24 and 26): a line that renames or
// drops one fails here, saying which, before something subtler fails
// elsewhere. Each check exercises Node's own code (a real node:http
// exchange, or Node's methods on a probe), not uvhttp's.
//
// Not listed: slots of uvhttp's own objects that merely share Node's names
// (its ClientRequest's _ended, _deferToConnect…), and the documented
// stream-implementer methods (_read, _write, _writev, _final, _destroy).
const assert = require('assert')
const http = require('http')
const net = require('net')
const { Readable } = require('stream')
const internals = require('../../dist/common/node-internals.js')
const { listen, close } = require('../helpers/net')
const { byLine } = require('../helpers/node-line')

/** One real node:http request and response, kept for inspection. */
async function nodeExchange (handler, { path = '/', headers, body, serverOptions = {} } = {}) {
  const seen = {}
  const server = http.createServer(serverOptions, (req, res) => {
    Object.assign(seen, { req, res, socket: req.socket })
    handler(req, res, seen)
  })
  const port = await listen(server)
  try {
    await new Promise((resolve, reject) => {
      const req = http.request({ port, path, headers, method: body ? 'POST' : 'GET', agent: false }, (res) => {
        seen.clientRes = res
        res.resume()
        res.on('end', resolve)
      })
      seen.clientReq = req
      req.on('socket', (socket) => { seen.clientSocket = socket; seen.clientSocketMessage = socket._httpMessage })
      req.on('error', reject)
      req.end(body)
    })
  } finally {
    await close(server)
  }
  return seen
}

/** Wraps obj's methods with a spy recording their names in calls. */
function spy (obj, names, calls) {
  for (const name of names) {
    const original = obj[name]
    assert.strictEqual(typeof original, 'function', `${name} is a method`)
    obj[name] = function () {
      calls.push(name)
      return original.apply(this, arguments)
    }
  }
}

describe(`Node's private slots and internal modules uvhttp uses, on Node ${process.version}`, function () {
  it('require(\'_http_outgoing\'): kUniqueHeaders and parseUniqueHeadersOption, as Node\'s server uses them', async () => {
    const outgoing = require('_http_outgoing')
    assert.strictEqual(typeof outgoing.kUniqueHeaders, 'symbol')
    assert.deepStrictEqual([...outgoing.parseUniqueHeadersOption(['X-U', 'x-v'])], ['x-u', 'x-v'])
    assert.strictEqual(outgoing.parseUniqueHeadersOption(undefined), null)
    const seen = await nodeExchange((req, res) => res.end(), { serverOptions: { uniqueHeaders: ['X-U'] } })
    assert.deepStrictEqual([...seen.res[outgoing.kUniqueHeaders]], ['x-u'])
    assert.strictEqual(internals.kUniqueHeaders, outgoing.kUniqueHeaders)
  })

  it('require(\'_http_common\'): HTTPParser, the parser pool, freeParser, prepareError, isLenient; parser._headers for heads read in pieces', () => {
    const common = require('_http_common')
    const { HTTPParser } = common
    for (const k of ['RESPONSE', 'kOnHeadersComplete', 'kOnBody', 'kOnMessageComplete', 'kLenientAll', 'kLenientNone']) {
      assert.strictEqual(typeof HTTPParser[k], 'number', `HTTPParser.${k}`)
    }
    for (const f of ['freeParser', 'prepareError', 'isLenient']) assert.strictEqual(typeof common[f], 'function', f)
    assert.strictEqual(typeof common.isLenient(), 'boolean')
    // A parser from Node's pool (shared with Node's own server and client):
    // the callbacks set here are put back before it returns, as uvhttp does.
    const parser = common.parsers.alloc()
    const keys = [HTTPParser.kOnHeadersComplete | 0, HTTPParser.kOnMessageComplete | 0]
    const saved = keys.map((k) => parser[k])
    try {
      const heads = []
      parser.initialize(HTTPParser.RESPONSE, {}, 0, HTTPParser.kLenientNone | 0)
      assert.ok('maxHeaderPairs' in parser, 'parser.maxHeaderPairs')
      parser[keys[0]] = (major, minor, headers) => {
        // A head of more than 32 fields reaches JS in groups: they are in parser._headers.
        heads.push(headers === undefined ? parser._headers.length : headers)
        parser._headers = []
        return 1 // no body
      }
      parser[keys[1]] = () => {}
      let head = 'HTTP/1.1 200 OK\r\n'
      for (let i = 0; i < 40; i++) head += `H${i}: v\r\n`
      parser.execute(Buffer.from(head + '\r\n'))
      assert.deepStrictEqual(heads, [80])
      const err = parser.execute(Buffer.from('\u0000'))
      assert.ok(err instanceof Error)
      common.prepareError(err, parser, Buffer.from('\u0000'))
      assert.ok(Buffer.isBuffer(err.rawPacket))
    } finally {
      keys.forEach((k, i) => { parser[k] = saved[i] })
      common.freeParser(parser, null, null)
    }
  })

  it('the symbol slots lib/common/node-internals.ts finds: kNeedDrain, kOutHeaders, and the no-op write callback', async () => {
    const seen = await nodeExchange((req, res, s) => {
      res.setHeader('X-A', '1')
      s.outHeaders = res[internals.kOutHeaders]
      s.needDrainBefore = res[internals.kNeedDrain]
      s.wrote = res.write(Buffer.alloc(8 * 1024 * 1024))
      s.needDrainAfter = res[internals.kNeedDrain]
      res.end()
    })
    assert.deepStrictEqual({ ...seen.outHeaders }, { 'x-a': ['X-A', '1'] })
    assert.deepStrictEqual([seen.needDrainBefore, seen.wrote, seen.needDrainAfter], [false, false, true])
    assert.strictEqual(typeof internals.outgoingNop, 'function', 'write() without a callback hands _send a no-op function')
  })

  it('http.Agent: the ProxyConfig its constructor makes of proxyEnv (Node 22.21+, 24.5+, 26), found by lib/client/proxy.ts', () => {
    const { nodeProxyConfigOf } = require('../../dist/client/proxy.js')
    const config = nodeProxyConfigOf(new http.Agent({ proxyEnv: { HTTP_PROXY: 'http://u:p@127.0.0.1:3128', NO_PROXY: 'a.test' } }))
    if (!byLine({ 20: false, 22: true })) {
      assert.strictEqual(config, null)
      return
    }
    assert.deepStrictEqual([config.protocol, config.auth, config.proxyConnectionOptions], ['http:', 'Basic dTpw', { host: '127.0.0.1', port: 3128 }])
    assert.deepStrictEqual([config.shouldUseProxy('a.test', 80), config.shouldUseProxy('b.test', 80)], [false, true])
    assert.strictEqual(nodeProxyConfigOf(new http.Agent()), null)
  })

  it('OutgoingMessage: _header, _headerSent, _last, _closed, outputData, outputSize; write/end call _implicitHeader, _storeHeader, _send, _writeRaw, _finish', async () => {
    const calls = []
    const seen = await nodeExchange((req, res, s) => {
      spy(res, ['_implicitHeader', '_storeHeader', '_send', '_writeRaw', '_finish'], calls)
      s.before = { header: res._header, headerSent: res._headerSent, last: res._last, closed: res._closed, outputData: res.outputData, outputSize: res.outputSize }
      res.write('a')
      s.header = typeof res._header
      res.on('finish', () => { s.headerSent = res._headerSent })
      res.end('b')
    })
    assert.deepStrictEqual(seen.before, { header: null, headerSent: false, last: false, closed: false, outputData: [], outputSize: 0 })
    assert.deepStrictEqual([seen.header, seen.headerSent], ['string', true])
    assert.strictEqual(seen.res._closed, true)
    for (const name of ['_implicitHeader', '_storeHeader', '_send', '_writeRaw', '_finish']) assert.ok(calls.includes(name), `${name} called (${calls})`)
  })

  it('OutgoingMessage: _flush hands waiting output to _flushOutput(socket); outputData holds { data, encoding, callback }', () => {
    const msg = new http.OutgoingMessage()
    msg._header = 'HEAD\r\n\r\n'
    msg.write('queued', 'latin1')
    assert.deepStrictEqual(msg.outputData.map(({ data, encoding }) => [String(data), encoding]), [['HEAD\r\n\r\nqueued', 'latin1']])
    assert.ok(msg.outputSize > 0)
    const flushed = []
    msg._flushOutput = (socket) => { flushed.push(socket); return true }
    const socket = { writable: true, cork () {}, uncork () {} }
    msg.socket = socket
    msg._flush()
    assert.deepStrictEqual(flushed, [socket])
  })

  it('ServerResponse: Node\'s head reads _keepAliveTimeout, _maxRequestsPerSocket and _expect_continue', async () => {
    const seen = await nodeExchange((req, res, s) => {
      res._keepAliveTimeout = 7000
      res._maxRequestsPerSocket = 3
      res.end()
      s.head = res._header
    }, { headers: { Connection: 'keep-alive' } })
    assert.match(seen.head, /\r\nKeep-Alive: timeout=7, max=3\r\n/)
    const cont = await nodeExchange((req, res, s) => {
      res._expect_continue = true // and no 100 sent: the connection may not be reused
      res.end()
      s.head = res._header
    }, { headers: { Connection: 'keep-alive' } })
    assert.match(cont.head, /\r\nConnection: close\r\n/)
  })

  it('IncomingMessage: _addHeaderLines (heads, and trailers once complete), _dump and _dumped, _consuming', () => {
    const msg = new http.IncomingMessage(null)
    msg._addHeaderLines(['Host', 'x', 'A', '1', 'B', '2'], 4)
    assert.deepStrictEqual(msg.rawHeaders, ['Host', 'x', 'A', '1', 'B', '2'])
    assert.deepStrictEqual(msg.headers, { host: 'x', a: '1' })
    msg.complete = true
    msg._addHeaderLines(['T', 'v'], 2)
    assert.deepStrictEqual([msg.rawTrailers, msg.trailers], [['T', 'v'], { t: 'v' }])
    assert.strictEqual(msg._consuming, false)
    msg.read(0)
    assert.strictEqual(msg._consuming, true)
    assert.strictEqual(msg._dumped, false)
    msg._dump()
    assert.strictEqual(msg._dumped, true)
  })

  it('Readable: _readableState.resumeScheduled until the resume() runs', async () => {
    const r = new Readable({ read () {} })
    assert.strictEqual(r._readableState.resumeScheduled, false)
    r.resume()
    assert.strictEqual(r._readableState.resumeScheduled, true)
    await new Promise((resolve) => process.nextTick(resolve))
    assert.strictEqual(r._readableState.resumeScheduled, false)
    r.destroy()
  })

  it('net.Socket: _httpMessage (server and client side), _server, _host, _hadError, _paused', async () => {
    const seen = await nodeExchange((req, res, s) => {
      s.serverMessage = req.socket._httpMessage
      s.server = req.socket._server
      s.paused = req.socket._paused
      res.end()
    })
    assert.strictEqual(seen.serverMessage, seen.res)
    assert.ok(seen.server instanceof http.Server)
    assert.strictEqual(seen.paused, false)
    assert.strictEqual(seen.clientSocketMessage, seen.clientReq)
    assert.strictEqual(seen.clientSocket._host, 'localhost')
    // A request whose socket fails: Node's client marks the socket.
    const failed = await new Promise((resolve) => {
      const s = net.createServer()
      s.listen(0, '127.0.0.1', () => {
        const port = s.address().port
        s.close(() => {
          const req = http.get({ port, host: '127.0.0.1', agent: false })
          req.on('error', () => resolve(req.socket._hadError))
        })
      })
    })
    assert.strictEqual(failed, true)
  })

  it('net.Socket: remoteAddress/localAddress/address() come from _getpeername/_getsockname; _unrefTimer is what a write calls', async () => {
    class Probe extends net.Socket {
      _getpeername () { return { address: '192.0.2.1', port: 1234, family: 'IPv4' } }
      _getsockname () { return { address: '192.0.2.2', port: 80, family: 'IPv4' } }
    }
    const p = new Probe()
    assert.deepStrictEqual([p.remoteAddress, p.remotePort, p.remoteFamily], ['192.0.2.1', 1234, 'IPv4'])
    assert.deepStrictEqual([p.localAddress, p.localPort, p.address().port], ['192.0.2.2', 80, 80])
    p.destroy()
    const server = net.createServer((s) => s.resume())
    const port = await listen(server)
    const socket = net.connect(port, '127.0.0.1')
    await new Promise((resolve) => socket.once('connect', resolve))
    assert.strictEqual(typeof socket._peername === 'object' || socket._peername === undefined, true)
    const calls = []
    spy(socket, ['_unrefTimer'], calls)
    socket.setTimeout(10000)
    socket.write('x')
    assert.ok(calls.includes('_unrefTimer'), 'a write of a socket with a timeout calls _unrefTimer')
    socket.destroy()
    await close(server)
  })

  it('net.Server: listen(handle) takes server._handle.fd; a socket it accepted calls server._emitCloseIfDrained when destroyed', async () => {
    const server = net.createServer((s) => s.destroy())
    const port = await listen(server)
    assert.strictEqual(typeof server._handle.fd, 'number')
    const calls = []
    spy(server, ['_emitCloseIfDrained'], calls)
    const socket = net.connect(port, '127.0.0.1')
    await new Promise((resolve) => socket.on('close', resolve))
    await new Promise((resolve) => setImmediate(resolve))
    assert.ok(calls.includes('_emitCloseIfDrained'))
    await close(server)
  })
})
