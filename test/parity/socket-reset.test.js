'use strict'
// Issue 9.5 (COMPAT.md #21): socket.resetAndDestroy() on a socket the engine
// owns sends a TCP RST, so the peer sees ECONNRESET, as with a net.Socket:
// the socket handed to 'upgrade', a request's socket on either side, a
// client socket still connecting. As Node: a closed socket gets
// ERR_SOCKET_CLOSED, a Unix domain socket throws ERR_INVALID_HANDLE_TYPE.
const assert = require('assert')
const fs = require('fs')
const net = require('net')
const os = require('os')
const path = require('path')
const { eachImpl } = require('../helpers/impls')
const { listen, close, delay } = require('../helpers/net')
const { useServers, withTimeout, waitFor } = require('../helpers/res-util')

const UPGRADE = 'GET /chat HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n'

/** A net client recording how its connection ended: 'error <code>', 'end', 'close'. */
function peer (port) {
  const sock = net.connect(port, '127.0.0.1')
  sock.events = []
  sock.on('error', (err) => sock.events.push(`error ${err.code}`))
  sock.on('end', () => sock.events.push('end'))
  sock.on('close', () => sock.events.push('close'))
  return sock
}

/** A raw server whose sockets record how their connection ended; `onData(s)` on the first bytes. */
async function rawServer (onData) {
  const sockets = []
  const server = net.createServer((s) => {
    sockets.push(s)
    s.events = []
    s.on('error', (err) => s.events.push(`error ${err.code}`))
    s.on('end', () => s.events.push('end'))
    s.on('close', () => s.events.push('close'))
    s.once('data', () => onData(s))
  })
  const port = await listen(server)
  return { server, port, sockets, stop: async () => { sockets.forEach((s) => s.destroy()); await close(server) } }
}

