'use strict'
// The socket object a server hands out: in 'connection', as req.socket and as
// res.socket. Addresses, the socket methods applications and middleware call
// (setTimeout, setNoDelay, setKeepAlive, destroy), its state flags and byte
// counters, and its 'close' event.
const assert = require('assert')
const net = require('net')
const stream = require('stream')
const { eachImpl } = require('../helpers/impls')
const { useServers, raw, rawClient, withTimeout, waitFor, onceWithin } = require('../helpers/res-util')

eachImpl('server socket', (http) => {
  const serve = useServers(http)

  it('describes both ends: remote/local address, port and family, and address()', async () => {
    const seen = {}
    const { server, port } = await serve((req, res) => res.end())
    server.on('connection', (socket) => {
      seen.remote = [socket.remoteAddress, socket.remotePort, socket.remoteFamily]
      seen.local = [socket.localAddress, socket.localPort, socket.localFamily]
      seen.address = socket.address()
    })
    const client = await rawClient(port)
    await waitFor(() => seen.address, 2000, "'connection'")
    assert.deepStrictEqual(seen.remote, ['127.0.0.1', client.sock.localPort, 'IPv4'])
    assert.deepStrictEqual(seen.local, ['127.0.0.1', port, 'IPv4'])
    assert.deepStrictEqual(seen.address, { address: '127.0.0.1', family: 'IPv4', port })
    client.destroy()
  })

  it('req.socket, req.connection and res.socket are the socket from \'connection\'', async () => {
    const seen = {}
    let connSocket
    const { server, port } = await serve((req, res) => {
      seen.req = req.socket === connSocket
      seen.connection = req.connection === connSocket
      seen.res = res.socket === connSocket
      seen.server = connSocket.server === server
      res.end()
    })
    server.on('connection', (socket) => { connSocket = socket })
    await raw(port, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
    assert.deepStrictEqual(seen, { req: true, connection: true, res: true, server: true })
  })

  it('is a stream.Duplex and an EventEmitter with the usual socket methods', async () => {
    const seen = {}
    const { port } = await serve((req, res) => {
      const s = req.socket
      seen.duplex = s instanceof stream.Duplex
      seen.methods = ['destroy', 'end', 'write', 'setTimeout', 'setNoDelay', 'setKeepAlive', 'address', 'ref', 'unref', 'pause', 'resume', 'on', 'once']
        .filter((m) => typeof s[m] !== 'function')
      seen.encrypted = s.encrypted
      res.end()
    })
    await raw(port, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
    // encrypted is undefined on plain TCP: frameworks test it to tell http from https.
    assert.deepStrictEqual(seen, { duplex: true, methods: [], encrypted: undefined })
  })

  it('is an instance of net.Socket', async () => {
    const seen = {}
    const { port } = await serve((req, res) => { seen.netSocket = req.socket instanceof net.Socket; res.end() })
    await raw(port, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
    assert.strictEqual(seen.netSocket, true)
  })

  it('setNoDelay, setKeepAlive, ref and unref return the socket', async () => {
    const seen = {}
    const { port } = await serve((req, res) => {
      const s = req.socket
      seen.rets = [
        s.setNoDelay(true) === s, s.setNoDelay() === s, s.setNoDelay(false) === s,
        s.setKeepAlive(true, 1000) === s, s.setKeepAlive(false) === s,
        s.unref() === s, s.ref() === s
      ]
      res.end('ok')
    })
    const text = await raw(port, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
    assert.deepStrictEqual(seen.rets, Array(7).fill(true))
    assert.match(text, /\r\n\r\nok$/)
  })

  it('setTimeout fires \'timeout\' and its callback on an idle socket, which is then closed', async () => {
    const events = []
    let started
    const { server, port } = await serve((req, res) => res.end())
    server.on('connection', (socket) => {
      // Timed from here: the client may learn of its connection later on a busy machine.
      started = Date.now()
      const ret = socket.setTimeout(100, () => events.push('callback'))
      events.push(`returned socket: ${ret === socket}`)
      events.push(`timeout property: ${socket.timeout}`)
      socket.on('timeout', () => events.push('timeout event'))
    })
    const client = await rawClient(port)
    // With no 'timeout' listener on the server, Node destroys the timed-out socket.
    await client.waitClose(2000)
    assert.ok(Date.now() - started >= 90, 'closed before the timeout')
    assert.deepStrictEqual(events, ['returned socket: true', 'timeout property: 100', 'callback', 'timeout event'])
    assert.strictEqual(client.text, '')
  })

  it('setTimeout(0) disables a socket timeout set before', async () => {
    let timedOut = false
    const { server, port } = await serve((req, res) => res.end())
    server.on('connection', (socket) => {
      socket.setTimeout(50)
      socket.setTimeout(0)
      socket.on('timeout', () => { timedOut = true })
    })
    const client = await rawClient(port)
    await new Promise((resolve) => setTimeout(resolve, 150))
    assert.strictEqual(timedOut, false)
    assert.strictEqual(client.closed, false)
    client.destroy()
  })

  it('destroy() from the handler closes the client connection without a response', async () => {
    const seen = {}
    const { port } = await serve((req, res) => {
      seen.before = req.socket.destroyed
      req.socket.destroy()
      seen.after = req.socket.destroyed
    })
    const text = await raw(port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n')
    assert.strictEqual(text, '')
    assert.deepStrictEqual(seen, { before: false, after: true })
  })

  it('destroy() on a keep-alive connection between requests closes it', async () => {
    let sock
    const { port } = await serve((req, res) => { sock = req.socket; res.end('one') })
    const client = await rawClient(port)
    client.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n')
    await client.until((t) => t.endsWith('\r\n\r\none'))
    sock.destroy()
    await client.waitClose(2000)
    assert.strictEqual(sock.destroyed, true)
  })

  it('is readable and writable while a request is served', async () => {
    const seen = {}
    let sock
    const { port } = await serve((req, res) => {
      sock = req.socket
      seen.during = [sock.readable, sock.writable, sock.destroyed]
      res.end()
    })
    await raw(port, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
    await waitFor(() => sock.destroyed, 2000, 'socket destroyed')
    assert.deepStrictEqual(seen.during, [true, true, false])
    assert.strictEqual(sock.writable, false)
  })

  it('counts bytesRead and bytesWritten exactly', async () => {
    const request = 'POST /count HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello'
    let sock
    let closed
    const onClose = new Promise((resolve) => { closed = resolve })
    const { server, port } = await serve((req, res) => {
      req.resume()
      req.on('end', () => res.end('a body of some length'))
    })
    server.on('connection', (socket) => {
      sock = socket
      socket.on('close', () => closed([socket.bytesRead, socket.bytesWritten]))
    })
    const text = await raw(port, request)
    const [bytesRead, bytesWritten] = await withTimeout(onClose, 2000, "socket 'close'")
    assert.strictEqual(bytesRead, Buffer.byteLength(request))
    assert.strictEqual(bytesWritten, Buffer.byteLength(text, 'latin1'))
    assert.strictEqual(sock.bytesRead, bytesRead)
  })

  it('emits \'close\' (hadError false) when an idle client disconnects', async () => {
    let socket
    const { server, port } = await serve((req, res) => res.end())
    server.on('connection', (s) => { socket = s })
    const client = await rawClient(port)
    await waitFor(() => socket, 2000, "'connection'")
    const closed = onceWithin(socket, 'close', 2000)
    client.sock.end()
    const [hadError] = await closed
    assert.strictEqual(hadError, false)
    assert.strictEqual(socket.destroyed, true)
  })

  it('emits \'close\' on the socket when the client goes away mid-request', async () => {
    let socket
    let gotRequest
    const requested = new Promise((resolve) => { gotRequest = resolve })
    const { port } = await serve((req) => { socket = req.socket; gotRequest() })
    const client = await rawClient(port)
    client.write('GET /never-answered HTTP/1.1\r\nHost: x\r\n\r\n')
    await withTimeout(requested, 2000, 'request')
    const closed = onceWithin(socket, 'close', 2000)
    client.destroy()
    await closed
    assert.strictEqual(socket.destroyed, true)
  })

  it('keeps one socket object for every request of a keep-alive connection', async () => {
    const sockets = []
    const { port } = await serve((req, res) => { sockets.push(req.socket); res.end(req.url) })
    const client = await rawClient(port)
    client.write('GET /1 HTTP/1.1\r\nHost: x\r\n\r\n')
    await client.until((t) => t.endsWith('/1'))
    client.write('GET /2 HTTP/1.1\r\nHost: x\r\n\r\n')
    await client.until((t) => t.endsWith('/2'))
    assert.strictEqual(sockets.length, 2)
    assert.strictEqual(sockets[0], sockets[1])
    const closed = onceWithin(sockets[0], 'close', 2000)
    client.destroy()
    assert.deepStrictEqual(await closed, [false])
  })
})
