'use strict'
// C1's fixed, fast peer: a raw `net` server that answers every request with
// the same 2-byte keep-alive response, so the client under test is the only
// variable. It counts request ends ("\r\n\r\n") per read and replies to all
// of them with one write; it only understands body-less requests (C1 sends
// GETs). `node fixed-server.js` prints {"port":N} when listening.

const net = require('net')

const RESPONSE = Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok')
const END = Buffer.from('\r\n\r\n')
// Replies for up to 64 pipelined requests prebuilt; more are rare and built then.
const BATCHES = Array.from({ length: 65 }, (_, n) => Buffer.concat(Array(n).fill(RESPONSE)))

function countEnds (buf) {
  let n = 0
  for (let i = buf.indexOf(END); i !== -1; i = buf.indexOf(END, i + END.length)) n++
  return n
}

const server = net.createServer({ noDelay: true }, (socket) => {
  // The last 3 bytes of a read may begin a "\r\n\r\n" that the next completes.
  let tail = Buffer.alloc(0)
  socket.on('data', (chunk) => {
    const buf = tail.length ? Buffer.concat([tail, chunk]) : chunk
    const n = countEnds(buf)
    const last = buf.lastIndexOf(END)
    const from = Math.max(last === -1 ? 0 : last + END.length, buf.length - 3)
    tail = Buffer.from(buf.subarray(from))
    if (n > 0) socket.write(n < BATCHES.length ? BATCHES[n] : Buffer.concat(Array(n).fill(RESPONSE)))
  })
  socket.on('error', () => {}) // clients reset idle sockets at exit
})

server.listen(0, '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ port: server.address().port }) + '\n')
})
process.on('SIGTERM', () => process.exit(0))
process.on('SIGINT', () => process.exit(0))
