'use strict'
// Run as `node -r uvhttp/register register-express-child.js <file>` by
// test/frameworks: an unchanged Express program (it only requires http and
// express), which reports on stdout whether its server, requests and
// responses were uvhttp's, and what a few requests got.
const http = require('http')
const net = require('net')
const express4 = require('express')
const express5 = require('express5')

const file = process.argv[2]

function app (express) {
  const a = express()
  a.use(express.json())
  a.get('/users/:id', (req, res) => res.json({ id: req.params.id, q: req.query.q }))
  a.post('/echo', (req, res) => res.status(201).json({ got: req.body, type: req.get('content-type') }))
  a.get('/file', (req, res, next) => res.sendFile(file, (err) => err && next(err)))
  a.get('/boom', () => { throw new Error('kaboom') })
  a.get('/next-error', (req, res, next) => setImmediate(() => next(Object.assign(new Error('later'), { status: 418 }))))
  a.use((err, req, res, next) => res.status(err.status || 500).json({ error: err.message }))
  return a
}

/** One request over a plain socket (the client side is not what this checks): resolves status and body. */
function get (port, { method = 'GET', path = '/', headers = {}, body = '' } = {}) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1')
    const chunks = []
    socket.on('data', (c) => chunks.push(c))
    socket.on('error', reject)
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1')
      const head = text.slice(0, text.indexOf('\r\n\r\n'))
      let rest = text.slice(head.length + 4)
      if (/\r\ntransfer-encoding: chunked/i.test(head)) {
        let decoded = ''
        for (;;) {
          const eol = rest.indexOf('\r\n')
          const size = parseInt(rest.slice(0, eol), 16)
          if (!size) break
          decoded += rest.slice(eol + 2, eol + 2 + size)
          rest = rest.slice(eol + 4 + size)
        }
        rest = decoded
      }
      resolve({ status: Number(head.split(' ')[1]), body: Buffer.from(rest, 'latin1').toString() })
    })
    const data = Buffer.from(body)
    let text = `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: ${data.length}\r\n`
    for (const [name, value] of Object.entries(headers)) text += `${name}: ${value}\r\n`
    socket.write(Buffer.concat([Buffer.from(text + '\r\n', 'latin1'), data]))
  })
}

async function run (express) {
  const classes = {}
  const a = app(express)
  a.use((req, res, next) => next())
  const server = http.createServer(a)
  server.prependListener('request', (req, res) => {
    const uvhttp = require('uvhttp')
    classes.server = server instanceof uvhttp.Server
    classes.request = req instanceof uvhttp.IncomingMessage
    classes.response = res instanceof uvhttp.ServerResponse
    classes.onUvhttp = uvhttp.versions.uvhttp !== undefined && http.IncomingMessage === uvhttp.IncomingMessage
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = server.address().port
  const answers = []
  for (const r of [
    { path: '/users/42?q=x' },
    { method: 'POST', path: '/echo', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ a: [1, 2], s: 'h\u00e9' }) },
    { path: '/file' },
    { path: '/file', headers: { Range: 'bytes=10-19' } },
    { path: '/boom' },
    { path: '/next-error' },
    { path: '/nope' },
  ]) answers.push(await get(port, r))
  await new Promise((resolve) => server.close(resolve))
  return { classes, answers }
}

;(async () => {
  const out = { express4: await run(express4), express5: await run(express5) }
  process.stdout.write(JSON.stringify(out))
})().catch((err) => {
  process.stderr.write(String(err && err.stack))
  process.exit(1)
})
