'use strict'
// lib/common/headers.ts, lib/common/errors.ts and lib/common/status-codes.ts against the real
// node:http: token and value rules char by char, and the errors the
// validators throw.
const assert = require('assert')
const http = require('http')
const net = require('net')
const { once } = require('events')
// Node's own checkers, still reachable through the legacy module name.
const nodeCommon = require('_http_common')

const headers = require('../../dist/common/headers.js')
const errors = require('../../dist/common/errors.js')
const { STATUS_CODES } = require('../../dist/common/status-codes.js')

/** Calls fn and returns what it threw (or undefined). */
function thrown (fn) {
  try { fn() } catch (err) { return err }
  return undefined
}

/** The observable shape of an error, for comparing ours with Node's. */
function shape (err) {
  return {
    ctor: err.constructor,
    name: err.name,
    code: err.code,
    message: err.message,
    string: String(err),
    stackHead: err.stack.split('\n')[0],
    own: Object.getOwnPropertyNames(err),
    enumerable: Object.keys(err),
  }
}

describe('headers: token and value rules', function () {
  it('checkIsHttpToken agrees with Node for every single character up to U+01FF', function () {
    for (let c = 0; c <= 0x1ff; c++) {
      const s = String.fromCharCode(c)
      assert.strictEqual(headers.checkIsHttpToken(s), nodeCommon._checkIsHttpToken(s), `char ${c}`)
      assert.strictEqual(headers.checkIsHttpToken('a' + s + 'b'), nodeCommon._checkIsHttpToken('a' + s + 'b'), `inner char ${c}`)
    }
    assert.strictEqual(headers.checkIsHttpToken(''), false)
    assert.strictEqual(headers.checkIsHttpToken('Content-Type'), true)
    assert.strictEqual(headers.checkIsHttpToken('\u{1F600}'), false)
  })

  it('checkInvalidHeaderChar agrees with Node for every character up to U+01FF, in short and long values', function () {
    const long = 'x'.repeat(100)
    for (let c = 0; c <= 0x1ff; c++) {
      const s = String.fromCharCode(c)
      for (const value of [s, 'ab' + s, long + s + long]) {
        assert.strictEqual(headers.checkInvalidHeaderChar(value), nodeCommon._checkInvalidHeaderChar(value), `char ${c} in length ${value.length}`)
      }
    }
    assert.strictEqual(headers.checkInvalidHeaderChar(''), false)
    assert.strictEqual(headers.checkInvalidHeaderChar('\u{1F600}'), true)
  })

  it('validateHeaderName throws what http.validateHeaderName throws', function () {
    const names = ['ok', 'a b', '', 'é', 'x\n', 5, undefined, null, {}, ['a']]
    for (const name of names) {
      const ours = thrown(() => headers.validateHeaderName(name))
      const theirs = thrown(() => http.validateHeaderName(name))
      if (!theirs) { assert.strictEqual(ours, undefined, String(name)); continue }
      assert.deepStrictEqual(shape(ours), shape(theirs))
    }
    const labelled = thrown(() => headers.validateHeaderName('a b', 'Trailer name'))
    assert.strictEqual(labelled.message, 'Trailer name must be a valid HTTP token ["a b"]')
  })

  it('validateHeaderValue throws what http.validateHeaderValue throws', function () {
    const values = ['ok', 'tab\there', 'a\nb', 'nul\0', 'del\x7f', 'latin1 \xe9\xff', 'wide \u0100',
      undefined, null, 5, NaN, true, ['a', 'b'], ['a', 'b\r'], { toString () { return 'x\n' } }, 'x'.repeat(100) + '\n']
    for (const value of values) {
      const ours = thrown(() => headers.validateHeaderValue('X-Test', value))
      const theirs = thrown(() => http.validateHeaderValue('X-Test', value))
      if (!theirs) { assert.strictEqual(ours, undefined, String(value)); continue }
      assert.deepStrictEqual(shape(ours), shape(theirs), String(value))
    }
    // A Symbol cannot become a string: both throw V8's own TypeError.
    const sym = Symbol('s')
    assert.strictEqual(thrown(() => headers.validateHeaderValue('x', sym)).message,
      thrown(() => http.validateHeaderValue('x', sym)).message)
  })
})

describe('status-codes', function () {
  it('has exactly Node 20\'s http.STATUS_CODES, in a plain object', function () {
    assert.deepStrictEqual({ ...STATUS_CODES }, { ...http.STATUS_CODES })
    assert.strictEqual(Object.getPrototypeOf(STATUS_CODES), Object.prototype)
  })
})

