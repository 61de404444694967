'use strict'
// The ServerResponse header API: setting, reading and removing headers,
// writeHead in all its forms, the well-known internals (_header,
// _implicitHeader), the Date header, the error codes of bad input, and the
// module-level helpers (validateHeader*, STATUS_CODES, METHODS, maxHeaderSize).
const assert = require('assert')
const nodeHttp = require('http')
const { eachImpl } = require('../helpers/impls')
const { byLine } = require('../helpers/node-line')
const { normaliseDate } = require('../helpers/net')
const { useServers, request, raw, splitResponse, rawClient, withTimeout } = require('../helpers/res-util')

const GET = 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'

/** Runs `fn`, returns what it threw (or fails when it did not throw). */
function thrown (fn) {
  try { fn() } catch (err) { return err }
  assert.fail('expected an exception')
}

eachImpl('response headers', (http) => {
  const serve = useServers(http)

  it('setHeader keeps string, number and array values and sends them', async () => {
    const seen = {}
    const { port } = await serve((req, res) => {
      res.setHeader('X-Str', 'text')
      res.setHeader('X-Num', 42)
      res.setHeader('X-Arr', ['a', 'b'])
      seen.str = res.getHeader('x-str')
      seen.num = res.getHeader('X-NUM')
      seen.arr = res.getHeader('x-arr')
      res.end()
    })
    const text = await raw(port, GET)
    assert.deepStrictEqual(seen, { str: 'text', num: 42, arr: ['a', 'b'] })
    assert.strictEqual(normaliseDate(text),
      'HTTP/1.1 200 OK\r\nX-Str: text\r\nX-Num: 42\r\nX-Arr: a\r\nX-Arr: b\r\n' +
      'Date: <date>\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')
  })

  it('createServer({ uniqueHeaders }) sends those names\' array values on one line, others on one line each', async () => {
    const { port } = await serve((req, res) => {
      res.setHeader('X-Unique', ['a', 'b'])
      res.setHeader('X-Multi', ['a', 'b'])
      res.end()
    }, { uniqueHeaders: ['x-UNIQUE'] })
    assert.strictEqual(normaliseDate(await raw(port, GET)),
      'HTTP/1.1 200 OK\r\nX-Unique: a; b\r\nX-Multi: a\r\nX-Multi: b\r\n' +
      'Date: <date>\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')
  })

  it('setHeader replaces an earlier value of the same name, case-insensitively', async () => {
    const { port } = await serve((req, res) => {
      res.setHeader('X-One', 'first')
      res.setHeader('X-Two', '2')
      res.setHeader('x-one', 'second')
      res.end()
    })
    const { head } = splitResponse(await raw(port, GET))
    // The new name casing is used, in the position of the first setHeader.
    assert.match(head, /\r\nx-one: second\r\nX-Two: 2\r\n/)
    assert.doesNotMatch(head, /first/)
  })

  it('getHeaders returns a null-prototype copy with lowercased names', async () => {
    const seen = {}
    const { port } = await serve((req, res) => {
      res.setHeader('Content-Type', 'text/plain')
      res.setHeader('X-Multi', ['1', '2'])
      const h = res.getHeaders()
      seen.proto = Object.getPrototypeOf(h)
      seen.headers = { ...h }
      h['x-added'] = 'no'
      seen.afterMutation = res.hasHeader('x-added')
      seen.names = res.getHeaderNames()
      res.end()
    })
    await request(port)
    assert.strictEqual(seen.proto, null)
    assert.deepStrictEqual(seen.headers, { 'content-type': 'text/plain', 'x-multi': ['1', '2'] })
    assert.strictEqual(seen.afterMutation, false)
    assert.deepStrictEqual(seen.names, ['content-type', 'x-multi'])
  })

  it('hasHeader, getHeader of a missing name, and removeHeader', async () => {
    const seen = {}
    const { port } = await serve((req, res) => {
      res.setHeader('X-Gone', 'soon')
      res.setHeader('X-Stays', 'yes')
      seen.before = [res.hasHeader('x-gone'), res.hasHeader('X-GONE'), res.hasHeader('x-none')]
      seen.missing = res.getHeader('x-none')
      res.removeHeader('X-GONE')
      res.removeHeader('x-never-set') // removing an absent header is not an error
      seen.after = [res.hasHeader('x-gone'), res.getHeader('x-gone')]
      seen.names = res.getHeaderNames()
      res.end()
    })
    const { head } = splitResponse(await raw(port, GET))
    assert.deepStrictEqual(seen.before, [true, true, false])
    assert.strictEqual(seen.missing, undefined)
    assert.deepStrictEqual(seen.after, [false, undefined])
    assert.deepStrictEqual(seen.names, ['x-stays'])
    assert.doesNotMatch(head, /X-Gone/i)
    assert.match(head, /\r\nX-Stays: yes\r\n/)
  })

  it('appendHeader adds values to an existing header and returns this', async () => {
    const seen = {}
    const { port } = await serve((req, res) => {
      seen.ret = res.appendHeader('X-A', '1') === res
      res.appendHeader('x-a', ['2', '3'])
      res.setHeader('X-B', 'b')
      res.appendHeader('X-B', 'c')
      seen.a = res.getHeader('x-a')
      seen.b = res.getHeader('x-b')
      res.end()
    })
    const text = await raw(port, GET)
    assert.strictEqual(seen.ret, true)
    assert.deepStrictEqual(seen.a, ['1', '2', '3'])
    assert.deepStrictEqual(seen.b, ['b', 'c'])
    assert.strictEqual(splitResponse(text).head.split('\r\n').slice(1, 6).join('|'),
      'X-A: 1|X-A: 2|X-A: 3|X-B: b|X-B: c')
  })

  it('writeHead(status, reason, headers) returns this and sends the reason', async () => {
    const seen = {}
    const { port } = await serve((req, res) => {
      seen.ret = res.writeHead(299, 'Quite Fine', { 'X-Head': 'h', 'Content-Length': 2 }) === res
      seen.statusCode = res.statusCode
      seen.statusMessage = res.statusMessage
      res.end('ok')
    })
    const text = await raw(port, GET)
    assert.strictEqual(seen.ret, true)
    assert.strictEqual(seen.statusCode, 299)
    assert.strictEqual(seen.statusMessage, 'Quite Fine')
    assert.strictEqual(normaliseDate(text),
      'HTTP/1.1 299 Quite Fine\r\nX-Head: h\r\nContent-Length: 2\r\nDate: <date>\r\nConnection: close\r\n\r\nok')
  })

  it('writeHead(status, headers) uses the standard reason and merges setHeader headers', async () => {
    const { port } = await serve((req, res) => {
      res.setHeader('X-Set', 'early')
      res.setHeader('X-Both', 'from setHeader')
      res.writeHead(404, { 'x-both': 'from writeHead', 'X-Head': 'late' })
      res.end()
    })
    const text = await raw(port, GET)
    // writeHead's object replaces a same-named header in place (its casing wins).
    assert.strictEqual(normaliseDate(text),
      'HTTP/1.1 404 Not Found\r\nX-Set: early\r\nx-both: from writeHead\r\nX-Head: late\r\n' +
      'Date: <date>\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n')
  })

  it('writeHead(status) alone sends the standard reason phrase', async () => {
    const { port } = await serve((req, res) => { res.writeHead(201); res.end() })
    assert.match(await raw(port, GET), /^HTTP\/1\.1 201 Created\r\n/)
  })

  it('writeHead with a flat array sends the headers verbatim, case and order kept', async () => {
    const { port } = await serve((req, res) => {
      res.writeHead(200, ['x-lower', 'a', 'X-UPPER', 'b', 'Set-Cookie', 'c=1', 'set-cookie', 'd=2', 'CONTENT-length', '2', 'x-lower', 'again'])
      res.end('ok')
    })
    const text = await raw(port, GET)
    assert.strictEqual(normaliseDate(text),
      'HTTP/1.1 200 OK\r\nx-lower: a\r\nX-UPPER: b\r\nSet-Cookie: c=1\r\nset-cookie: d=2\r\n' +
      'CONTENT-length: 2\r\nx-lower: again\r\nDate: <date>\r\nConnection: close\r\n\r\nok')
  })

  it('writeHead with a flat array after setHeader replaces same-named headers', async () => {
    const { port } = await serve((req, res) => {
      res.setHeader('X-Foo', 'old')
      res.setHeader('X-Keep', 'k')
      res.writeHead(200, ['x-foo', 'new1', 'X-Foo', 'new2'])
      res.end()
    })
    const { head } = splitResponse(await raw(port, GET))
    assert.strictEqual(normaliseDate(head), byLine({
      // Node 20 sets the pairs one by one: only the last value of a repeated name survives.
      20: 'HTTP/1.1 200 OK\r\nX-Foo: new2\r\nX-Keep: k\r\nDate: <date>\r\nConnection: close\r\nTransfer-Encoding: chunked',
      // Node 22 removes the names the array sets, then appends every pair.
      22: 'HTTP/1.1 200 OK\r\nX-Keep: k\r\nx-foo: new1\r\nx-foo: new2\r\nDate: <date>\r\nConnection: close\r\nTransfer-Encoding: chunked'
    }))
  })

  it('writeHead with an odd-length array throws ERR_INVALID_ARG_VALUE', async () => {
    const seen = {}
    const { port } = await serve((req, res) => {
      seen.err = thrown(() => res.writeHead(200, ['X-A', 'a', 'X-B']))
      seen.headersSent = res.headersSent
      res.end()
    })
    await request(port)
    assert.strictEqual(seen.err.code, 'ERR_INVALID_ARG_VALUE')
    assert.strictEqual(seen.err.name, 'TypeError')
    assert.strictEqual(seen.headersSent, false)
  })

  it('writeHead with an invalid status code throws ERR_HTTP_INVALID_STATUS_CODE', async () => {
    const seen = {}
    const { port } = await serve((req, res) => {
      seen.low = thrown(() => res.writeHead(99))
      seen.high = thrown(() => res.writeHead(1000))
      res.writeHead(200)
      res.end()
    })
    await request(port)
    for (const err of [seen.low, seen.high]) {
      assert.strictEqual(err.code, 'ERR_HTTP_INVALID_STATUS_CODE')
      assert.strictEqual(err.name, 'RangeError')
    }
    assert.strictEqual(seen.low.message, 'Invalid status code: 99')
  })

  it('several Set-Cookie values each get their own line and reach the client as an array', async () => {
    const { port } = await serve((req, res) => {
      res.setHeader('Set-Cookie', ['a=1; Path=/', 'b=2; HttpOnly'])
      res.appendHeader('Set-Cookie', 'c=3')
      res.end()
    })
    const { head } = splitResponse(await raw(port, GET))
    assert.match(head, /\r\nSet-Cookie: a=1; Path=\/\r\nSet-Cookie: b=2; HttpOnly\r\nSet-Cookie: c=3\r\n/)
    const { res } = await request(port)
    assert.deepStrictEqual(res.headers['set-cookie'], ['a=1; Path=/', 'b=2; HttpOnly', 'c=3'])
  })

  it('statusCode and statusMessage set as properties are sent', async () => {
    const seen = {}
    const { port } = await serve((req, res) => {
      seen.defaults = [res.statusCode, res.statusMessage]
      res.statusCode = 418
      res.statusMessage = 'Short And Stout'
      res.end()
    })
    const text = await raw(port, GET)
    // Before the head is written, statusMessage is undefined (not 'OK').
    assert.deepStrictEqual(seen.defaults, [200, undefined])
    assert.match(text, /^HTTP\/1\.1 418 Short And Stout\r\n/)
  })

  it('statusMessage is filled in from STATUS_CODES when the head is written', async () => {
    const seen = {}
    const { port } = await serve((req, res) => {
      res.statusCode = 503
      res.end()
      seen.statusMessage = res.statusMessage
    })
    await raw(port, GET)
    assert.strictEqual(seen.statusMessage, 'Service Unavailable')
  })

  it('headersSent and _header: false/null before, true/the exact head after', async () => {
    const seen = {}
    const { port } = await serve((req, res) => {
      seen.before = [res.headersSent, res._header]
      res.setHeader('X-Log', 'me')
      res.write('x')
      seen.after = [res.headersSent, res._header]
      res.end()
    })
    const text = await raw(port, GET)
    assert.deepStrictEqual(seen.before, [false, null])
    assert.strictEqual(seen.after[0], true)
    assert.strictEqual(typeof seen.after[1], 'string')
    // _header is the head exactly as it went on the wire, blank line included.
    assert.strictEqual(seen.after[1], text.slice(0, text.indexOf('\r\n\r\n') + 4))
    assert.match(seen.after[1], /^HTTP\/1\.1 200 OK\r\nX-Log: me\r\n/)
  })

  it('_implicitHeader() writes the head with the current statusCode', async () => {
    const seen = {}
    const { port } = await serve((req, res) => {
      res.statusCode = 202
      res.setHeader('X-Before', 'b')
      res._implicitHeader()
      seen.sent = res.headersSent
      seen.header = res._header
      res.end('done')
    })
    const text = await raw(port, GET)
    assert.strictEqual(seen.sent, true)
    assert.strictEqual(normaliseDate(seen.header),
      'HTTP/1.1 202 Accepted\r\nX-Before: b\r\nDate: <date>\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n')
    assert.strictEqual(normaliseDate(text), normaliseDate(seen.header) + '4\r\ndone\r\n0\r\n\r\n')
  })

  it('the implicit head goes through a writeHead patched on the instance (on-headers pattern)', async () => {
    const calls = []
    const { port } = await serve((req, res) => {
      const writeHead = res.writeHead
      res.writeHead = function (...args) {
        calls.push(args[0])
        this.setHeader('X-Response-Time', '1ms')
        return writeHead.apply(this, args)
      }
      res.statusCode = 203
      res.end('body')
    })
    const { head } = splitResponse(await raw(port, GET))
    // Node's end() -> _implicitHeader() -> this.writeHead(statusCode): middleware relies on it.
    assert.deepStrictEqual(calls, [203])
    assert.match(head, /^HTTP\/1\.1 203 Non-Authoritative Information\r\nX-Response-Time: 1ms\r\n/)
  })

  it('flushHeaders sends the head before any body is written', async () => {
    let finish
    const { port } = await serve((req, res) => {
      res.setHeader('X-Early', 'yes')
      res.flushHeaders()
      finish = () => res.end('late')
    })
    const client = await rawClient(port)
    client.write(GET)
    const head = await client.until((t) => t.includes('\r\n\r\n'))
    assert.strictEqual(normaliseDate(head),
      'HTTP/1.1 200 OK\r\nX-Early: yes\r\nDate: <date>\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n')
    finish()
    await client.waitClose()
    assert.strictEqual(splitResponse(client.text).body, '4\r\nlate\r\n0\r\n\r\n')
  })

  it('sends a Date header by default (IMF-fixdate) and none when sendDate is false', async () => {
    const seen = {}
    const { port } = await serve((req, res) => {
      seen.sendDate = res.sendDate
      if (req.url === '/nodate') res.sendDate = false
      res.end()
    })
    const withDate = await raw(port, GET)
    assert.strictEqual(seen.sendDate, true)
    const m = /\r\nDate: ([^\r]+)\r\n/.exec(withDate)
    assert.ok(m, withDate)
    assert.match(m[1], /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d GMT$/)
    assert.ok(Math.abs(Date.parse(m[1]) - Date.now()) < 5000, m[1])
    const without = await raw(port, 'GET /nodate HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
    assert.strictEqual(without, 'HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')
  })

  it('a Date header set by the application replaces the automatic one', async () => {
    const { port } = await serve((req, res) => {
      res.setHeader('date', 'Thu, 01 Jan 1970 00:00:00 GMT')
      res.end()
    })
    const { head } = splitResponse(await raw(port, GET))
    assert.strictEqual(head.match(/date:/gi).length, 1)
    assert.match(head, /\r\ndate: Thu, 01 Jan 1970 00:00:00 GMT/)
  })

  it('rejects bad header names and values with Node\'s error codes', async () => {
    const seen = {}
    const { port } = await serve((req, res) => {
      seen.name = thrown(() => res.setHeader('bad name', 'x'))
      seen.emptyName = thrown(() => res.setHeader('', 'x'))
      seen.value = thrown(() => res.setHeader('X-Bad', 'a\r\nInjected: 1'))
      seen.arrayValue = thrown(() => res.setHeader('X-Bad', ['ok', 'bad\n']))
      seen.undef = thrown(() => res.setHeader('X-Undef', undefined))
      seen.appendName = thrown(() => res.appendHeader('bad:name', 'x'))
      seen.writeHeadValue = thrown(() => res.writeHead(200, { 'X-Bad': 'a\u0000b' }))
      seen.names = res.getHeaderNames()
      res.end()
    })
    const { head } = splitResponse(await raw(port, GET))
    const expect = {
      name: ['ERR_INVALID_HTTP_TOKEN', 'TypeError', 'Header name must be a valid HTTP token ["bad name"]'],
      emptyName: ['ERR_INVALID_HTTP_TOKEN', 'TypeError', 'Header name must be a valid HTTP token [""]'],
      value: ['ERR_INVALID_CHAR', 'TypeError', 'Invalid character in header content ["X-Bad"]'],
      arrayValue: ['ERR_INVALID_CHAR', 'TypeError', 'Invalid character in header content ["X-Bad"]'],
      undef: ['ERR_HTTP_INVALID_HEADER_VALUE', 'TypeError', 'Invalid value "undefined" for header "X-Undef"'],
      appendName: ['ERR_INVALID_HTTP_TOKEN', 'TypeError', 'Header name must be a valid HTTP token ["bad:name"]'],
      writeHeadValue: ['ERR_INVALID_CHAR', 'TypeError', 'Invalid character in header content ["X-Bad"]']
    }
    for (const [k, [code, name, message]] of Object.entries(expect)) {
      assert.deepStrictEqual([seen[k].code, seen[k].name, seen[k].message], [code, name, message], k)
    }
    assert.deepStrictEqual(seen.names, [])
    assert.doesNotMatch(head, /Injected|X-Bad|X-Undef/)
  })

  it('changing headers after the head is sent throws ERR_HTTP_HEADERS_SENT', async () => {
    const seen = {}
    const { port } = await serve((req, res) => {
      res.write('first')
      seen.set = thrown(() => res.setHeader('X-Late', '1'))
      seen.append = thrown(() => res.appendHeader('X-Late', '1'))
      seen.remove = thrown(() => res.removeHeader('Date'))
      seen.writeHead = thrown(() => res.writeHead(500))
      res.end()
    })
    const text = await raw(port, GET)
    assert.match(text, /^HTTP\/1\.1 200 OK\r\n/)
    const expect = {
      set: 'Cannot set headers after they are sent to the client',
      append: 'Cannot append headers after they are sent to the client',
      remove: 'Cannot remove headers after they are sent to the client',
      writeHead: 'Cannot write headers after they are sent to the client'
    }
    for (const [k, message] of Object.entries(expect)) {
      assert.deepStrictEqual([seen[k].code, seen[k].name, seen[k].message], ['ERR_HTTP_HEADERS_SENT', 'Error', message], k)
    }
  })

  it('write after end: the callback gets ERR_STREAM_WRITE_AFTER_END, then an \'error\' event', async () => {
    const events = []
    let done
    const finished = new Promise((resolve) => { done = resolve })
    const { port } = await serve((req, res) => {
      res.on('error', (err) => { events.push(`error:${err.code}`); done() })
      res.end('x')
      const ret = res.write('more', (err) => events.push(`cb:${err && err.code}`))
      events.push(`returned:${ret}`)
    })
    await raw(port, GET)
    await withTimeout(finished, 2000, "'error' event")
    // Node reports it asynchronously: write() returns false, the callback runs, then 'error'.
    assert.deepStrictEqual(events, ['returned:false', 'cb:ERR_STREAM_WRITE_AFTER_END', 'error:ERR_STREAM_WRITE_AFTER_END'])
  })

  it('write after end without an error listener is reported as an uncaught \'error\'', async () => {
    let caught
    const listeners = process.listeners('uncaughtException')
    process.removeAllListeners('uncaughtException')
    const got = new Promise((resolve) => {
      process.once('uncaughtException', (err) => { caught = err; resolve() })
    })
    try {
      const { port } = await serve((req, res) => { res.end(); res.write('late') })
      await raw(port, GET)
      await withTimeout(got, 2000, 'uncaughtException')
    } finally {
      process.removeAllListeners('uncaughtException')
      for (const l of listeners) process.on('uncaughtException', l)
    }
    assert.strictEqual(caught.code, 'ERR_STREAM_WRITE_AFTER_END')
    assert.strictEqual(caught.message, 'write after end')
  })

  it('write with an invalid chunk type throws ERR_INVALID_ARG_TYPE synchronously', async () => {
    const seen = {}
    const { port } = await serve((req, res) => {
      seen.number = thrown(() => res.write(42))
      seen.nul = thrown(() => res.write(null))
      res.end()
    })
    await request(port)
    assert.strictEqual(seen.number.code, 'ERR_INVALID_ARG_TYPE')
    assert.strictEqual(seen.nul.code, 'ERR_STREAM_NULL_VALUES')
  })

  it('http.validateHeaderName and http.validateHeaderValue', () => {
    assert.strictEqual(typeof http.validateHeaderName, 'function')
    assert.strictEqual(typeof http.validateHeaderValue, 'function')
    assert.strictEqual(http.validateHeaderName('X-Fine_Token.1!#$%&\'*+^`|~'), undefined)
    assert.strictEqual(http.validateHeaderValue('x-a', 'any\tvisible text \u00ff'), undefined)
    const cases = [
      [() => http.validateHeaderName('bad name'), 'ERR_INVALID_HTTP_TOKEN', 'Header name must be a valid HTTP token ["bad name"]'],
      [() => http.validateHeaderName('x\u00e9'), 'ERR_INVALID_HTTP_TOKEN', 'Header name must be a valid HTTP token ["x\u00e9"]'],
      [() => http.validateHeaderValue('x-a', undefined), 'ERR_HTTP_INVALID_HEADER_VALUE', 'Invalid value "undefined" for header "x-a"'],
      [() => http.validateHeaderValue('x-a', 'a\nb'), 'ERR_INVALID_CHAR', 'Invalid character in header content ["x-a"]'],
      [() => http.validateHeaderValue('x-a', 'a\u0100'), 'ERR_INVALID_CHAR', 'Invalid character in header content ["x-a"]']
    ]
    for (const [fn, code, message] of cases) {
      const err = thrown(fn)
      assert.deepStrictEqual([err.code, err.name, err.message], [code, 'TypeError', message])
    }
  })

  it('http.STATUS_CODES equals Node\'s table', () => {
    assert.deepStrictEqual({ ...http.STATUS_CODES }, { ...nodeHttp.STATUS_CODES })
    assert.strictEqual(http.STATUS_CODES[404], 'Not Found')
    assert.strictEqual(http.STATUS_CODES[418], 'I\'m a Teapot')
  })

  it('http.METHODS equals Node\'s sorted list', () => {
    assert.ok(Array.isArray(http.METHODS))
    assert.deepStrictEqual(http.METHODS, nodeHttp.METHODS)
    assert.deepStrictEqual(http.METHODS, [...http.METHODS].sort())
    for (const m of ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH']) {
      assert.ok(http.METHODS.includes(m), m)
    }
  })

  it('http.maxHeaderSize equals Node\'s (16 KiB unless overridden)', () => {
    assert.strictEqual(typeof http.maxHeaderSize, 'number')
    assert.strictEqual(http.maxHeaderSize, nodeHttp.maxHeaderSize)
  })
})
