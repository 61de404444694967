'use strict'
// Issue 12.4: a closed connection frees its native state (parser, write
// queue, buffers) in libuv's close callback, not when the garbage collector
// finds its JS wrapper; under connection-per-request load thousands of dead
// ones piled up. The wrapper JS still holds answers every call harmlessly
// (STYLE.md example 7): counters keep their last values, the rest are no-ops
// or errors.
const assert = require('assert')
const net = require('net')
const os = require('os')
const { once } = require('events')
const { binding } = require('../../dist/engine/binding.js')
require('../../dist/engine/dispatch.js') // registers onBatch (binding.setup)
const uvhttp = require('../..')
const { listen, close } = require('../helpers/net')
const { splitBatch } = require('../helpers/records')

const C = binding.constants

/** Polls until liveConnections() is at most `n`, for up to `ms`; resolves the last count. */
async function liveAtMost (n, ms = 3000) {
  const until = Date.now() + ms
  while (binding.liveConnections() > n && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 10))
  return binding.liveConnections()
}

describe('native connection state is freed at close (issue 12.4)', function () {
  it('a server answering Connection: close keeps no native state for its closed connections', async function () {
    const server = uvhttp.createServer((req, res) => res.end('bye'))
    const port = await listen(server)
    const before = binding.liveConnections()
    const rounds = 100
    try {
      for (let i = 0; i < rounds; i += 10) {
        await Promise.all(Array.from({ length: 10 }, () => new Promise((resolve, reject) => {
          const sock = net.connect(port, '127.0.0.1')
          let got = ''
          sock.setEncoding('latin1')
          sock.on('data', (d) => { got += d })
          sock.on('error', reject)
          sock.on('close', () => (/^HTTP\/1\.1 200 /.test(got) ? resolve() : reject(new Error(`answer: ${got}`))))
          sock.end('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
        })))
      }
      // The server's side closes after the client saw EOF: allow it a moment.
      const after = await liveAtMost(before)
      assert.ok(after <= before, `${after - before} of ${rounds} closed connections still hold native state`)
    } finally {
      await close(server)
    }
  })

  it('a closed connection answers every call without touching freed state', async function () {
    const response = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi'
    const peer = net.createServer((s) => {
      s.once('data', () => s.end(response))
      s.on('error', () => {})
    })
    const port = await listen(peer)
    const before = binding.liveConnections()
    const records = []
    let conn
    const closed = new Promise((resolve) => {
      const owner = {
        onBatch (batch) {
          for (const rec of splitBatch(batch)) {
            records.push(rec[0])
            if (rec[0] === C.kEvConnect) {
              assert.strictEqual(rec[1], 0)
              conn.write('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', null, null, 0)
            }
            if (rec[0] === C.kEvEof) conn.close()
            if (rec[0] === C.kEvClose) resolve()
          }
        },
      }
      conn = binding.connect(owner, 4, '127.0.0.1', port, null)
      assert.strictEqual(typeof conn, 'object')
    })
    try {
      await closed
      assert.deepStrictEqual(records, [C.kEvConnect, C.kEvHead, C.kEvBody, C.kEvEnd, C.kEvEof, C.kEvClose])
      assert.strictEqual(await liveAtMost(before), before, 'the closed connection still holds native state')

      // Counters keep what they counted.
      assert.strictEqual(conn.bytesRead, Buffer.byteLength(response))
      assert.strictEqual(conn.bytesWritten, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'.length)
      assert.strictEqual(conn.writeQueueSize, 0)
      assert.strictEqual(conn.messageAge, -1)
      assert.strictEqual(conn.fd, -1)
      // Writes fail with EPIPE; the socket-level queries with EBADF.
      assert.strictEqual(conn.write('x', Buffer.from('y'), 'z', 0), -os.constants.errno.EPIPE)
      assert.strictEqual(conn.peerName({}), -os.constants.errno.EBADF)
      assert.strictEqual(conn.sockName({}), -os.constants.errno.EBADF)
      assert.strictEqual(conn.setNoDelay(true), 0)
      assert.strictEqual(conn.setKeepAlive(true, 1), 0)
      // Everything else is a no-op, and produces no record.
      conn.pause()
      conn.resume()
      conn.shutdown()
      conn.setParser(C.kParserResponse)
      conn.setLimits(1024, 0, true)
      conn.expectNoBody()
      conn.expectUpgrade()
      conn.setRef(false)
      conn.close()
      await new Promise((resolve) => setImmediate(resolve))
      assert.deepStrictEqual(records.slice(6), [])
    } finally {
      await close(peer)
    }
  })
})
