'use strict'
// What goes wrong, with each implementation's client: refused connections,
// servers that hang up before or during the response, broken responses
// (HPE_* parse errors with bytesParsed and rawPacket), oversized heads,
// failed lookups, and options rejected at once with Node's errors.
const assert = require('assert')
const { eachImpl } = require('../helpers/impls')
const { useServers, scripted, exchange } = require('../helpers/client-util')

/** The error properties applications look at. */
function shape (err) {
  return {
    name: err.name,
    message: err.message,
    code: err.code,
    errno: err.errno,
    syscall: err.syscall,
    address: err.address,
    port: err.port,
    bytesParsed: err.bytesParsed,
    reason: err.reason,
    rawPacket: err.rawPacket && err.rawPacket.toString('latin1')
  }
}

eachImpl('client failures', (http) => {
  const servers = useServers()

  it('ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:1', async () => {
    const out = await exchange(http, { host: '127.0.0.1', port: 1 })
    assert.deepStrictEqual(out.events, ['socket', 'error ECONNREFUSED', 'close'])
    assert.deepStrictEqual(shape(out.error), {
      name: 'Error',
      message: 'connect ECONNREFUSED 127.0.0.1:1',
      code: 'ECONNREFUSED',
      errno: -111,
      syscall: 'connect',
      address: '127.0.0.1',
      port: 1,
      bytesParsed: undefined,
      reason: undefined,
      rawPacket: undefined
    })
    assert.deepStrictEqual(Object.keys(out.error), ['errno', 'code', 'syscall', 'address', 'port'])
  })

  it('ECONNREFUSED on ::1', async () => {
    const out = await exchange(http, { host: '::1', port: 1, agent: false })
    assert.strictEqual(out.error.message, 'connect ECONNREFUSED ::1:1')
    assert.strictEqual(out.error.address, '::1')
  })

  it('every address refused (Happy Eyeballs): an AggregateError with the first code', async () => {
    const lookup = (host, opts, cb) => cb(null, [{ address: '127.0.0.1', family: 4 }, { address: '::1', family: 6 }])
    const out = await exchange(http, { host: 'twice.example', port: 1, lookup, agent: false })
    assert.strictEqual(out.error.name, 'AggregateError')
    assert.strictEqual(out.error.code, 'ECONNREFUSED')
    assert.deepStrictEqual(out.error.errors.map((e) => e.message), ['connect ECONNREFUSED 127.0.0.1:1', 'connect ECONNREFUSED ::1:1'])
  })

  it('a failed lookup: the resolver\'s error, and a \'lookup\' event on the socket', async () => {
    const notFound = Object.assign(new Error('getaddrinfo ENOTFOUND nowhere.invalid'), { code: 'ENOTFOUND', syscall: 'getaddrinfo', hostname: 'nowhere.invalid' })
    const lookup = (host, opts, cb) => setTimeout(cb, 10, notFound)
    const lookups = []
    const out = await exchange(http, { host: 'nowhere.invalid', port: 80, lookup, agent: false }, {
      onRequest (req) { req.on('socket', (s) => s.on('lookup', (err, addr, family, host) => lookups.push([err && err.code, addr, family, host]))) }
    })
    assert.strictEqual(out.error, notFound)
    assert.deepStrictEqual(lookups, [['ENOTFOUND', undefined, undefined, 'nowhere.invalid']])
    assert.deepStrictEqual(out.events, ['socket', 'error ENOTFOUND', 'close'])
  })

  it('the server closes without answering: socket hang up', async () => {
    const { onConnection } = scripted((head, sock) => { sock.end() })
    const { port } = await servers.raw(onConnection)
    const out = await exchange(http, { host: '127.0.0.1', port })
    assert.deepStrictEqual(out.events, ['socket', 'finish', 'error ECONNRESET', 'close'])
    assert.strictEqual(out.error.message, 'socket hang up')
    assert.deepStrictEqual(Object.keys(out.error), ['code'])
  })

  it('the server resets the connection: read ECONNRESET', async () => {
    const { onConnection } = scripted((head, sock) => { sock.resetAndDestroy() })
    const { port } = await servers.raw(onConnection)
    const out = await exchange(http, { host: '127.0.0.1', port })
    assert.strictEqual(out.error.code, 'ECONNRESET')
    assert.strictEqual(out.error.message, 'read ECONNRESET')
    assert.strictEqual(out.error.syscall, 'read')
  })

  it('the server closes in the middle of the body: res \'aborted\', no request error', async () => {
    const { onConnection } = scripted((head, sock) => { sock.end('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf') })
    const { port } = await servers.raw(onConnection)
    const out = await exchange(http, { host: '127.0.0.1', port })
    assert.deepStrictEqual(out.events, ['socket', 'finish', 'response', 'res aborted', 'close', 'res error ECONNRESET', 'res close'])
    assert.strictEqual(out.res.complete, false)
    assert.strictEqual(out.body.toString(), 'half')
  })

  it('the head cut short by a close: socket hang up', async () => {
    const { onConnection } = scripted((head, sock) => { sock.end('HTTP/1.1 200 OK\r\nContent-Le') })
    const { port } = await servers.raw(onConnection)
    const out = await exchange(http, { host: '127.0.0.1', port })
    assert.deepStrictEqual(out.events, ['socket', 'finish', 'error ECONNRESET', 'close'])
  })

  const broken = [
    ['a status line that is not HTTP', 'HTP/1.1 200 OK\r\n\r\n'],
    ['a bad status code', 'HTTP/1.1 2x0 OK\r\nContent-Length: 0\r\n\r\n'],
    ['a header without a colon', 'HTTP/1.1 200 OK\r\nBroken header\r\nContent-Length: 0\r\n\r\n'],
    ['a bad chunk size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n'],
    ['two Content-Lengths that disagree', 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab'],
    ['a header value with a control character', 'HTTP/1.1 200 OK\r\nX-A: a\u0001b\r\nContent-Length: 0\r\n\r\n']
  ]
  for (const [what, wire] of broken) {
    it(`parse error: ${what}`, async () => {
      const { onConnection } = scripted(() => wire)
      const { port } = await servers.raw(onConnection)
      const out = await exchange(http, { host: '127.0.0.1', port })
      const s = shape(out.error)
      assert.match(s.code, /^HPE_/)
      assert.strictEqual(s.message, `Parse Error: ${s.reason}`)
      assert.deepStrictEqual(out.events.filter((e) => e !== 'response' && e !== 'res aborted' && !e.startsWith('res ')).slice(0, 2), ['socket', 'finish'])
      // The same error as Node's client gives for the same bytes.
      const expected = await nodeParseError(port)
      assert.deepStrictEqual(s, expected)
    })
  }

  /** What Node's own client reports for the server's bytes. */
  async function nodeParseError (port) {
    const out = await exchange(require('http'), { host: '127.0.0.1', port })
    return shape(out.error)
  }

  it('a head larger than maxHeaderSize: HPE_HEADER_OVERFLOW', async () => {
    const { onConnection } = scripted(() => `HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(3000)}\r\nContent-Length: 0\r\n\r\n`)
    const { port } = await servers.raw(onConnection)
    const small = await exchange(http, { host: '127.0.0.1', port, maxHeaderSize: 1024 })
    const fine = await exchange(http, { host: '127.0.0.1', port })
    assert.strictEqual(small.error.code, 'HPE_HEADER_OVERFLOW')
    assert.strictEqual(small.error.message, 'Parse Error: Header overflow')
    assert.strictEqual(fine.res.headers['x-big'].length, 3000)
  })

  it('insecureHTTPParser accepts what the strict parser refuses', async () => {
    const { onConnection } = scripted(() => 'HTTP/1.1 200 OK\r\nX-A: a\u0001b\r\nContent-Length: 2\r\n\r\nok')
    const { port } = await servers.raw(onConnection)
    const out = await exchange(http, { host: '127.0.0.1', port, insecureHTTPParser: true })
    assert.strictEqual(out.body.toString(), 'ok')
  })

  it('on a reused socket each request parses with its own maxHeaderSize and insecureHTTPParser', async () => {
    // Every response is 2.x KB of head with a byte only the lenient parser takes.
    const { onConnection } = scripted(() => `HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(2000)}\r\nX-A: a\u0001b\r\nContent-Length: 2\r\n\r\nok`)
    const { port } = await servers.raw(onConnection)
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
    const base = { host: '127.0.0.1', port, agent }
    const outcome = (out) => out.error ? out.error.code : [out.body.toString(), out.req.reusedSocket]
    const seen = []
    seen.push(outcome(await exchange(http, { ...base, insecureHTTPParser: true, maxHeaderSize: 4096 })))
    seen.push(outcome(await exchange(http, { ...base, insecureHTTPParser: true })))
    seen.push(outcome(await exchange(http, { ...base, insecureHTTPParser: true, maxHeaderSize: 1024 })))
    seen.push(outcome(await exchange(http, { ...base, insecureHTTPParser: true })))
    seen.push(outcome(await exchange(http, base)))
    agent.destroy()
    assert.deepStrictEqual(seen, [['ok', false], ['ok', true], 'HPE_HEADER_OVERFLOW', ['ok', false], 'HPE_INVALID_HEADER_TOKEN'])
  })

  it('a second response to one request destroys the socket', async () => {
    const { onConnection } = scripted(() => 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\naHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nb')
    const { port } = await servers.raw(onConnection)
    const agent = new http.Agent({ keepAlive: true })
    const out = await exchange(http, { host: '127.0.0.1', port, agent })
    assert.strictEqual(out.body.toString(), 'a')
    await new Promise((resolve) => setTimeout(resolve, 20))
    assert.strictEqual(agent.totalSocketCount, 0)
    agent.destroy()
  })

  describe('options refused at once, with Node\'s errors', () => {
    const cases = [
      ['a method that is not a token', { method: 'GE T' }],
      ['a non-string method', { method: 5 }],
      ['a path with a space', { path: '/a b' }],
      ['a foreign protocol', { protocol: 'https:' }],
      ['an agent that is not one', { agent: {} }],
      ['a non-string host', { host: 5 }],
      ['a bad timeout', { timeout: -1 }],
      ['a non-boolean insecureHTTPParser', { insecureHTTPParser: 'yes' }],
      ['a non-integer maxHeaderSize', { maxHeaderSize: 1.5 }],
      ['a bad header name', { headers: { 'a b': 1 } }],
      ['a header value with CR LF', { headers: { a: 'x\r\ny' } }],
      ['a port out of range', { port: 70000 }],
      // Twice: the Host value a request derives from host must be checked every time.
      ['a host with CR LF', { host: 'a\r\nb' }],
      ['a host with CR LF, again', { host: 'a\r\nb' }],
      ['a host with a character above \\xff', { host: 'a\u0100b' }]
    ]
    for (const [what, options] of cases) {
      it(what, () => {
        const expected = thrown(() => require('http').request({ host: '127.0.0.1', port: 9, ...options }))
        const actual = thrown(() => http.request({ host: '127.0.0.1', port: 9, ...options }))
        assert.deepStrictEqual(actual, expected)
        assert.notStrictEqual(expected, null)
      })
    }

    function thrown (fn) {
      try {
        const req = fn()
        req.on('error', () => {})
        req.destroy()
        return null
      } catch (err) {
        return { name: err.name, code: err.code, message: err.message }
      }
    }
  })
})
