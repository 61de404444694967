'use strict'
// Issue 9.0: a keep-alive connection stopped reading after a 16–64 KiB
// request body. The body arrived in the read that also held its end; its
// push() went over the request's highWaterMark (16 KiB), so reading paused
// for backpressure, and nothing resumed it: an ended request never calls
// _read again. Node resumes reading at every message's end
// (parserOnMessageComplete: readStart), so the next request on the
// connection is answered at once. Here every body size around the
// highWaterMark and the engine's read buffer (64 KiB, native/constants.h),
// delivered in one write or split at those sizes, read by the handler in
// each of the ways applications read, must leave the connection serving the
// next request; on the engine's own sockets and on a net.Socket the
// application hands over (server.emit('connection'), read through
// socket.pause()/resume()).
const assert = require('assert')
const net = require('net')
const stream = require('stream')
const { eachImpl } = require('../helpers/impls')
const { listen, close } = require('../helpers/net')
const { rawConnect } = require('../helpers/req-raw')
const { serverPool } = require('../helpers/req-util')

const HWM = 16 * 1024
const READ_BUFFER = 64 * 1024
const head = (n) => `POST / HTTP/1.1\r\nHost: x\r\nContent-Length: ${n}\r\n\r\n`
// Bodies that, with their head, end just before, at and after each boundary.
const fill = (n) => n - head(n).length
const SIZES = [1, 1000, HWM - 1, HWM, HWM + 1, 20000, 2 * HWM, fill(READ_BUFFER) - 1, fill(READ_BUFFER),
  fill(READ_BUFFER) + 1, READ_BUFFER, 70000, 2 * READ_BUFFER + 3]

/** How the client delivers head and body: a list of pieces, each one write. */
const SPLITS = {
  'in one write': (h, b) => [Buffer.concat([h, b])],
  'head, then the body': (h, b) => [h, b],
  'head with 16 KiB of body, then the rest': (h, b) => [Buffer.concat([h, b.subarray(0, HWM)]), b.subarray(HWM)],
  'head with 64 KiB of body, then the rest': (h, b) => [Buffer.concat([h, b.subarray(0, READ_BUFFER)]), b.subarray(READ_BUFFER)]
}

/** How the handler reads the body; each answers with what it read ("unread" if nothing). */
const READERS = {
  'not at all': (req, res) => res.end('unread'),
  "with 'data'": (req, res) => {
    let n = 0
    req.on('data', (c) => { n += c.length })
    req.on('end', () => res.end(String(n)))
  },
  'by piping into a slow Writable': (req, res) => {
    let n = 0
    const sink = new stream.Writable({ highWaterMark: 1024, write (c, e, cb) { n += c.length; setImmediate(cb) } })
    sink.on('finish', () => res.end(String(n)))
    req.pipe(sink)
  },
  'paused, then resumed late': (req, res) => {
    let n = 0
    req.pause()
    req.on('data', (c) => { n += c.length })
    req.on('end', () => res.end(String(n)))
    setTimeout(() => req.resume(), 30)
  }
}

eachImpl('regression: issue 9.0, a keep-alive connection reads on after a request body', (http) => {
  const pool = serverPool()
  const fronts = []
  afterEach(async () => {
    await pool.closeAll()
    await Promise.all(fronts.splice(0).map(close))
  })

  /** The engine's own socket, or a net.Socket accepted by a front server and handed over. */
  const TRANSPORTS = {
    '': (handler) => pool.start(http, handler),
    ' on a net.Socket handed over': async (handler) => {
      const { server } = await pool.start(http, handler)
      const front = net.createServer((socket) => server.emit('connection', socket))
      fronts.push(front)
      return { port: await listen(front) }
    }
  }

  for (const [transportName, start] of Object.entries(TRANSPORTS)) {
    for (const [readerName, reader] of Object.entries(READERS)) {
      for (const [splitName, split] of Object.entries(SPLITS)) {
        it(`answers the next request after a body read ${readerName}, sent ${splitName}${transportName}`, async function () {
          this.timeout(30000)
          const { port } = await start((req, res) => {
            if (req.method === 'GET') res.end('next')
            else reader(req, res)
          })
          for (const size of SIZES) {
            const body = Buffer.alloc(size, 'b')
            const c = await rawConnect(port, split(Buffer.from(head(size)), body), 5)
            const first = readerName === 'not at all' ? 'unread' : String(size)
            await c.waitFor((text) => text.endsWith(`\r\n\r\n${first}`), 3000)
              .catch((err) => assert.fail(`${size} bytes: no answer to the POST (${err.message.slice(0, 200)})`))
            await c.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n')
            await c.waitFor((text) => text.endsWith('\r\n\r\nnext'), 3000)
              .catch(() => assert.fail(`${size} bytes: the GET that followed on the connection was never answered`))
            c.destroy()
          }
        })
      }
    }
  }
})
