'use strict'
// Issue 9.3 and 9.7 (COMPAT.md #21): the socket handed to 'upgrade' or
// 'connect' sees what the peer does, in every phase: its FIN ('end', the
// socket still writable: the server is allowHalfOpen) and its RST ('error'
// ECONNRESET, then 'close'), whether they come in the same read as the
// request head, after it before the application reads, while it reads, or
// while it has paused the socket. 'end' comes even if nobody reads the
// socket (net's onStreamRead calls read(0) for that): ws's verifyClient
// waits for it, and a handler that ends its socket on 'end' closes the
// connection only if it comes.
const assert = require('assert')
const net = require('net')
const { eachImpl } = require('../helpers/impls')
const { delay } = require('../helpers/net')
const { useServers, withTimeout, waitFor } = require('../helpers/res-util')

const REQUESTS = {
  upgrade: 'GET /chat HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n',
  connect: 'CONNECT origin.example:443 HTTP/1.1\r\nHost: origin.example:443\r\n\r\n'
}

/**
 * The phases. `server(socket, log)` is the application's handler (after it
 * recorded the head and attached 'end'/'error'/'close'); `client(sock,
 * finish)` drives the peer and calls finish() (its FIN or RST) when the
 * phase is reached. `fin`/`rst`: the events the handed-over socket must see.
 */
const PHASES = [
  {
    name: 'in the same read as the head (nobody reads the socket)',
    sameRead: true,
    server () {},
    fin: ['head abc', 'end', 'close false'],
    // A reset queued behind unread bytes reaches the reader as an EOF
    // (Linux), for Node's sockets as for the engine's: no RST case here.
    rst: null
  },
  {
    name: 'after the head, before the application reads',
    server (socket) { socket.write('ready') },
    async client (sock, finish) { await sock.until('ready'); finish() },
    fin: ['head ', 'end', 'close false'],
    rst: ['head ', 'error ECONNRESET', 'close true']
  },
  {
    name: 'while the application reads',
    server (socket, log) {
      socket.on('data', (d) => { log(`data ${d}`); socket.write(`got ${d}`) })
      socket.write('ready')
    },
    async client (sock, finish) {
      await sock.until('ready')
      sock.write('abc')
      await sock.until('got abc')
      finish()
    },
    fin: ['head ', 'data abc', 'end', 'close false'],
    rst: ['head ', 'data abc', 'error ECONNRESET', 'close true']
  },
  {
    name: 'while the application has paused the socket',
    server (socket, log) {
      socket.once('data', (d) => {
        log(`data ${d}`)
        socket.pause()
        socket.on('data', (more) => log(`data ${more}`))
        socket.write('paused')
        setTimeout(() => socket.resume(), 150)
      })
      socket.write('ready')
    },
    async client (sock, finish) {
      await sock.until('ready')
      sock.write('abc')
      await sock.until('paused')
      sock.write('def')
      await delay(20)
      finish()
    },
    // Node's socket reads on while paused (its buffer is far below the
    // highWaterMark), so a reset destroys it at once, unread bytes and all.
    fin: ['head ', 'data abc', 'data def', 'end', 'close false'],
    rst: ['head ', 'data abc', 'error ECONNRESET', 'close true']
  }
]