eachImpl('socket.resetAndDestroy()', (http) => {
  const serve = useServers(http)
  const cleanups = []
  afterEach(async () => {
    for (const fn of cleanups.splice(0).reverse()) await withTimeout(fn(), 2000, 'cleanup').catch(() => {})
  })

  it("on the socket handed to 'upgrade': the peer sees ECONNRESET; the socket closes without an error", async () => {
    const { server, port } = await serve(() => {})
    const local = []
    server.on('upgrade', (req, socket) => {
      socket.on('error', (err) => local.push(`error ${err.code}`))
      socket.on('close', (hadError) => local.push(`close ${hadError}`))
      assert.strictEqual(socket.resetAndDestroy(), socket)
      assert.strictEqual(socket.destroyed, true)
    })
    const sock = peer(port)
    cleanups.push(async () => sock.destroy())
    sock.write(UPGRADE)
    await waitFor(() => sock.events.includes('close'), 2000, 'the peer\'s close')
    assert.deepStrictEqual(sock.events, ['error ECONNRESET', 'close'])
    await waitFor(() => local.length > 0, 2000, "the socket's 'close'")
    assert.deepStrictEqual(local, ['close false'])
  })

  it("on a request's socket in the handler: the client sees ECONNRESET", async () => {
    const { port } = await serve((req) => req.socket.resetAndDestroy())
    const sock = peer(port)
    cleanups.push(async () => sock.destroy())
    sock.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n')
    await waitFor(() => sock.events.includes('close'), 2000, 'the peer\'s close')
    assert.deepStrictEqual(sock.events, ['error ECONNRESET', 'close'])
  })

  it("on a client request's socket: the server sees ECONNRESET; the request fails with 'socket hang up'", async () => {
    const raw = await rawServer(() => {})
    cleanups.push(raw.stop)
    const events = []
    const req = http.request({ port: raw.port, host: '127.0.0.1', agent: false })
    req.on('error', (err) => events.push(`error ${err.code} ${err.message}`))
    req.on('close', () => events.push('close'))
    req.end()
    await waitFor(() => raw.sockets.length === 1, 2000, 'the connection')
    await delay(20)
    req.socket.resetAndDestroy()
    await waitFor(() => raw.sockets[0].events.includes('close') && events.includes('close'), 2000, 'both closes')
    assert.deepStrictEqual(raw.sockets[0].events, ['error ECONNRESET', 'close'])
    assert.deepStrictEqual(events, ['error ECONNRESET socket hang up', 'close'])
  })

  it("on the client's 'upgrade' socket: the server sees ECONNRESET", async () => {
    const raw = await rawServer((s) => s.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n'))
    cleanups.push(raw.stop)
    const req = http.request({ port: raw.port, host: '127.0.0.1', headers: { Connection: 'Upgrade', Upgrade: 'echo' } })
    const closed = []
    req.on('upgrade', (res, socket) => {
      socket.on('close', (hadError) => closed.push(hadError))
      socket.resetAndDestroy()
    })
    req.end()
    await waitFor(() => raw.sockets.length === 1 && raw.sockets[0].events.includes('close'), 2000, 'the server side\'s close')
    assert.deepStrictEqual(raw.sockets[0].events, ['error ECONNRESET', 'close'])
    await waitFor(() => closed.length > 0, 2000, "the client socket's 'close'")
    assert.deepStrictEqual(closed, [false])
  })

  it('on a client socket still connecting: it resets once connected', async () => {
    const accepted = []
    const server = net.createServer((s) => {
      s.events = []
      s.on('error', (err) => s.events.push(`error ${err.code}`))
      s.on('close', () => s.events.push('close'))
      accepted.push(s)
    })
    const port = await listen(server)
    cleanups.push(() => close(server))
    const req = http.request({ port, host: '127.0.0.1', agent: false })
    req.on('error', () => {})
    req.on('socket', (socket) => {
      assert.strictEqual(socket.connecting, true)
      socket.resetAndDestroy()
    })
    req.end()
    await waitFor(() => accepted.length === 1 && accepted[0].events.includes('close'), 2000, 'the server side\'s close')
    assert.deepStrictEqual(accepted[0].events, ['error ECONNRESET', 'close'])
  })

  it('on a socket closed already: ERR_SOCKET_CLOSED is not emitted again (the socket is destroyed)', async () => {
    const { server, port } = await serve(() => {})
    const errors = []
    const closedSocket = new Promise((resolve) => server.on('upgrade', (req, socket) => {
      socket.on('error', (err) => errors.push(err.code))
      socket.on('close', () => resolve(socket))
      socket.destroy()
    }))
    const sock = peer(port)
    cleanups.push(async () => sock.destroy())
    sock.write(UPGRADE)
    const socket = await withTimeout(closedSocket, 2000, "'close'")
    assert.strictEqual(socket.resetAndDestroy(), socket)
    await delay(20)
    assert.deepStrictEqual(errors, [])
  })

  it('on a Unix domain socket: throws ERR_INVALID_HANDLE_TYPE and leaves the socket open', async function () {
    if (process.platform === 'win32') this.skip()
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'uvhttp-reset-'))
    const socketPath = path.join(dir, 's.sock')
    const thrown = []
    const server = http.createServer((req, res) => {
      try { req.socket.resetAndDestroy() } catch (err) { thrown.push([err.name, err.code, err.message]) }
      res.end(`open ${req.socket.destroyed}`)
    })
    await new Promise((resolve) => server.listen(socketPath, resolve))
    cleanups.push(async () => { await close(server); fs.rmSync(dir, { recursive: true, force: true }) })
    const body = await withTimeout(new Promise((resolve, reject) => {
      require('http').get({ socketPath, path: '/', agent: false }, (res) => {
        let text = ''
        res.on('data', (d) => { text += d })
        res.on('end', () => resolve(text))
      }).on('error', reject)
    }), 2000, 'the response')
    assert.strictEqual(body, 'open false')
    assert.deepStrictEqual(thrown, [['TypeError', 'ERR_INVALID_HANDLE_TYPE', 'This handle type cannot be sent']])
  })
})
