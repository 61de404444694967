'use strict'
// The request body as a Readable: Content-Length and chunked framing, the
// stream APIs body parsers use, trailers, and backpressure on a big upload.
const assert = require('assert')
const net = require('net')
const stream = require('stream')
const { once } = require('events')
const { eachImpl } = require('../helpers/impls')
const { delay } = require('../helpers/net')
const { rawConnect } = require('../helpers/req-raw')
const { serverPool, nodeRequest, withTimeout } = require('../helpers/req-util')

eachImpl('request body', (http) => {
  const pool = serverPool()
  afterEach(() => pool.closeAll())

  /**
   * Starts a server whose handler is `onRequest(req, res, done)`; resolves
   * { port, result } where result settles with what `done(value)` was given.
   */
  async function serve (onRequest, options) {
    let settle
    const result = new Promise((resolve) => { settle = resolve })
    const { port, server } = await pool.start(http, options, (req, res) => onRequest(req, res, settle))
    return { port, server, result: withTimeout(result, 3000, 'server result') }
  }

  /** Collects 'data' chunks; answers 'ok' on 'end'. */
  function collect (req, res, done) {
    const chunks = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', () => { done({ chunks, body: Buffer.concat(chunks).toString('latin1') }); res.end('ok') })
  }

  it('streams a Content-Length body to data and end as Buffers', async () => {
    const { port, result } = await serve(collect)
    const c = await rawConnect(port, ['POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\nhel', 'lo w', 'orld'])
    const { chunks, body } = await result
    assert.strictEqual(body, 'hello world')
    assert.ok(chunks.every((b) => Buffer.isBuffer(b)))
    await c.waitFor('\r\n\r\nok')
  })

  it('decodes a chunked body split at awkward places, ignoring chunk extensions', async () => {
    const { port, result } = await serve(collect)
    const c = await rawConnect(port, [
      'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r',
      '\nhel',
      'lo\r\n6;name=value\r\n wo',
      'rld\r\n1',
      '0\r\n0123456789abcdef\r\n0\r\n',
      '\r\n'
    ])
    assert.strictEqual((await result).body, 'hello world0123456789abcdef')
    await c.waitFor('\r\n\r\nok')
  })

  for (const [title, head] of [
    ['Content-Length: 0', 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n'],
    ['an empty chunked body', 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'],
    ['a GET without framing headers', 'GET / HTTP/1.1\r\nHost: x\r\n\r\n']
  ]) {
    it(`ends without data for ${title}`, async () => {
      const { port, result } = await serve(collect)
      const c = await rawConnect(port, head)
      assert.deepStrictEqual((await result).chunks, [])
      await c.waitFor('\r\n\r\nok')
    })
  }

  it('pipes into a Writable, and req.pipe(res) echoes a 256 KiB body', async () => {
    const body = Buffer.alloc(256 * 1024)
    for (let i = 0; i < body.length; i++) body[i] = (i * 7) & 0xff
    const { port } = await pool.start(http, (req, res) => {
      if (req.url === '/sink') {
        const chunks = []
        const sink = new stream.Writable({ write (c, e, cb) { chunks.push(c); cb() } })
        sink.on('finish', () => res.end(String(Buffer.concat(chunks).equals(body))))
        req.pipe(sink)
      } else {
        req.pipe(res)
      }
    })
    const sink = await nodeRequest(port, { method: 'POST', path: '/sink', body })
    assert.strictEqual(sink.body.toString(), 'true')
    const echo = await nodeRequest(port, { method: 'POST', path: '/echo', body })
    assert.strictEqual(echo.res.headers['transfer-encoding'], 'chunked')
    assert.ok(echo.body.equals(body))
  })

  it('supports async iteration (for await ... of req)', async () => {
    const { port, result } = await serve(async (req, res, done) => {
      const parts = []
      for await (const chunk of req) parts.push(chunk)
      done(Buffer.concat(parts).toString())
      res.end('ok')
    })
    const c = await rawConnect(port, ['POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n', '2\r\nde\r\n0\r\n\r\n'])
    assert.strictEqual(await result, 'abcde')
    await c.waitFor('\r\n\r\nok')
  })

  it('setEncoding(utf8) yields strings and decodes characters split across packets', async () => {
    const { port, result } = await serve((req, res, done) => {
      req.setEncoding('utf8')
      const parts = []
      req.on('data', (s) => parts.push(s))
      req.on('end', () => { done(parts); res.end('ok') })
    })
    const euro = Buffer.from('\u20ac', 'utf8') // 3 bytes: e2 82 ac
    const head = Buffer.from('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 7\r\n\r\n', 'latin1')
    const c = await rawConnect(port, [Buffer.concat([head, Buffer.from('a'), euro.subarray(0, 1)]), euro.subarray(1, 2), Buffer.concat([euro.subarray(2), Buffer.from('bcd')])], 40)
    const parts = await result
    assert.ok(parts.every((p) => typeof p === 'string'))
    assert.strictEqual(parts.join(''), 'a\u20acbcd')
    await c.waitFor('\r\n\r\nok')
  })

  it('pause() stops data events until resume(), and readableFlowing follows', async () => {
    const { port, result } = await serve(async (req, res, done) => {
      const log = [['initial', req.readableFlowing, req.isPaused()]]
      let received = ''
      req.on('data', (c) => { received += c })
      log.push(['after on(data)', req.readableFlowing, req.isPaused()])
      await once(req, 'data')
      req.pause()
      log.push(['after pause', req.readableFlowing, req.isPaused()])
      const atPause = received
      await delay(150) // the rest of the body arrives meanwhile
      log.push(['still paused, nothing new', received === atPause])
      req.resume()
      log.push(['after resume', req.readableFlowing, req.isPaused()])
      await once(req, 'end')
      log.push(['end', received])
      done(log)
      res.end('ok')
    })
    const c = await rawConnect(port, ['POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\n\r\nabc', 'def'], 50)
    assert.deepStrictEqual(await result, [
      ['initial', null, false],
      ['after on(data)', true, false],
      ['after pause', false, true],
      ['still paused, nothing new', true],
      ['after resume', true, false],
      ['end', 'abcdef']
    ])
    await c.waitFor('\r\n\r\nok')
  })

  it('supports paused mode: readable events and read()', async () => {
    const { port, result } = await serve((req, res, done) => {
      const parts = []
      req.on('readable', () => {
        let chunk
        while ((chunk = req.read()) !== null) parts.push(chunk.toString())
      })
      req.on('end', () => { done(parts.join('')); res.end('ok') })
    })
    const c = await rawConnect(port, ['PUT / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n01234', '56789'])
    assert.strictEqual(await result, '0123456789')
    await c.waitFor('\r\n\r\nok')
  })

  it('keeps body bytes that arrive before a late data listener is attached', async () => {
    const { port, result } = await serve((req, res, done) => {
      setTimeout(() => collect(req, res, done), 150) // as an async middleware chain would
    })
    const c = await rawConnect(port, 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nearly')
    assert.strictEqual((await result).body, 'early')
    await c.waitFor('\r\n\r\nok')
  })

  it('exposes trailers and rawTrailers after end of a chunked request (empty before)', async () => {
    const { port, result } = await serve((req, res, done) => {
      const before = { trailers: { ...req.trailers }, rawTrailers: [...req.rawTrailers] }
      req.resume()
      req.on('end', () => {
        done({ before, trailers: req.trailers, rawTrailers: req.rawTrailers, distinct: { ...req.trailersDistinct } })
        res.end('ok')
      })
    })
    const c = await rawConnect(port,
      'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum\r\n\r\n' +
      '5\r\nhello\r\n0\r\nX-Sum: abc\r\nx-sum: def\r\nX-Other: 1\r\nSet-Cookie: a\r\nSet-Cookie: b\r\n\r\n')
    const r = await result
    assert.deepStrictEqual(r.before, { trailers: {}, rawTrailers: [] })
    assert.deepStrictEqual(r.trailers, { 'x-sum': 'abc, def', 'x-other': '1', 'set-cookie': ['a', 'b'] })
    assert.deepStrictEqual(r.rawTrailers, ['X-Sum', 'abc', 'x-sum', 'def', 'X-Other', '1', 'Set-Cookie', 'a', 'Set-Cookie', 'b'])
    assert.deepStrictEqual(r.distinct, { 'x-sum': ['abc', 'def'], 'x-other': ['1'], 'set-cookie': ['a', 'b'] })
    await c.waitFor('\r\n\r\nok')
  })

  it('req is a stream.Readable with the usual state (_readableState, highWaterMark, ended flags)', async () => {
    const { port, result } = await serve((req, res, done) => {
      const s = {
        readable: req instanceof stream.Readable,
        stream: req instanceof stream.Stream,
        hasState: typeof req._readableState === 'object' && req._readableState !== null,
        objectMode: req._readableState.objectMode,
        highWaterMark: req.readableHighWaterMark,
        endedBefore: req._readableState.ended,
        readableEndedBefore: req.readableEnded,
        readableBefore: req.readable,
        destroyedBefore: req.destroyed
      }
      req.resume()
      req.on('end', () => {
        s.readableEndedAfter = req.readableEnded
        s.endedAfter = req._readableState.ended
        done(s)
        res.end('ok')
      })
    })
    const c = await rawConnect(port, 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc')
    assert.deepStrictEqual(await result, {
      readable: true,
      stream: true,
      hasState: true,
      objectMode: false,
      // Node's default for byte streams: 16 KiB on Node 20, 64 KiB from Node 22.
      highWaterMark: stream.getDefaultHighWaterMark(false),
      endedBefore: false,
      readableEndedBefore: false,
      readableBefore: true,
      destroyedBefore: false,
      readableEndedAfter: true,
      endedAfter: true
    })
    await c.waitFor('\r\n\r\nok')
  })

  it('discards an unread body and still serves the next request on the connection', async () => {
    const seen = []
    const { port } = await pool.start(http, (req, res) => { seen.push(req.url); res.end(req.url) })
    const c = await rawConnect(port,
      'POST /ignored HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n0123456789' +
      'POST /chunked HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n' +
      'GET /next HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
    assert.ok(await c.waitClose())
    assert.deepStrictEqual(seen, ['/ignored', '/chunked', '/next'])
    assert.deepStrictEqual(c.text.match(/\r\n\r\n\/[a-z]+/g), ['\r\n\r\n/ignored', '\r\n\r\n/chunked', '\r\n\r\n/next'])
  })

  it('receives a 32 MiB upload read slowly, with backpressure and bounded memory', async function () {
    this.timeout(15000)
    const TOTAL = 32 * 1024 * 1024
    const rssBefore = process.memoryUsage().rss
    let peak = rssBefore
    let sent = 0
    let sentWhilePaused = -1
    const { port, result } = await serve((req, res, done) => {
      let received = 0
      let sincePause = 0
      req.pause()
      // Read nothing for 300 ms: a server with backpressure stops reading, so
      // the client can only fill the kernel's socket buffers.
      setTimeout(() => {
        sentWhilePaused = sent
        req.on('data', (c) => {
          received += c.length
          sincePause += c.length
          peak = Math.max(peak, process.memoryUsage().rss)
          if (sincePause >= 1024 * 1024) { // then read slowly: a 5 ms break per MiB
            sincePause = 0
            req.pause()
            setTimeout(() => req.resume(), 5)
          }
        })
        req.on('end', () => { done(received); res.end(String(received)) })
        req.resume()
      }, 300)
    })
    const sock = net.connect(port, '127.0.0.1')
    const closed = once(sock, 'close')
    let reply = ''
    sock.on('data', (d) => { reply += d })
    await once(sock, 'connect')
    sock.write(`POST /big HTTP/1.1\r\nHost: x\r\nContent-Length: ${TOTAL}\r\nConnection: close\r\n\r\n`)
    const chunk = Buffer.alloc(64 * 1024, 0x61)
    while (sent < TOTAL) {
      sent += chunk.length
      if (!sock.write(chunk)) await withTimeout(once(sock, 'drain'), 5000, 'drain')
    }
    assert.strictEqual(await result, TOTAL)
    await withTimeout(closed, 5000, 'close')
    assert.match(reply, new RegExp(`\\r\\n\\r\\n${TOTAL}$`))
    assert.ok(sentWhilePaused >= 0 && sentWhilePaused < 16 * 1024 * 1024,
      `client could write ${sentWhilePaused} bytes while the request was paused`)
    const growth = peak - rssBefore
    assert.ok(growth < 64 * 1024 * 1024, `RSS grew by ${(growth / 1048576).toFixed(1)} MiB`)
  })
})