describe('errors', function () {
  // Each factory next to a call that makes Node throw the same error.
  const res = () => new http.ServerResponse({ method: 'GET', httpVersionMajor: 1, httpVersionMinor: 1, headers: {} })
  const pairs = [
    ['ERR_INVALID_HTTP_TOKEN', () => errors.ERR_INVALID_HTTP_TOKEN('Header name', 'a b'), () => res().setHeader('a b', 1)],
    ['ERR_INVALID_CHAR', () => errors.ERR_INVALID_CHAR('header content', 'x'), () => res().setHeader('x', 'a\n')],
    ['ERR_INVALID_CHAR without field', () => errors.ERR_INVALID_CHAR('statusMessage'), () => res().writeHead(200, 'a\nb')],
    ['ERR_HTTP_INVALID_HEADER_VALUE', () => errors.ERR_HTTP_INVALID_HEADER_VALUE(undefined, 'x'), () => res().setHeader('x', undefined)],
    ['ERR_HTTP_HEADERS_SENT', () => errors.ERR_HTTP_HEADERS_SENT('set'), () => { const r = res(); r.writeHead(200); r.setHeader('a', 'b') }],
    ['ERR_INVALID_ARG_TYPE', () => errors.ERR_INVALID_ARG_TYPE('chunk', ['string', 'Buffer', 'Uint8Array'], 5), () => res().write(5)],
    ['ERR_INVALID_ARG_TYPE object', () => errors.ERR_INVALID_ARG_TYPE('name', 'string', { a: 1 }), () => res().getHeader({ a: 1 })],
    ['ERR_INVALID_ARG_TYPE null-proto', () => errors.ERR_INVALID_ARG_TYPE('name', 'string', Object.create(null)), () => res().getHeader(Object.create(null))],
    ['ERR_INVALID_ARG_TYPE symbol', () => errors.ERR_INVALID_ARG_TYPE('name', 'string', Symbol.iterator), () => res().getHeader(Symbol.iterator)],
    ['ERR_INVALID_ARG_TYPE function', () => errors.ERR_INVALID_ARG_TYPE('name', 'string', thrown), () => res().getHeader(thrown)],
    ['ERR_INVALID_ARG_TYPE -0', () => errors.ERR_INVALID_ARG_TYPE('name', 'string', -0), () => res().getHeader(-0)],
    ['ERR_INVALID_ARG_TYPE long string', () => errors.ERR_INVALID_ARG_TYPE('headers', ['Headers', 'Map'], "it's a long string, longer than 28"), () => res().setHeaders("it's a long string, longer than 28")],
    ['ERR_HTTP_INVALID_STATUS_CODE', () => errors.ERR_HTTP_INVALID_STATUS_CODE('abc'), () => res().writeHead('abc')],
    ['ERR_HTTP_INVALID_STATUS_CODE object', () => errors.ERR_HTTP_INVALID_STATUS_CODE({}), () => res().writeHead({})],
    ['ERR_HTTP_TRAILER_INVALID', () => errors.ERR_HTTP_TRAILER_INVALID(), () => { const r = res(); r.setHeader('Trailer', 'x'); r.setHeader('Content-Length', 1); r.writeHead(200) }],
    ['ERR_INVALID_ARG_VALUE', () => errors.ERR_INVALID_ARG_VALUE('headers', ['a']), () => res().writeHead(200, ['a'])],
    ['ERR_STREAM_NULL_VALUES', () => errors.ERR_STREAM_NULL_VALUES(), () => res().write(null)],
    ['ERR_METHOD_NOT_IMPLEMENTED', () => errors.ERR_METHOD_NOT_IMPLEMENTED('_implicitHeader()'), () => new http.OutgoingMessage()._implicitHeader()],
    ['ERR_SOCKET_BAD_PORT', () => errors.ERR_SOCKET_BAD_PORT('options.port', 70000), () => net.createServer().listen(70000)],
    ['ERR_OUT_OF_RANGE', () => errors.ERR_OUT_OF_RANGE('headersTimeout', '<= requestTimeout', 5e9), () => http.createServer({ headersTimeout: 5e9, requestTimeout: 1000 })],
    ['ERR_INVALID_PROTOCOL', () => errors.ERR_INVALID_PROTOCOL('ftp:', 'http:'), () => http.request('ftp://x')],
    ['ERR_UNESCAPED_CHARACTERS', () => errors.ERR_UNESCAPED_CHARACTERS('Request path'), () => http.request({ path: '/a b' })],
    ['ERR_INVALID_ARG_VALUE', () => errors.ERR_INVALID_ARG_VALUE('scheduling', 'x', "must be one of: 'fifo', 'lifo'"), () => new http.Agent({ scheduling: 'x' })],
    ['ERR_INVALID_ARG_VALUE long value', () => errors.ERR_INVALID_ARG_VALUE('scheduling', 'x'.repeat(200), "must be one of: 'fifo', 'lifo'"), () => new http.Agent({ scheduling: 'x'.repeat(200) })],
  ]
  for (const [title, ours, node] of pairs) {
    it(`${title} reads as Node's`, function () {
      const theirs = thrown(node)
      assert.ok(theirs, 'Node threw')
      const mine = ours()
      assert.deepStrictEqual(shape(mine), shape(theirs))
      assert.ok(mine instanceof theirs.constructor)
    })
  }

  it('messages of the errors Node raises only asynchronously', function () {
    const expected = {
      ERR_HTTP_REQUEST_TIMEOUT: [Error, [], 'Request timeout'],
      ERR_STREAM_WRITE_AFTER_END: [Error, [], 'write after end'],
      ERR_STREAM_DESTROYED: [Error, ['write'], 'Cannot call write after a stream was destroyed'],
      ERR_STREAM_ALREADY_FINISHED: [Error, ['end'], 'Cannot call end after a stream was finished'],
      ERR_STREAM_CANNOT_PIPE: [Error, [], 'Cannot pipe, not readable'],
      ERR_HTTP_CONTENT_LENGTH_MISMATCH: [Error, [3, 2], "Response body's content-length of 3 byte(s) does not match the content-length of 2 byte(s) set in header"],
      ERR_HTTP_SOCKET_ASSIGNED: [Error, [], 'ServerResponse has an already assigned socket'],
      ERR_HTTP_BODY_NOT_ALLOWED: [Error, [], 'Adding content for this request method or response status is not allowed.'],
    }
    for (const [code, [base, args, message]] of Object.entries(expected)) {
      const err = errors[code](...args)
      assert.strictEqual(err.constructor, base)
      assert.strictEqual(err.code, code)
      assert.strictEqual(err.message, message)
      assert.strictEqual(String(err), `Error [${code}]: ${message}`)
      assert.strictEqual(err.stack.split('\n')[0], `Error [${code}]: ${message}`)
    }
  })

  it('ERR_SOCKET_CLOSED reads as the one net.Socket#resetAndDestroy() emits on a closed socket', async function () {
    const [theirs] = await once(new net.Socket().resetAndDestroy(), 'error')
    const mine = errors.ERR_SOCKET_CLOSED()
    assert.deepStrictEqual(shape(mine), shape(theirs))
    assert.ok(mine instanceof theirs.constructor)
  })

  it('uvException matches the error of a real EADDRINUSE', async function () {
    const first = net.createServer().listen(0, '127.0.0.1')
    await once(first, 'listening')
    const { port } = first.address()
    const second = net.createServer()
    second.listen(port, '127.0.0.1')
    const [theirs] = await once(second, 'error')
    first.close()
    const ours = errors.uvException(theirs.errno, 'listen', { address: '127.0.0.1', port })
    assert.strictEqual(ours.message, theirs.message)
    assert.deepStrictEqual({ ...ours }, { ...theirs })
    assert.deepStrictEqual(Object.keys(ours), Object.keys(theirs))
  })

  it('exceptionWithHostPort and errnoException match Node\'s connect and read errors', async function () {
    const probe = net.createServer().listen(0, '127.0.0.1')
    await once(probe, 'listening')
    const { port } = probe.address()
    await new Promise((resolve) => probe.close(resolve))
    const sock = net.connect(port, '127.0.0.1')
    const [theirs] = await once(sock, 'error')
    const ours = errors.exceptionWithHostPort(theirs.errno, 'connect', '127.0.0.1', port)
    assert.strictEqual(ours.message, theirs.message)
    assert.deepStrictEqual(Object.entries(ours), Object.entries(theirs))

    const reset = errors.errnoException(-104, 'read')
    assert.strictEqual(reset.message, 'read ECONNRESET')
    assert.deepStrictEqual({ ...reset }, { errno: -104, code: 'ECONNRESET', syscall: 'read' })
  })

  it('connResetException is a plain Error with code ECONNRESET', function () {
    const err = errors.connResetException('socket hang up')
    assert.strictEqual(err.constructor, Error)
    assert.strictEqual(err.message, 'socket hang up')
    assert.deepStrictEqual({ ...err }, { code: 'ECONNRESET' })
  })

  it('parseError has the shape of the error Node passes to clientError', async function () {
    const server = http.createServer()
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    const sock = net.connect(server.address().port, '127.0.0.1')
    sock.on('error', () => {})
    sock.write('GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n')
    const [theirs, clientSocket] = await once(server, 'clientError')
    clientSocket.destroy()
    sock.destroy()
    server.close()

    const ours = errors.parseError(theirs.code, theirs.reason, theirs.bytesParsed, theirs.rawPacket)
    assert.strictEqual(ours.constructor, theirs.constructor)
    assert.strictEqual(ours.message, theirs.message)
    assert.strictEqual(ours.stack, theirs.stack)
    assert.deepStrictEqual(Object.getOwnPropertyNames(ours), Object.getOwnPropertyNames(theirs))
    assert.deepStrictEqual({ ...ours }, { ...theirs })
  })
})
