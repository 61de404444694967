'use strict'
// The client scenarios' fixed, fast peer: a raw `net` server answering every
// request with a prebuilt keep-alive response, so the client under test is
// the only variable. `node fixed-server.js` (protocol: announce.js).
//   GET /     C1, C3: 200 with the 2-byte body "ok"
//   any /16k  C2:     200 with a 16 KiB body
// It reads just enough HTTP for that: each request head up to "\r\n\r\n",
// its Content-Length (a body is skipped, and the request answered once the
// body is in), and the path; all answers due after one read leave in one
// write. Chunked request bodies are not understood (no client sends one).

const net = require('net')

const PATHS = Object.freeze({ small: '/', big: '/16k' })
const BODY_BYTES = Object.freeze({ [PATHS.small]: 2, [PATHS.big]: 16 * 1024 })
const response = (n) => Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${n}\r\n\r\n`), Buffer.alloc(n, 'o')])
const SMALL = response(BODY_BYTES[PATHS.small])
const BIG = response(BODY_BYTES[PATHS.big])
const HEAD_END = Buffer.from('\r\n\r\n')
const CONTENT_LENGTH = /\r\ncontent-length:[ \t]*(\d+)/i

function serve (socket) {
  let rest = null // an incomplete head, kept until the next read
  let skip = 0 // body bytes of the current request still to come
  let due = null // its answer, sent once the body is in
  socket.on('data', (chunk) => {
    const buf = rest ? Buffer.concat([rest, chunk]) : chunk
    rest = null
    const out = []
    let pos = 0
    for (;;) {
      if (skip > 0) {
        const n = Math.min(skip, buf.length - pos)
        skip -= n
        pos += n
        if (skip > 0) break
      }
      if (due) { out.push(due); due = null }
      const end = buf.indexOf(HEAD_END, pos)
      if (end === -1) {
        if (pos < buf.length) rest = buf.subarray(pos)
        break
      }
      const head = buf.toString('latin1', pos, end)
      const m = CONTENT_LENGTH.exec(head)
      skip = m ? Number(m[1]) : 0
      const sp = head.indexOf(' ')
      due = head.slice(sp + 1, head.indexOf(' ', sp + 1)) === PATHS.big ? BIG : SMALL
      pos = end + HEAD_END.length
    }
    if (out.length) socket.write(out.length === 1 ? out[0] : Buffer.concat(out))
  })
  socket.on('error', () => {}) // clients reset idle sockets at exit
}

if (require.main === module) {
  require('./announce').listen(net.createServer({ noDelay: true }, serve))
}

module.exports = { PATHS, BODY_BYTES }