eachImpl("the socket 'upgrade'/'connect' hand over sees the peer's FIN and RST", (http) => {
  const serve = useServers(http)
  const clients = []
  afterEach(() => clients.splice(0).forEach((s) => s.destroy()))

  /** A net client that collects text and can wait for some. */
  function connect (port) {
    const sock = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true })
    clients.push(sock)
    let text = ''
    sock.on('data', (d) => { text += d })
    sock.on('error', () => {})
    sock.until = (s) => waitFor(() => text.includes(s), 2000, JSON.stringify(s))
    return sock
  }

  for (const kind of ['upgrade', 'connect']) {
    for (const phase of PHASES) {
      for (const peer of ['fin', 'rst']) {
        if (phase[peer] === null) continue
        it(`'${kind}': the peer's ${peer.toUpperCase()} ${phase.name}`, async () => {
          const events = []
          const log = (e) => events.push(e)
          const { server, port } = await serve(() => {})
          server.on(kind, (req, socket, head) => {
            log(`head ${head}`)
            socket.on('end', () => {
              log('end')
              assert.strictEqual(socket.readable, false)
              assert.strictEqual(socket.writable, true)
              socket.end()
            })
            socket.on('error', (err) => log(`error ${err.code}`))
            socket.on('close', (hadError) => log(`close ${hadError}`))
            phase.server(socket, log)
          })
          const sock = connect(port)
          const finish = () => (peer === 'fin' ? sock.end() : sock.resetAndDestroy())
          await new Promise((resolve) => sock.once('connect', resolve))
          if (phase.sameRead) {
            if (peer === 'fin') sock.end(REQUESTS[kind] + 'abc')
            else { sock.write(REQUESTS[kind] + 'abc'); finish() }
          } else {
            sock.write(REQUESTS[kind])
            await phase.client(sock, finish)
          }
          const expected = phase[peer]
          await waitFor(() => events.length >= expected.length && events[events.length - 1].startsWith('close'), 2000,
            `the events ${JSON.stringify(expected)} (got ${JSON.stringify(events)})`).catch(() => {})
          await delay(20)
          assert.deepStrictEqual(events, expected)
        })
      }
    }
  }

  describe("the client's 'upgrade' socket", () => {
    const SWITCH = 'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n'
    const cases = [
      // [title, what the raw server does once it has the request, the client socket's events]
      ["the server's FIN in the same read as the 101 (nobody reads the socket)", (s) => s.end(SWITCH + 'abc'),
        ['head abc', 'end', 'close false']],
      ["the server's FIN after the 101, before the application reads",
        (s) => { s.write(SWITCH); s.once('data', () => s.end()) }, ['head ', 'end', 'close false']],
      ["the server's RST after the 101, before the application reads",
        (s) => { s.write(SWITCH); s.once('data', () => s.resetAndDestroy()) }, ['head ', 'error ECONNRESET', 'close true']]
    ]
    for (const [title, answer, expected] of cases) {
      it(title, async () => {
        const sockets = []
        const server = serve.track(net.createServer((s) => {
          sockets.push(s)
          s.on('error', () => {})
          s.once('data', () => answer(s))
        }))
        await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
        const events = []
        const req = http.request({ port: server.address().port, host: '127.0.0.1', headers: { Connection: 'Upgrade', Upgrade: 'echo' } })
        req.on('upgrade', (res, socket, head) => {
          events.push(`head ${head}`)
          socket.on('end', () => events.push('end'))
          socket.on('error', (err) => events.push(`error ${err.code}`))
          socket.on('close', (hadError) => events.push(`close ${hadError}`))
          socket.write('ready')
        })
        req.end()
        await waitFor(() => events.some((e) => e.startsWith('close')), 2000,
          `the events ${JSON.stringify(expected)} (got ${JSON.stringify(events)})`).catch(() => {})
        await delay(20)
        sockets.forEach((s) => s.destroy())
        assert.deepStrictEqual(events, expected)
      })
    }
  })

  it("a refused upgrade: the handler answers 502 and ends on 'end'; the client destroys its request and server.close() calls back", async () => {
    const { server, port } = await serve(() => {})
    server.on('upgrade', (req, socket) => {
      socket.on('end', () => socket.end())
      socket.write('HTTP/1.1 502 Bad Gateway\r\nConnection: keep-alive\r\nContent-Length: 3\r\n\r\nbad')
    })
    const body = await withTimeout(new Promise((resolve, reject) => {
      const req = http.request({ port, host: '127.0.0.1', agent: false, headers: { Connection: 'Upgrade', Upgrade: 'websocket' } })
      req.on('upgrade', () => reject(new Error('not an upgrade')))
      req.on('error', reject)
      req.on('response', (res) => {
        let text = ''
        res.on('data', (d) => { text += d })
        res.on('end', () => { req.destroy(); resolve(`${res.statusCode} ${text}`) })
      })
      req.end()
    }), 2000, 'the 502')
    assert.strictEqual(body, '502 bad')
    await withTimeout(new Promise((resolve) => server.close(resolve)), 2000, 'server.close() callback')
  })
})
