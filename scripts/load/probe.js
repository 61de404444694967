'use strict'
// Normal requests while the server is under attack (npm run stress): a few
// keep-alive connections, each sending GET / and waiting for the whole
// answer before the next, for a given time. Resolves the latencies (ms) and
// the failures. Raw sockets keep the client's own cost small and constant.
const net = require('net')

const REQUEST = 'GET / HTTP/1.1\r\nHost: probe\r\n\r\n'
const ANSWER_END = 'Hello, World!'

function probeConnection (port, until, latencies, failures) {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1')
    let text = ''
    let sentAt = 0n
    const send = () => {
      if (Date.now() >= until()) { s.destroy(); return }
      text = ''
      sentAt = process.hrtime.bigint()
      s.write(REQUEST)
    }
    const timer = setInterval(() => {
      if (sentAt !== 0n && process.hrtime.bigint() - sentAt > 10_000_000_000n) { failures.push('no answer in 10 s'); s.destroy() }
    }, 1000)
    s.on('connect', send)
    s.on('data', (d) => {
      text += d
      if (!text.endsWith(ANSWER_END)) return
      latencies.push(Number(process.hrtime.bigint() - sentAt) / 1e6)
      sentAt = 0n
      send()
    })
    s.on('error', (err) => failures.push(err.message))
    s.on('close', () => {
      clearInterval(timer)
      if (sentAt !== 0n && Date.now() < until()) failures.push('closed while waiting')
      resolve()
    })
  })
}

/** Probes on `connections` connections until `until()` is past: { latencies, failures }. */
async function probe (port, until, connections = 4) {
  const latencies = []
  const failures = []
  await Promise.all(Array.from({ length: connections }, () => probeConnection(port, until, latencies, failures)))
  return { latencies, failures }
}

/** The p-th percentile (0..100) of numbers. */
function percentile (values, p) {
  if (values.length === 0) return NaN
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]
}

module.exports = { probe, percentile }
