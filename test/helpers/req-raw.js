'use strict'
// A raw TCP client for byte-exact server tests: write pieces, wait (bounded)
// for what the server sends, for its FIN and for the close. Every client is
// remembered so that a test file can destroy them all in afterEach.
const net = require('net')
const { normaliseDate, delay } = require('./net')

const open = new Set()

class RawClient {
  constructor (sock) {
    this.sock = sock
    this.chunks = []
    this.ended = false // the server sent FIN
    this.closed = false
    this.error = null
    this._waiters = new Set()
    sock.on('data', (c) => { this.chunks.push(c); this._wake() })
    sock.on('end', () => { this.ended = true; this._wake() })
    sock.on('error', (err) => { this.error = err; this._wake() })
    sock.on('close', () => { this.closed = true; open.delete(this); this._wake() })
    open.add(this)
  }

  /** Connects to 127.0.0.1:port and resolves a RawClient. */
  static connect (port, host = '127.0.0.1') {
    return new Promise((resolve, reject) => {
      const sock = net.connect(port, host)
      const client = new RawClient(sock)
      const timer = setTimeout(() => { sock.destroy(); reject(new Error('connect timed out')) }, 2000)
      sock.once('connect', () => { clearTimeout(timer); resolve(client) })
      sock.once('error', (err) => { clearTimeout(timer); reject(err) })
    })
  }

  /** Everything received so far, as latin1 text. */
  get text () { return Buffer.concat(this.chunks).toString('latin1') }

  /** Everything received so far with Date values replaced. */
  get normalised () { return normaliseDate(this.text) }

  get localPort () { return this.sock.localPort }

  /** Writes a string (latin1) or Buffer; resolves once handed to the kernel. */
  write (data) {
    const buf = typeof data === 'string' ? Buffer.from(data, 'latin1') : data
    return new Promise((resolve) => {
      if (this.sock.destroyed) return resolve(false)
      this.sock.write(buf, () => resolve(true))
    })
  }

  /** Writes pieces one after another with `gapMs` between them. */
  async writePieces (pieces, gapMs = 20) {
    for (let i = 0; i < pieces.length; i++) {
      if (i > 0) await delay(gapMs)
      await this.write(pieces[i])
    }
  }

  /** Half-closes (sends FIN). */
  end () { this.sock.end() }

  destroy () { this.sock.destroy() }

  _wake () { for (const w of [...this._waiters]) w() }

  /**
   * Resolves the received text once `cond(text, client)` is true (a string
   * means "text includes it", a RegExp is tested, a number means "at least
   * that many bytes"). Rejects after `ms` with what had arrived.
   */
  waitFor (cond, ms = 2000) {
    const test = typeof cond === 'function'
      ? () => cond(this.text, this)
      : typeof cond === 'number'
        ? () => this.text.length >= cond
        : cond instanceof RegExp
          ? () => cond.test(this.text)
          : () => this.text.includes(cond)
    return new Promise((resolve, reject) => {
      const done = () => {
        if (!test()) {
          if (this.closed) finish(new Error(`connection closed while waiting for ${describe(cond)}; got ${JSON.stringify(this.text)}`))
          return
        }
        finish(null)
      }
      const finish = (err) => {
        clearTimeout(timer)
        this._waiters.delete(done)
        if (err) reject(err)
        else resolve(this.text)
      }
      const timer = setTimeout(() => finish(new Error(`timed out after ${ms} ms waiting for ${describe(cond)}; got ${JSON.stringify(this.text)}`)), ms)
      this._waiters.add(done)
      done()
    })
  }

  /**
   * Waits until the normalised text is at least as long as `expected`, then a
   * short grace period (to catch extra bytes), and resolves the normalised text.
   */
  async receive (expected, ms = 2000, graceMs = 30) {
    await this.waitFor(() => this.normalised.length >= expected.length, ms).catch(() => {})
    await delay(graceMs)
    return this.normalised
  }

  /** Resolves true when the connection is closed, false if still open after `ms`. */
  waitClose (ms = 2000) {
    if (this.closed) return Promise.resolve(true)
    return new Promise((resolve) => {
      const timer = setTimeout(() => { this.sock.removeListener('close', onClose); resolve(false) }, ms)
      const onClose = () => { clearTimeout(timer); resolve(true) }
      this.sock.once('close', onClose)
    })
  }

  /** Destroys every RawClient still open. */
  static destroyAll () { for (const c of open) c.destroy() }
}

function describe (cond) {
  if (typeof cond === 'function') return 'a condition'
  if (typeof cond === 'number') return `${cond} bytes`
  return JSON.stringify(String(cond))
}

/** Connects, writes `data` (one piece or an array), resolves the client. */
async function rawConnect (port, data, gapMs = 20) {
  const c = await RawClient.connect(port)
  if (data !== undefined) await c.writePieces(Array.isArray(data) ? data : [data], gapMs)
  return c
}

module.exports = { RawClient, rawConnect }
