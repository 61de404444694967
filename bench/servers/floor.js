'use strict'
// The `floor` server (issue 10): the engine with trivial JS,
// `node floor.js <package root>`. No IncomingMessage, no ServerResponse: an
// onBatch that walks the records and answers each request with one
// conn.write() of a prebuilt response, so a run shows what the engine costs
// when the JS above it costs (almost) nothing. It serves what app.js serves,
// so every server scenario runs against it:
//   GET /        S1, S2, S4: 13-byte hello; Connection: close when the
//                request asked for it (the write then ends the connection)
//   POST /length S3: the body is read (its BODY records counted), the answer
//                is its length
//   GET /big     S5: 1 MiB as 16 writes of 64 KiB, waiting for DRAIN whenever
//                the kernel did not take a write whole
// A request is answered at its END record (a GET's END comes in the same
// batch as its HEAD), in order; a request behind an unfinished 1 MiB answer
// waits for it.

const { fail, ready } = require('./announce')
const { loadEngine } = require('../floor-binding')
const { PATHS, BIG_TOTAL, BIG_CHUNK_SIZE, HELLO } = require('./routes')

const binding = loadEngine(process.argv[2] || fail('usage: node floor.js <package root>'))
const C = binding.constants

const head = (status, type, length, close) => `HTTP/1.1 ${status}\r\n` +
  (type ? `Content-Type: ${type}\r\n` : '') + `Content-Length: ${length}\r\n` + (close ? 'Connection: close\r\n' : '') + '\r\n'
const HELLO_KEEP = head('200 OK', 'text/plain', HELLO.length, false) + HELLO
const HELLO_CLOSE = head('200 OK', 'text/plain', HELLO.length, true) + HELLO
const NOT_FOUND = head('404 Not Found', null, 0, false)
const BAD_REQUEST = head('400 Bad Request', null, 0, true)
const BIG_HEAD = head('200 OK', 'application/octet-stream', BIG_TOTAL, false)
const BIG_CHUNK = Buffer.alloc(BIG_CHUNK_SIZE, 'x')

class FloorConnection {
  constructor (conn) {
    this.conn = conn
    this.url = ''
    this.keepAlive = true
    this.bodyBytes = 0
    this.bigLeft = 0 // bytes of a 1 MiB answer still to write
    this.waiting = [] // [url, bodyBytes, keepAlive] of requests behind it
  }

  onBatch (b) {
    for (let i = 0; i < b.length;) {
      switch (b[i]) {
        case C.kEvHead:
          this.url = b[i + 2]
          this.keepAlive = (b[i + 6] & C.kHeadKeepAlive) !== 0
          this.bodyBytes = 0
          i += 7 + b[i + 3]
          break
        case C.kEvBody: this.bodyBytes += b[i + 1].length; i += 2; break
        case C.kEvEnd:
          if (this.bigLeft > 0) this.waiting.push([this.url, this.bodyBytes, this.keepAlive])
          else this.answer(this.url, this.bodyBytes, this.keepAlive)
          i += 2 + Math.max(b[i + 1], 0)
          break
        case C.kEvDrain: this.pump(); i += 1; break
        case C.kEvEof: this.conn.shutdown(); i += 1; break
        case C.kEvParseError: this.conn.write(BAD_REQUEST, null, null, C.kWriteEnd); i += 5; break
        case C.kEvIoError: this.conn.close(); i += 3; break
        case C.kEvClose: this.waiting.length = 0; i += 1; break
        default: i = b.length // DATA and CONNECT: not on a server without upgrades
      }
    }
  }

  answer (url, bodyBytes, keepAlive) {
    const end = keepAlive ? 0 : C.kWriteEnd
    if (url === PATHS.hello) {
      this.conn.write(keepAlive ? HELLO_KEEP : HELLO_CLOSE, null, null, end)
    } else if (url === PATHS.length) {
      const body = String(bodyBytes)
      this.conn.write(head('200 OK', 'text/plain', body.length, !keepAlive), body, null, end)
    } else if (url === PATHS.big) {
      this.conn.write(BIG_HEAD, null, null, 0)
      this.bigLeft = BIG_TOTAL
      this.bigKeepAlive = keepAlive
      this.pump()
    } else {
      this.conn.write(NOT_FOUND, null, null, end)
    }
  }

  /** Writes the 1 MiB answer on until the kernel refuses some (DRAIN resumes it), then what waited behind it. */
  pump () {
    while (this.bigLeft > 0) {
      this.bigLeft -= BIG_CHUNK.length
      const last = this.bigLeft === 0
      const queued = this.conn.write(null, BIG_CHUNK, null, last && !this.bigKeepAlive ? C.kWriteEnd : 0)
      if (queued < 0) { this.bigLeft = 0; this.waiting.length = 0; return }
      if (queued > 0 && !last) return
    }
    while (this.waiting.length && this.bigLeft === 0) this.answer(...this.waiting.shift())
  }
}

const owner = { onConnection: (conn) => new FloorConnection(conn) }
const listener = new binding.Listener(owner)
const r = listener.listen(4, '127.0.0.1', 0, 511, 0)
if (r !== 0) fail(`listen: errno ${r}`, 3)
const addr = {}
listener.sockName(addr)
ready(addr.port)
