'use strict'
// A connection makes its net.Socket facade only when something needs it
// (lib/server/server-connection.ts getSocket): req.socket, a 'connection'
// listener, 'clientError', a socket timeout, 'upgrade'. These cases run
// the paths that had no socket until late, on node:http and uvhttp in the
// same test, and compare what the application sees.
const assert = require('assert')
const net = require('net')
const { onBoth } = require('../helpers/both')
const { RawClient } = require('../helpers/req-raw')

function same (out) {
  assert.deepStrictEqual(out.uvhttp, out.node)
}

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

describe('lean connections: the socket made late, compared with node:http', function () {
  afterEach(() => RawClient.destroyAll())

  it('the client leaves mid-body and nobody touched the socket: req and res events in Node\'s order', async () => {
    same(await onBoth({
      request: async (port) => {
        const c = await RawClient.connect(port)
        await c.write('POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc')
        await pause(30)
        c.destroy()
        return 'gone'
      },
      handler: (log) => (req, res) => {
        for (const e of ['aborted', 'end', 'close']) req.on(e, () => log.push(`req ${e}`))
        req.on('error', (err) => log.push(`req error ${err.code}`))
        res.on('close', () => log.push(`res close ${res.destroyed}`))
        res.on('finish', () => log.push('res finish'))
        req.on('data', (c) => log.push(`data ${c}`))
      },
      settle: (log) => log.includes('req close') && log.some((e) => e.startsWith('res close'))
    }))
  })

  it('req.socket first read after the client left: the socket is destroyed, its addresses gone', async () => {
    same(await onBoth({
      request: async (port) => {
        const c = await RawClient.connect(port)
        await c.write('GET /wait HTTP/1.1\r\nHost: x\r\n\r\n')
        await pause(30)
        c.destroy()
        return 'gone'
      },
      handler: (log) => (req, res) => {
        res.on('close', () => {
          const s = req.socket
          log.push({ destroyed: s.destroyed, readable: s.readable, writable: s.writable, remote: s.remoteAddress, isSocket: s instanceof net.Socket, same: s === res.socket || res.socket === null })
        })
      },
      settle: (log) => log.length === 1
    }))
  })

  it('a \'connection\' listener added while a connection is open hears the next one, with the socket its requests carry', async () => {
    same(await onBoth({
      request: async (port, log) => {
        const a = await RawClient.connect(port)
        await a.write('GET /a HTTP/1.1\r\nHost: x\r\n\r\n')
        await a.waitFor('\r\n\r\na')
        const b = await RawClient.connect(port)
        await b.write('GET /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
        await b.waitClose()
        a.destroy()
        return 'done'
      },
      handler: (log, http) => {
        let seen = null
        let server = null
        return function (req, res) {
          if (server === null) {
            server = this
            server.on('connection', (socket) => { seen = socket; log.push('connection') })
          }
          log.push(`${req.url} socket is the announced one: ${req.socket === seen}`)
          res.end(req.url.slice(1))
        }
      },
      settle: (log) => log.length === 3
    }))
  })

  it('\'clientError\' on a connection whose socket nobody touched: a real socket, which can answer', async () => {
    same(await onBoth({
      request: async (port) => {
        const c = await RawClient.connect(port)
        await c.write('GET / HTTP/1.1\r\nHost: x\r\n\r\nNOT HTTP AT ALL\r\n\r\n')
        await c.waitClose()
        return c.normalised
      },
      options: {},
      handler: (log, http) => {
        let installed = false
        return function (req, res) {
          if (!installed) {
            installed = true
            this.on('clientError', (err, socket) => {
              log.push({ code: err.code, isSocket: socket instanceof net.Socket, same: socket === req.socket, writable: socket.writable })
              socket.end('HTTP/1.1 400 Mine\r\nConnection: close\r\n\r\n')
            })
          }
          res.end('ok')
        }
      },
      settle: (log) => log.length === 1
    }))
  })

  it('a half-closing client gets its response, then the connection closes, with no socket touched', async () => {
    same(await onBoth({
      request: async (port) => {
        const c = await RawClient.connect(port)
        await c.write('GET /x HTTP/1.1\r\nHost: x\r\n\r\n')
        c.end()
        await c.waitClose()
        return c.normalised
      },
      handler: (log) => (req, res) => {
        setTimeout(() => res.end('late'), 30)
        res.on('close', () => log.push('res close'))
      },
      settle: (log) => log.length === 1
    }))
  })
})
