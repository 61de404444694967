'use strict'
// The application npm run stress serves: a small answer on every path but
// one, and /endless, a response that never ends, written with backpressure
// (stop at write() === false, go on at 'drain') as a well-behaved
// application streams; stats() says how many bytes it handed to write(),
// which stops growing when the clients stop reading, and how many requests
// the server timed out (408), counted where the server decides it: its
// 'clientError', observed without a listener so the default answer goes out.
// A client that is still sending when the server closes may be reset before
// it reads that answer, so the server's count is the one that says it answered.
const HELLO = Buffer.from('Hello, World!')
const CHUNK = Buffer.alloc(64 * 1024, 'e')

let streamed = 0
let streams = 0
let timedOut = 0

function endless (res) {
  streams++
  res.writeHead(200, { 'Content-Type': 'application/octet-stream' })
  let closed = false
  res.on('close', () => { closed = true; streams-- })
  const pump = () => {
    while (!closed) {
      streamed += CHUNK.length
      if (!res.write(CHUNK)) return res.once('drain', pump)
    }
  }
  pump()
}

function createApp (http, options) {
  const server = http.createServer(options, (req, res) => {
    req.resume()
    if (req.url === '/endless') return endless(res)
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': HELLO.length })
    res.end(HELLO)
  })
  const emit = server.emit
  server.emit = function (event, err) {
    if (event === 'clientError' && err.code === 'ERR_HTTP_REQUEST_TIMEOUT') timedOut++
    return emit.apply(this, arguments)
  }
  return server
}

function stats () {
  return { streamed, streams, timedOut }
}

module.exports = { createApp, stats }
