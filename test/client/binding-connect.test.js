'use strict'
// The binding contract the client is built on (lib/engine/binding.ts): connect()
// for TCP and Unix sockets, errors as data, and the response parser's
// HEAD/CONNECT expectations, checked on raw batches.
const assert = require('assert')
const net = require('net')
const os = require('os')
const path = require('path')
const { uvhttp, useServers, waitFor } = require('../helpers/client-util')
const { binding } = require('../../dist/engine/binding')
const { splitBatch } = require('../helpers/records')
const c = binding.constants
const Ev = { HEAD: c.kEvHead, END: c.kEvEnd, DRAIN: c.kEvDrain, DATA: c.kEvData, CLOSE: c.kEvClose, CONNECT: c.kEvConnect }

/** An owner that records every batch the native connection delivers. */
function recorder () {
  const events = []
  return {
    events,
    onBatch (batch) {
      events.push(...splitBatch(batch))
    }
  }
}

describe('binding.connect', () => {
  const servers = useServers()
  before(() => assert(uvhttp.request)) // loads the module (binding.setup)

  it('returns a negative errno for an address that is not one', () => {
    const r = binding.connect(recorder(), 4, 'not-an-ip', 80, null)
    assert.strictEqual(typeof r, 'number')
    assert(r < 0)
  })

  it('connects a Unix socket; CONNECT carries the errno', async () => {
    const file = path.join(os.tmpdir(), `uvhttp-bind-${process.pid}.sock`)
    const server = net.createServer((s) => s.end('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'))
    servers.track(server)
    await new Promise((resolve) => server.listen(file, resolve))
    const owner = recorder()
    const conn = binding.connect(owner, 0, file, 0, null)
    assert.strictEqual(typeof conn, 'object')
    await waitFor(() => owner.events.some((e) => e[0] === Ev.END), 2000, 'response')
    assert.deepStrictEqual(owner.events[0], [Ev.CONNECT, 0])
    assert.strictEqual(owner.events[1][0], Ev.HEAD)
    assert.strictEqual(owner.events[1][1], 200)
    conn.close()
    await waitFor(() => owner.events.some((e) => e[0] === Ev.CLOSE), 2000, 'close')

    const missing = recorder()
    const c2 = binding.connect(missing, 0, file + '.none', 0, null)
    await waitFor(() => missing.events.length > 0, 2000, 'connect result')
    assert.deepStrictEqual(missing.events[0], [Ev.CONNECT, -2 /* ENOENT */])
    c2.close()
  })

  it('expectNoBody survives a 1xx; expectUpgrade makes the next head a tunnel', async () => {
    const { port } = await servers.raw((s) => {
      s.once('data', () => {
        s.write('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n')
        s.once('data', () => s.write('HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nrawbytes'))
      })
    })
    const owner = recorder()
    const conn = binding.connect(owner, 4, '127.0.0.1', port, null)
    conn.expectNoBody()
    conn.write('HEAD / HTTP/1.1\r\nHost: x\r\n\r\n', null, null, 0)
    await waitFor(() => owner.events.filter((e) => e[0] === Ev.END).length === 2, 2000, 'HEAD answers')
    conn.expectUpgrade()
    conn.write('CONNECT x:1 HTTP/1.1\r\nHost: x\r\n\r\n', null, null, 0)
    await waitFor(() => owner.events.some((e) => e[0] === Ev.DATA), 2000, 'tunnel bytes')
    const kinds = owner.events.filter((e) => e[0] !== Ev.DRAIN).map((e) => e[0] === Ev.HEAD ? `head ${e[1]} ${e[6] & 2 ? 'upgrade' : ''}`.trim() : e[0])
    assert.deepStrictEqual(kinds, [Ev.CONNECT, 'head 100', Ev.END, 'head 200', Ev.END, 'head 200 upgrade', Ev.END, Ev.DATA])
    assert.strictEqual(owner.events.find((e) => e[0] === Ev.DATA)[1].toString(), 'rawbytes')
    conn.close()
  })
})
