'use strict'
// The ServerResponse body API: write/end with every chunk type and encoding,
// callbacks, backpressure and 'drain', piping a big file, the stream identity
// of res, the finish/close events and state flags, trailers, interim (1xx)
// responses, pipe/unpipe events, and cork/uncork.
const assert = require('assert')
const crypto = require('crypto')
const fs = require('fs')
const os = require('os')
const path = require('path')
const stream = require('stream')
const { eachImpl } = require('../helpers/impls')
const { byLine } = require('../helpers/node-line')
const { normaliseDate, delay } = require('../helpers/net')
const {
  useServers, request, raw, splitResponse, decodeChunked, rawClient, withTimeout, waitFor
} = require('../helpers/res-util')

const GET = 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'

eachImpl('response body', (http) => {
  const serve = useServers(http)

  it('writes strings in utf8, latin1, hex and base64, Buffers and Uint8Arrays', async () => {
    const { port } = await serve((req, res) => {
      res.write('h\u00e9\u20ac', 'utf8')
      res.write('caf\u00e9', 'latin1')
      res.write('deadbeef', 'hex')
      res.write('aGk=', 'base64')
      res.write(Buffer.from([0x00, 0xff]))
      res.end(new Uint8Array([0x55, 0x56]))
    })
    const { head, body } = splitResponse(await raw(port, GET))
    assert.match(head, /\r\nTransfer-Encoding: chunked$/)
    const expected = Buffer.concat([
      Buffer.from('h\u00e9\u20ac', 'utf8'), Buffer.from('caf\u00e9', 'latin1'), Buffer.from('deadbeef', 'hex'),
      Buffer.from('hi'), Buffer.from([0x00, 0xff]), Buffer.from([0x55, 0x56])
    ])
    const decoded = decodeChunked(body)
    assert.deepStrictEqual(Buffer.from(decoded.data, 'latin1'), expected)
    assert.strictEqual(decoded.rest, '')
  })

  it('each write() becomes one chunk of the chunked encoding', async () => {
    const { port } = await serve((req, res) => {
      res.write('abc')
      res.write(Buffer.from('defgh'))
      res.end('ij')
    })
    const { body } = splitResponse(await raw(port, GET))
    assert.strictEqual(body, byLine({
      20: '3\r\nabc\r\n5\r\ndefgh\r\n2\r\nij\r\n0\r\n\r\n',
      // Node 26 joins the chunks written in one tick into one.
      26: 'a\r\nabcdefghij\r\n0\r\n\r\n'
    }))
  })

  it('end(data) alone sends Content-Length in bytes, not chunked', async () => {
    const { port } = await serve((req, res) => res.end('h\u00e9\u20ac'))
    const text = await raw(port, GET)
    assert.strictEqual(normaliseDate(text),
      'HTTP/1.1 200 OK\r\nDate: <date>\r\nConnection: close\r\nContent-Length: 6\r\n\r\n' +
      Buffer.from('h\u00e9\u20ac').toString('latin1'))
  })

  it('end(data, encoding) encodes the last chunk', async () => {
    const { port } = await serve((req, res) => res.end('68656c6c6f', 'hex'))
    const { body } = await request(port)
    assert.strictEqual(body.toString(), 'hello')
  })

  it('empty writes send nothing and do not end the chunked body', async () => {
    const seen = {}
    const { port } = await serve((req, res) => {
      seen.rets = [res.write(''), res.write(Buffer.alloc(0))]
      res.write('a')
      res.end()
    })
    const { body } = splitResponse(await raw(port, GET))
    assert.deepStrictEqual(seen.rets, [true, true])
    assert.strictEqual(body, '1\r\na\r\n0\r\n\r\n')
  })

  it('end(data, cb) and end(cb) call back after the response is finished', async () => {
    const events = []
    const { port } = await serve((req, res) => {
      res.on('finish', () => events.push(`finish ${req.url}`))
      const ret = req.url === '/data'
        ? res.end('payload', () => events.push('cb /data'))
        : res.end(() => events.push('cb /none'))
      events.push(`returned this: ${ret === res}`)
    })
    const a = await request(port, { path: '/data' })
    assert.strictEqual(a.body.toString(), 'payload')
    const b = await request(port, { path: '/none' })
    assert.strictEqual(b.body.length, 0)
    await waitFor(() => events.length >= 6, 2000, 'callbacks')
    assert.deepStrictEqual(events, byLine({
      // Node 20 adds end()'s callback as a 'finish' listener.
      20: ['returned this: true', 'finish /data', 'cb /data', 'returned this: true', 'finish /none', 'cb /none'],
      // Node 24 keeps end()'s callbacks apart and calls them just before emitting 'finish'.
      24: ['returned this: true', 'cb /data', 'finish /data', 'returned this: true', 'cb /none', 'finish /none']
    }))
  })

  it('write(chunk, cb) calls back once the chunk is handed off', async () => {
    const order = []
    const { port } = await serve((req, res) => {
      res.write('one', () => order.push('cb one'))
      res.write('two', 'utf8', () => order.push('cb two'))
      res.end(() => order.push('cb end'))
    })
    await request(port)
    await waitFor(() => order.length >= 3, 2000, 'callbacks')
    assert.deepStrictEqual(order, ['cb one', 'cb two', 'cb end'])
  })

  it('end(data) after end() reports ERR_STREAM_WRITE_AFTER_END to the callback and \'error\'', async () => {
    const events = []
    const { port } = await serve((req, res) => {
      res.on('error', (err) => events.push(`error ${err.code}`))
      res.end('a')
      const ret = res.end('b', (err) => events.push(`cb ${err && err.code}`))
      events.push(`returned this: ${ret === res}`)
    })
    const text = await raw(port, GET)
    assert.match(text, /Content-Length: 1\r\n\r\na$/)
    await waitFor(() => events.length >= 3, 2000, 'error')
    assert.deepStrictEqual(events, ['returned this: true', 'cb ERR_STREAM_WRITE_AFTER_END', 'error ERR_STREAM_WRITE_AFTER_END'])
  })

  it('write() returns false when the client does not read, and \'drain\' follows when it does', async () => {
    const CAP = 256 * 1024 * 1024
    const chunk = Buffer.alloc(64 * 1024, 'x')
    let total = 0
    let drains = 0
    let stalled
    const stall = new Promise((resolve) => { stalled = resolve })
    let drainedAfterStall
    const drainAfterStall = new Promise((resolve) => { drainedAfterStall = resolve })
    let state = 'pumping'
    const { port } = await serve((req, res) => {
      const pump = () => {
        while (total < CAP) {
          total += chunk.length
          if (!res.write(chunk)) break
        }
        if (total >= CAP) { stalled({ res, capped: true }); return }
        // Not stalled yet while the kernel keeps taking data; stalled when no
        // 'drain' comes within 200 ms.
        const timer = setTimeout(() => { state = 'stalled'; stalled({ res, capped: false }) }, 200)
        res.once('drain', () => {
          drains++
          clearTimeout(timer)
          if (state === 'stalled') { drainedAfterStall(); res.end(); return }
          pump()
        })
      }
      pump()
    })
    const client = await rawClient(port)
    client.sock.pause()
    client.write('GET / HTTP/1.0\r\nHost: x\r\n\r\n')
    const { res, capped } = await withTimeout(stall, 5000, 'write() returning false')
    assert.strictEqual(capped, false, 'the server buffered 256 MiB without write() returning false')
    assert.strictEqual(res.writableNeedDrain, true)
    const drainsBefore = drains
    const received = []
    client.sock.removeAllListeners('data')
    client.sock.on('data', (c) => received.push(c))
    client.sock.resume()
    await withTimeout(drainAfterStall, 5000, "'drain' after the client read")
    assert.ok(drains > drainsBefore)
    await client.waitClose(5000)
    const all = Buffer.concat(received)
    const head = Buffer.from(client.text, 'latin1')
    const whole = Buffer.concat([head, all])
    const bodyStart = whole.indexOf('\r\n\r\n') + 4
    assert.strictEqual(whole.length - bodyStart, total)
  })

  it('a big file piped with fs.createReadStream arrives intact over chunked encoding', async function () {
    this.timeout(10000)
    const file = path.join(os.tmpdir(), `uvhttp-res-body-${process.pid}-${Date.now()}.bin`)
    const data = crypto.randomBytes(8 * 1024 * 1024 + 123)
    fs.writeFileSync(file, data)
    try {
      const { port } = await serve((req, res) => {
        res.setHeader('Content-Type', 'application/octet-stream')
        fs.createReadStream(file).pipe(res)
      })
      const { res, body } = await request(port, { ms: 8000 })
      assert.strictEqual(res.headers['transfer-encoding'], 'chunked')
      assert.strictEqual(res.headers['content-length'], undefined)
      assert.strictEqual(body.length, data.length)
      const sha = (b) => crypto.createHash('sha256').update(b).digest('hex')
      assert.strictEqual(sha(body), sha(data))
    } finally {
      fs.rmSync(file, { force: true })
    }
  })

  it('res is a legacy Stream and an OutgoingMessage, not a stream.Writable', async () => {
    const seen = {}
    const { port } = await serve((req, res) => {
      seen.stream = res instanceof stream.Stream
      seen.writableClass = res instanceof stream.Writable
      seen.outgoing = res instanceof http.OutgoingMessage
      seen.serverResponse = res instanceof http.ServerResponse
      seen.writableState = res._writableState
      seen.writable = res.writable
      seen.hwm = res.writableHighWaterMark
      seen.methods = ['write', 'end', 'on', 'once', 'emit', 'cork', 'uncork', 'destroy', 'pipe'].map((m) => typeof res[m])
      res.end()
    })
    await request(port)
    // Node 20's ServerResponse inherits from the old Stream, not Writable, and has no _writableState.
    assert.deepStrictEqual(seen, {
      stream: true,
      writableClass: false,
      outgoing: true,
      serverResponse: true,
      writableState: undefined,
      writable: true,
      hwm: stream.getDefaultHighWaterMark(false), // 16 KiB on Node 20
      methods: Array(9).fill('function')
    })
  })

  it('res.pipe() emits ERR_STREAM_CANNOT_PIPE (a response is not readable)', async () => {
    const seen = {}
    const { port } = await serve((req, res) => {
      res.on('error', (err) => { seen.code = err.code; seen.message = err.message })
      res.pipe(new stream.PassThrough())
      res.end()
    })
    await request(port)
    assert.deepStrictEqual(seen, { code: 'ERR_STREAM_CANNOT_PIPE', message: 'Cannot pipe, not readable' })
  })

  it('\'finish\' then \'close\' on res, on a closing and on a keep-alive connection', async () => {
    const events = { '/close': [], '/keep': [] }
    let bothDone
    const done = new Promise((resolve) => { bothDone = resolve })
    const { port } = await serve((req, res) => {
      const ev = events[req.url]
      res.on('finish', () => ev.push('finish'))
      res.on('close', () => {
        ev.push('close')
        if (events['/close'].includes('close') && events['/keep'].includes('close')) bothDone()
      })
      res.end('x')
    })
    await raw(port, 'GET /close HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
    const client = await rawClient(port)
    client.write('GET /keep HTTP/1.1\r\nHost: x\r\n\r\n')
    await client.until((t) => t.endsWith('\r\n\r\nx'))
    await withTimeout(done, 2000, "res 'close'")
    assert.strictEqual(client.closed, false)
    client.destroy()
    assert.deepStrictEqual(events, { '/close': ['finish', 'close'], '/keep': ['finish', 'close'] })
  })

  it('writableEnded, finished and writableFinished track the response', async () => {
    const seen = {}
    let finished
    const atFinish = new Promise((resolve) => { finished = resolve })
    const { port } = await serve((req, res) => {
      seen.start = [res.writableEnded, res.finished, res.writableFinished]
      res.write('a')
      seen.written = [res.writableEnded, res.finished, res.writableFinished]
      res.on('finish', () => { seen.finish = [res.writableEnded, res.finished, res.writableFinished]; finished() })
      res.end()
      seen.ended = [res.writableEnded, res.finished]
    })
    await request(port)
    await withTimeout(atFinish, 2000, "'finish'")
    assert.deepStrictEqual(seen, {
      start: [false, false, false],
      written: [false, false, false],
      ended: [true, true],
      finish: [true, true, true]
    })
  })

  it('addTrailers sends the trailer section after the last chunk', async () => {
    const { port } = await serve((req, res) => {
      res.setHeader('Trailer', 'X-Checksum, X-Count')
      res.write('abc')
      res.addTrailers({ 'X-Checksum': 'xyz', 'x-count': 3 })
      res.end('de')
    })
    const text = await raw(port, GET)
    assert.strictEqual(normaliseDate(text),
      'HTTP/1.1 200 OK\r\nTrailer: X-Checksum, X-Count\r\nDate: <date>\r\nConnection: close\r\n' +
      // Node 26 joins the chunks written in one tick into one.
      'Transfer-Encoding: chunked\r\n\r\n' + byLine({ 20: '3\r\nabc\r\n2\r\nde\r\n', 26: '5\r\nabcde\r\n' }) +
      '0\r\nX-Checksum: xyz\r\nx-count: 3\r\n\r\n')
    const { res } = await request(port)
    assert.deepStrictEqual(res.trailers, { 'x-checksum': 'xyz', 'x-count': '3' })
  })

  it('addTrailers with a raw array keeps case and order', async () => {
    const { port } = await serve((req, res) => {
      res.write('a')
      res.addTrailers([['X-B', '2'], ['x-a', '1']])
      res.end()
    })
    const { body } = splitResponse(await raw(port, GET))
    assert.strictEqual(body, '1\r\na\r\n0\r\nX-B: 2\r\nx-a: 1\r\n\r\n')
  })

  it('trailers are dropped when the body is not chunked (Content-Length set)', async () => {
    const { port } = await serve((req, res) => {
      res.setHeader('Content-Length', 3)
      res.write('abc')
      res.addTrailers({ 'X-Dropped': 'yes' })
      res.end()
    })
    const text = await raw(port, GET)
    assert.strictEqual(normaliseDate(text),
      'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nDate: <date>\r\nConnection: close\r\n\r\nabc')
  })

  it('addTrailers with a bad value throws ERR_INVALID_CHAR', async () => {
    const seen = {}
    const { port } = await serve((req, res) => {
      try { res.addTrailers({ 'X-T': 'a\r\nb' }) } catch (err) { seen.code = err.code }
      try { res.addTrailers({ 'bad name': 'v' }) } catch (err) { seen.nameCode = err.code }
      res.end()
    })
    await request(port)
    assert.deepStrictEqual(seen, { code: 'ERR_INVALID_CHAR', nameCode: 'ERR_INVALID_HTTP_TOKEN' })
  })

  it('writeContinue, writeProcessing and writeEarlyHints send interim responses before the final one', async () => {
    const { port } = await serve((req, res) => {
      res.writeContinue()
      res.writeProcessing()
      res.writeEarlyHints({ link: ['</a.css>; rel=preload; as=style', '</b.js>; rel=preload; as=script'] })
      res.end('final')
    })
    const text = await raw(port, GET)
    assert.strictEqual(normaliseDate(text),
      'HTTP/1.1 100 Continue\r\n\r\n' +
      'HTTP/1.1 102 Processing\r\n\r\n' +
      'HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload; as=style, </b.js>; rel=preload; as=script\r\n\r\n' +
      'HTTP/1.1 200 OK\r\nDate: <date>\r\nConnection: close\r\nContent-Length: 5\r\n\r\nfinal')
  })

  it('\'pipe\' and \'unpipe\' are emitted with the source stream', async () => {
    const events = []
    const { port } = await serve((req, res) => {
      const src = new stream.PassThrough()
      res.on('pipe', (s) => events.push(['pipe', s === src]))
      res.on('unpipe', (s) => events.push(['unpipe', s === src]))
      src.pipe(res)
      src.write('a')
      setTimeout(() => {
        src.unpipe(res)
        src.write('not sent')
        res.end('z')
      }, 20)
    })
    const { body } = splitResponse(await raw(port, GET))
    assert.deepStrictEqual(events, [['pipe', true], ['unpipe', true]])
    assert.strictEqual(decodeChunked(body).data, 'az')
  })

  it('a piped source that ends ends the response, then \'unpipe\' follows \'finish\'', async () => {
    const events = []
    const { port } = await serve((req, res) => {
      const src = new stream.PassThrough()
      res.on('pipe', () => events.push('pipe'))
      res.on('finish', () => events.push('finish'))
      res.on('unpipe', () => events.push('unpipe'))
      src.pipe(res)
      src.write('a')
      src.end('b')
    })
    const { body } = splitResponse(await raw(port, GET))
    assert.strictEqual(decodeChunked(body).data, 'ab')
    await waitFor(() => events.length >= 3, 2000, 'unpipe')
    assert.deepStrictEqual(events, ['pipe', 'finish', 'unpipe'])
  })

  it('res.req is the request and res.socket / res.connection its socket', async () => {
    const seen = {}
    const { port } = await serve((req, res) => {
      seen.req = res.req === req
      seen.socket = res.socket === req.socket
      seen.connection = res.connection === req.socket
      seen.hasSocket = res.socket !== null && typeof res.socket === 'object'
      res.end()
    })
    await request(port)
    assert.deepStrictEqual(seen, { req: true, socket: true, connection: true, hasSocket: true })
  })

  it('cork()/uncork() nest and the body is delivered in order', async () => {
    const seen = {}
    const { port } = await serve((req, res) => {
      seen.initial = res.writableCorked
      res.cork()
      res.cork()
      seen.twice = res.writableCorked
      res.write('a')
      res.write('b')
      res.uncork()
      seen.once = res.writableCorked
      res.write('c')
      res.uncork()
      seen.none = res.writableCorked
      res.end('d')
    })
    const { body } = splitResponse(await raw(port, GET))
    assert.deepStrictEqual(seen, { initial: 0, twice: 2, once: 1, none: 0 })
    assert.strictEqual(decodeChunked(body).data, 'abcd')
  })

  it('a HEAD response sends the head only, whatever the handler writes', async () => {
    const seen = {}
    const { port } = await serve((req, res) => {
      seen.ret = res.write('body')
      res.end('more')
    })
    const text = await raw(port, 'HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
    assert.strictEqual(seen.ret, true)
    // No Content-Length and no Transfer-Encoding: Node does not describe the body it drops.
    assert.strictEqual(normaliseDate(text), 'HTTP/1.1 200 OK\r\nDate: <date>\r\nConnection: close\r\n\r\n')
  })

  it('\'finish\' and \'close\' are each emitted once per response', async () => {
    const counts = { finish: 0, close: 0 }
    const { port } = await serve((req, res) => {
      res.on('finish', () => counts.finish++)
      res.on('close', () => counts.close++)
      res.end('bye')
    })
    await request(port)
    await delay(50)
    assert.deepStrictEqual(counts, { finish: 1, close: 1 })
  })
})
