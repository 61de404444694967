'use strict'
// The misbehaving clients of npm run stress, in a process of their own so
// that their work is not charged to the server or to the probe that times
// normal requests. Forked by stress.js; one command at a time over IPC:
//   {cmd: 'slowloris', port, count, byteMs, limitMs}: `count` connections
//     send a request line, then one byte of a header every `byteMs`, never
//     finishing; reports, per connection, what came back and when it closed
//     (ms after it connected). Those still open after limitMs are destroyed.
//   {cmd: 'slowReaders', port, count}: `count` connections ask for /endless
//     and never read a byte; {cmd: 'release'} destroys them.
//   {cmd: 'idle', port, count}: `count` keep-alive connections make one
//     request each, read the answer and stay open, idle; {cmd: 'release'}.
// Connections are opened 100 at a time (the server's accept backlog).
const net = require('net')

const held = new Set()

function open (port) {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1')
    s.on('error', () => {})
    s.once('connect', () => resolve(s))
    s.once('close', () => resolve(s))
  })
}

async function openMany (port, count, each) {
  const out = []
  for (let i = 0; i < count; i += 100) {
    const batch = await Promise.all(Array.from({ length: Math.min(100, count - i) }, () => open(port)))
    for (const s of batch) { held.add(s); out.push(s); s.once('close', () => held.delete(s)) }
    if (each) await Promise.all(batch.map(each))
  }
  return out
}

async function slowloris ({ port, count, byteMs, limitMs }) {
  const results = []
  const sockets = await openMany(port, count, async (s) => {
    const r = { connectedAt: Date.now(), status: null, closedAfter: null }
    results.push(r)
    let text = ''
    s.on('data', (d) => { text += d; if (r.status === null) r.status = text.split('\r\n')[0] })
    s.once('close', () => { r.closedAfter = Date.now() - r.connectedAt })
    if (!s.destroyed) s.write('GET / HTTP/1.1\r\nHost: x\r\n')
  })
  // One byte per connection every byteMs, spread over the interval.
  const header = 'X-Slow: ' + 'a'.repeat(100000)
  let i = 0
  const ticker = setInterval(() => {
    for (const s of sockets) if (!s.destroyed) s.write(header[i % header.length])
    i++
  }, byteMs)
  const deadline = Date.now() + limitMs
  while (results.some((r) => r.closedAfter === null) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100))
  clearInterval(ticker)
  for (const s of sockets) s.destroy()
  return { count: results.length, results: results.map((r) => ({ status: r.status, closedAfter: r.closedAfter })) }
}

async function slowReaders ({ port, count }) {
  let connected = 0
  await openMany(port, count, async (s) => {
    if (s.destroyed) return
    connected++
    s.pause() // never read: the kernel's buffers fill, then the server's writes stall
    s.write('GET /endless HTTP/1.1\r\nHost: x\r\n\r\n')
  })
  return { connected }
}

async function idle ({ port, count }) {
  let answered = 0
  await openMany(port, count, (s) => new Promise((resolve) => {
    if (s.destroyed) return resolve()
    let text = ''
    const onData = (d) => {
      text += d
      if (text.includes('Hello, World!')) { answered++; s.removeListener('data', onData); resolve() }
    }
    s.on('data', onData)
    s.once('close', resolve)
    s.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n')
  }))
  return { answered, open: held.size }
}

async function release () {
  const all = [...held]
  await Promise.all(all.map((s) => new Promise((resolve) => { s.once('close', resolve); s.destroy() })))
  return { released: all.length }
}

const commands = { slowloris, slowReaders, idle, release }
process.on('message', async (msg) => {
  process.send({ id: msg.id, result: await commands[msg.cmd](msg) })
})
process.on('disconnect', () => process.exit(0))
