'use strict'
// Runs wrk (one thread, pinned to a core) and turns its text output into numbers.
// wrk's own report is the source of truth for counts and latency; we only parse.

const { spawn } = require('child_process')
const { track } = require('./child')
const path = require('path')

const LUA_DIR = path.join(__dirname, 'lua')

/**
 * Runs wrk once. opts: { url, connections, seconds, core, script?, headers? }.
 * Resolves with { text, exitCode }; killed (SIGKILL) if it outlives its
 * duration by 15 s, so a wedged server cannot hang the benchmark.
 */
function runWrk (opts) {
  const args = ['-c', String(opts.core), 'wrk', '-t1', `-c${opts.connections}`,
    `-d${opts.seconds}s`, '--latency', '--timeout', '5s']
  for (const h of opts.headers || []) args.push('-H', h)
  if (opts.script) args.push('-s', path.join(LUA_DIR, opts.script))
  args.push(opts.url)
  return new Promise((resolve, reject) => {
    const child = track(spawn('taskset', args, { stdio: ['ignore', 'pipe', 'pipe'] }))
    let text = ''
    let err = ''
    child.stdout.on('data', (d) => { text += d })
    child.stderr.on('data', (d) => { err += d })
    const timer = setTimeout(() => child.kill('SIGKILL'), (opts.seconds + 15) * 1000)
    child.on('error', (e) => { clearTimeout(timer); reject(e) })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      if (code !== 0) return reject(new Error(`wrk exited ${code ?? signal}: ${(err || text).trim().split('\n').pop()}`))
      resolve({ text, exitCode: code })
    })
  })
}

const TIME_UNITS = { us: 1e-3, ms: 1, s: 1000, m: 60000, h: 3600000 }
const SIZE_UNITS = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 }

/** "123.45us" → milliseconds */
function toMs (s) {
  const m = /^([\d.]+)(us|ms|s|m|h)$/.exec(s)
  return m ? Number(m[1]) * TIME_UNITS[m[2]] : NaN
}

/** "1.23GB" → bytes (wrk prints binary multiples with decimal names). */
function toBytes (s) {
  const m = /^([\d.]+)(B|KB|MB|GB|TB)$/.exec(s)
  return m ? Number(m[1]) * SIZE_UNITS[m[2]] : NaN
}

/**
 * Parses wrk --latency output into
 * { requests, seconds, bytes, reqPerSec, bytesPerSec, p50Ms, p99Ms, errors }.
 * errors sums socket errors (connect, read, write, timeout) and non-2xx/3xx.
 */
function parseWrk (text) {
  const num = (re) => { const m = re.exec(text); return m ? m : null }
  const total = num(/(\d+) requests in ([\d.]+)(us|ms|s|m|h), ([\d.]+\w+) read/)
  const rps = num(/Requests\/sec:\s+([\d.]+)/)
  // wrk prints 0.00us when its histogram is inconsistent (wg/wrk#236): no data.
  const lat = (p) => { const m = num(new RegExp(`^\\s+${p}%\\s+(\\S+)`, 'm')); const v = m ? toMs(m[1]) : NaN; return v > 0 ? v : NaN }
  const sock = num(/Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/)
  const non2xx = num(/Non-2xx or 3xx responses: (\d+)/)
  if (!total || !rps) throw new Error(`unexpected wrk output:\n${text}`)
  const seconds = toMs(total[2] + total[3]) / 1000
  const bytes = toBytes(total[4])
  const socketErrors = sock ? sock.slice(1, 5).map(Number) : [0, 0, 0, 0]
  return {
    requests: Number(total[1]),
    seconds,
    bytes,
    reqPerSec: Number(rps[1]),
    bytesPerSec: bytes / seconds,
    p50Ms: lat(50),
    p99Ms: lat(99),
    socketErrors: { connect: socketErrors[0], read: socketErrors[1], write: socketErrors[2], timeout: socketErrors[3] },
    non2xx: non2xx ? Number(non2xx[1]) : 0,
    errors: socketErrors.reduce((a, b) => a + b, 0) + (non2xx ? Number(non2xx[1]) : 0)
  }
}

module.exports = { runWrk, parseWrk }
