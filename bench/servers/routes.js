'use strict'
// The scenarios' routes, written once against the http-shaped API only
// (req/res as Node documents them), so every implementation runs the same code.
// Used by app.js; its paths and sizes also by floor.js (which serves the same
// answers without the http API) and the scenarios, so they live in one place.

const HELLO = Buffer.from('Hello, World!')
const BIG_TOTAL = 1024 * 1024 // S5: 1 MiB response
const BIG_CHUNK_SIZE = 64 * 1024 // written 64 KiB at a time
const BIG_CHUNK = Buffer.alloc(BIG_CHUNK_SIZE, 'x')

const PATHS = Object.freeze({ hello: '/', length: '/length', big: '/big' })

function hello (req, res) {
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': HELLO.length })
  res.end(HELLO)
}

// S3: read the whole body through the Readable API and answer with its size,
// so the implementation's body path (not just the head path) is measured.
function length (req, res) {
  let n = 0
  req.on('data', (chunk) => { n += chunk.length })
  req.on('end', () => {
    const body = String(n)
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': body.length })
    res.end(body)
  })
}

// S5: stream 1 MiB honouring backpressure: stop when write() returns false and
// continue on 'drain', as a well-behaved application must (DESIGN.md §6).
function big (req, res) {
  res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': BIG_TOTAL })
  let sent = 0
  const pump = () => {
    while (sent < BIG_TOTAL) {
      sent += BIG_CHUNK.length
      if (sent >= BIG_TOTAL) return res.end(BIG_CHUNK)
      if (!res.write(BIG_CHUNK)) return res.once('drain', pump)
    }
  }
  pump()
}

function notFound (req, res) {
  req.resume()
  res.writeHead(404, { 'Content-Length': 0 })
  res.end()
}

function route (req, res) {
  // Ignore any query string: wrk always asks for the bare path.
  switch (req.url) {
    case PATHS.hello: return hello(req, res)
    case PATHS.length: return length(req, res)
    case PATHS.big: return big(req, res)
    default: return notFound(req, res)
  }
}

module.exports = { route, PATHS, HELLO, BIG_TOTAL, BIG_CHUNK_SIZE }
