'use strict'
// Issue 9.8: writes left earlier than Node's (COMPAT #24). Node's
// OutgoingMessage#write corks the response's socket for the rest of the
// tick, so what a handler writes in one tick leaves together at its end, and
// a destroy before then sends nothing: the client sees no response at all.
// uvhttp sent a response's write() at once (or, inside the engine's batch,
// flushed it when the socket closed), so the client saw a 200 whose body
// was cut. A plain socket.write() is not corked in Node and still leaves
// before a destroy, and so does the canned 400. Each case runs against
// node:http too, and the bytes on the wire must be the same.
const assert = require('assert')
const net = require('net')
const realHttp = require('http')
const { Readable } = require('stream')
const Fastify = require('fastify')
const { eachImpl } = require('../helpers/impls')
const { listen, close, normaliseDate } = require('../helpers/net')
const { withTimeout } = require('../helpers/req-util')

const GET = 'GET / HTTP/1.1\r\nHost: x\r\n\r\n'
const BIG = Buffer.alloc(100 * 1024, 'b')

/**
 * Serves one request (`request`, raw) with `handler` on a server of
 * `httpModule`; resolves everything the client received (Date normalised)
 * once the server closed the connection, or once `until` is in it.
 */
async function exchange (httpModule, handler, { request = GET, until } = {}) {
  const server = httpModule.createServer(handler)
  const port = await listen(server)
  try {
    return await withTimeout(new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1')
      const chunks = []
      const text = () => normaliseDate(Buffer.concat(chunks).toString('latin1'))
      socket.on('data', (chunk) => {
        chunks.push(chunk)
        if (until !== undefined && text().endsWith(until)) socket.destroy()
      })
      socket.on('error', reject)
      socket.on('close', () => resolve(text()))
      socket.write(request)
    }), 3000, 'the exchange')
  } finally {
    await close(server)
  }
}

/** The same exchange on node:http and on `http`; resolves uvhttp's bytes once they equal Node's. */
async function sameAsNode (http, handler, options) {
  const expected = await exchange(realHttp, handler, options)
  const actual = await exchange(http, handler, options)
  assert.strictEqual(actual, expected)
  return actual
}

eachImpl('regression: issue 9.8, a response\'s writes leave at the end of the tick', (http) => {
  it('sends nothing when the handler writes and destroys the socket in its own tick', async () => {
    const got = await sameAsNode(http, (req, res) => { res.write('hello'); res.socket.destroy() })
    assert.strictEqual(got, '')
  })

  it('sends nothing when a later tick writes and destroys the response', async () => {
    const got = await sameAsNode(http, (req, res) => setImmediate(() => { res.write('hello'); res.destroy() }))
    assert.strictEqual(got, '')
  })

  it('sends nothing of a large write destroyed in its tick, in the handler\'s tick or a later one', async () => {
    assert.strictEqual(await sameAsNode(http, (req, res) => { res.write(BIG); res.destroy() }), '')
    assert.strictEqual(await sameAsNode(http, (req, res) => setImmediate(() => { res.write(BIG); res.destroy() })), '')
  })

  it('sends small and large writes of one tick in the order written, chunked or with a length', async () => {
    const big = (c) => Buffer.alloc(20 * 1024, c)
    const parts = ['a', big('B'), 'c', big('D'), Buffer.from('e')]
    const length = parts.reduce((n, p) => n + Buffer.byteLength(p), 0)
    for (const headers of [{}, { 'Content-Length': length }]) {
      const got = await sameAsNode(http, (req, res) => {
        res.writeHead(200, headers)
        for (const part of parts) res.write(part)
        setImmediate(() => res.end())
      }, { until: headers['Content-Length'] ? 'e' : '0\r\n\r\n' })
      const body = got.slice(got.indexOf('\r\n\r\n') + 4)
      const expected = Buffer.concat(parts.map((p) => Buffer.from(p))).toString('latin1')
      assert.strictEqual(headers['Content-Length'] ? body : body.replace(/(?:^|\r\n)[0-9a-f]+\r\n/g, ''), expected + (headers['Content-Length'] ? '' : '\r\n'))
    }
  })

  it('sends what was written once the tick has ended, even if a destroy follows', async () => {
    const got = await sameAsNode(http, (req, res) => setImmediate(() => {
      res.write('hello')
      setImmediate(() => res.destroy())
    }))
    assert.match(got, /^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\n5\r\nhello\r\n$/)
  })

  it('sends the same bytes for writes in one tick and end() in a later one', async () => {
    const got = await sameAsNode(http, (req, res) => setImmediate(() => {
      res.write('hel')
      res.write(BIG)
      res.write('lo')
      setImmediate(() => res.end('bye'))
    }), { until: '0\r\n\r\n' })
    assert.ok(got.endsWith('\r\n3\r\nbye\r\n0\r\n\r\n'), got.slice(-100))
  })

  it('sends the same bytes for write() and end() in the same tick, in the handler and later', async () => {
    const handler = (req, res) => { res.write('a'); res.write(BIG); res.end('z') }
    await sameAsNode(http, handler, { until: '0\r\n\r\n' })
    await sameAsNode(http, (req, res) => setImmediate(handler, req, res), { until: '0\r\n\r\n' })
  })

  it('still sends what the application writes to the socket itself before destroying it', async () => {
    const raw = (req, res) => { req.socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'); req.socket.destroy() }
    assert.strictEqual(await sameAsNode(http, raw), 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok')
    assert.strictEqual(await sameAsNode(http, (req, res) => setImmediate(raw, req, res)), 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok')
  })

  it('still sends the canned 400 it writes before destroying the socket', async () => {
    const got = await sameAsNode(http, () => assert.fail('no request'), { request: 'GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n' })
    assert.strictEqual(got, 'HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n')
  })

  it('Fastify: reply.send(stream) of a stream that errors in the tick of its first chunk sends no response', async () => {
    const app = Fastify({ serverFactory: (handler) => http.createServer(handler) })
    app.get('/', (request, reply) => {
      reply.send(new Readable({ read () { this.push('first chunk'); this.destroy(new Error('boom')) } }))
    })
    await app.listen({ port: 0, host: '127.0.0.1' })
    try {
      const outcome = await withTimeout(fetch(`http://127.0.0.1:${app.server.address().port}/`)
        .then(async (res) => `status ${res.status}, body ${await res.text()}`, (err) => err.message), 3000, 'fetch')
      assert.strictEqual(outcome, 'fetch failed')
    } finally {
      await app.close()
    }
  })
})
