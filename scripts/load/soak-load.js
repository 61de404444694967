'use strict'
// The mixed load of npm run soak, against soak-app.js: well-behaved clients
// (keep-alive GETs through Node's Agent, pipelined bursts on raw sockets,
// uploads of random sizes with Content-Length or chunked, a connection per
// request, 1 MiB downloads, upgrades that echo) and misbehaving ones (a
// pipelined burst and the start of a body, then a reset or a close after 0
// to 6 ms). Each kind runs a few at a time until `until`; every reply of a
// well-behaved client is checked, and anything wrong counts as an error.
const http = require('http')
const net = require('net')

const HELLO = 'Hello, World!'
const GET = 'GET / HTTP/1.1\r\nHost: soak\r\n\r\n'

/** Runs `op` `concurrency` at a time until the deadline; counts successes and errors under `name`. */
async function loop (stats, name, concurrency, until, op) {
  stats[name] = stats[name] || { ok: 0, errors: 0 }
  const s = stats[name]
  let n = 0
  const worker = async () => {
    while (Date.now() < until()) {
      try {
        await op(n++)
        s.ok++
      } catch (err) {
        s.errors++
        if (stats.firstErrors.length < 5) stats.firstErrors.push(`${name}: ${err.message}`)
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
}

/** One request with Node's client; resolves { status, body }. */
function request (options, body) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', ...options }, (res) => {
      const chunks = []
      res.on('data', (c) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks) }))
      res.on('error', reject)
    })
    req.setTimeout(30000, () => req.destroy(new Error('no answer in 30 s')))
    req.on('error', reject)
    if (body === undefined) return req.end()
    if (options.headers && options.headers['Content-Length'] !== undefined) return req.end(body)
    // Chunked, in pieces.
    for (let i = 0; i < body.length; i += 16384) req.write(body.subarray(i, i + 16384))
    req.end()
  })
}

function expect (cond, what) {
  if (!cond) throw new Error(what)
}

/** A raw connection; resolves once connected. */
function connect (port) {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => { s.removeListener('error', reject); resolve(s) })
    s.once('error', reject)
  })
}

/** Resolves the text received on `s` once `done(text)` holds; rejects on close or after 30 s. */
function receive (s, done) {
  return new Promise((resolve, reject) => {
    let text = ''
    const finish = (err) => {
      clearTimeout(timer)
      s.removeListener('data', onData)
      s.removeListener('close', onClose)
      if (err) reject(err)
      else resolve(text)
    }
    const onData = (d) => { text += d.toString('latin1'); if (done(text)) finish() }
    const onClose = () => finish(new Error(`closed after ${text.length} bytes`))
    const timer = setTimeout(() => finish(new Error('no answer in 30 s')), 30000)
    s.on('data', onData)
    s.on('close', onClose)
  })
}

const count = (text, what) => text.split(what).length - 1

/** Starts every kind of client against port; resolves when all have stopped (after until()). */
function runLoad (port, until, stats) {
  stats.firstErrors = stats.firstErrors || []
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 })
  const kinds = [
    loop(stats, 'keep-alive', 8, until, async () => {
      const { status, body } = await request({ port, path: '/', agent })
      expect(status === 200 && body.toString() === HELLO, `keep-alive GET: ${status} ${body}`)
    }),
    loop(stats, 'pipelined', 2, until, async () => {
      const s = await connect(port)
      s.on('error', () => {})
      try {
        for (let round = 0; round < 20; round++) {
          s.write(GET.repeat(16))
          await receive(s, (t) => count(t, HELLO) >= 16)
        }
      } finally {
        s.destroy()
      }
    }),
    loop(stats, 'uploads', 4, until, async (n) => {
      const size = 1 + ((n * 7919) % (256 * 1024))
      const body = Buffer.alloc(size, 'u')
      const headers = n % 2 ? { 'Content-Length': size } : {}
      const { status, body: answer } = await request({ port, method: 'POST', path: '/length', headers, agent }, body)
      expect(status === 200 && answer.toString() === String(size), `upload of ${size}: ${status} ${answer}`)
    }),
    loop(stats, 'connection: close', 2, until, async () => {
      const { status, body } = await request({ port, path: '/', agent: false })
      expect(status === 200 && body.toString() === HELLO, `GET with a connection of its own: ${status}`)
    }),
    loop(stats, '1 MiB downloads', 1, until, async () => {
      const { status, body } = await request({ port, path: '/big', agent })
      expect(status === 200 && body.length === 1024 * 1024, `/big: ${status}, ${body.length} bytes`)
    }),
    loop(stats, 'upgrades', 2, until, async (n) => {
      const s = await connect(port)
      s.on('error', () => {})
      try {
        s.write('GET /echo HTTP/1.1\r\nHost: soak\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n')
        await receive(s, (t) => t.includes('\r\n\r\n'))
        const messages = Array.from({ length: 5 }, (_, i) => `ping ${n}.${i};`).join('')
        s.write(messages)
        const echoed = await receive(s, (t) => t.length >= messages.length)
        expect(echoed === messages, `upgrade echo: ${JSON.stringify(echoed)}`)
        s.end()
      } finally {
        s.destroy()
      }
    }),
    loop(stats, 'aborted mid-body', 4, until, async (n) => {
      const s = await connect(port)
      s.on('error', () => {})
      // A pipelined burst, then a body that never completes; a reset or a close.
      s.write(GET.repeat(1 + (n % 40)) + 'POST /length HTTP/1.1\r\nHost: soak\r\nContent-Length: 100000\r\n\r\n' + 'x'.repeat(n % 5000))
      await new Promise((resolve) => setTimeout(resolve, n % 7))
      if (n % 2) s.resetAndDestroy()
      else s.destroy()
    }),
  ]
  return Promise.all(kinds).finally(() => agent.destroy())
}

module.exports = { runLoad }
