'use strict'
// Issue 4 with a real peer: the `ws` library as the WebSocket server on the
// server's 'upgrade' (noServer + handleUpgrade, and { server }), a ws client
// on the other end. Messages both ways, 1 MiB frames, many clients, ping,
// the close handshake, and Express + ws on one port (COMPAT.md #18).
const assert = require('assert')
const crypto = require('crypto')
const express = require('express')
const { WebSocketServer, WebSocket } = require('ws')
const { eachImpl } = require('../helpers/impls')
const { useServers, request, withTimeout, onceWithin, waitFor } = require('../helpers/res-util')

const MiB = 1024 * 1024
const sha = (buf) => crypto.createHash('sha256').update(buf).digest('hex')

/** Opens a ws client and resolves it once open. */
async function open (url, options) {
  const ws = new WebSocket(url, options)
  ws.on('error', () => {})
  await onceWithin(ws, 'open', 3000)
  return ws
}

/** Sends `data` and resolves the next message (as [data, isBinary]). */
async function roundTrip (ws, data, options) {
  const reply = onceWithin(ws, 'message', 5000)
  ws.send(data, options)
  return reply
}

eachImpl('upgrade with ws', (http) => {
  const serve = useServers(http)
  const wssList = []
  afterEach(() => {
    for (const wss of wssList.splice(0)) {
      for (const c of wss.clients) c.terminate()
      wss.close()
    }
  })

  /** An echo protocol: text gets 'echo:' in front, binary comes back with its sha256 as text and then itself. */
  function echo (ws) {
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        ws.send(sha(data))
        ws.send(data, { binary: true })
      } else {
        ws.send(`echo:${data}`)
      }
    })
  }

  async function noServerSetup () {
    const { server, port } = await serve((req, res) => res.end('plain http'))
    const wss = new WebSocketServer({ noServer: true })
    wssList.push(wss)
    const upgrades = []
    server.on('upgrade', (req, socket, head) => {
      upgrades.push({ url: req.url, socket })
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req))
    })
    wss.on('connection', echo)
    return { server, port, wss, upgrades }
  }

  describe('WebSocketServer({ noServer: true }) + handleUpgrade', () => {
    it('text and binary messages both ways, server-initiated ones too', async () => {
      const { port, wss, upgrades } = await noServerSetup()
      const ws = await open(`ws://127.0.0.1:${port}/chat?room=1`)
      const [text, textBinary] = await roundTrip(ws, 'hello')
      assert.strictEqual(text.toString(), 'echo:hello')
      assert.strictEqual(textBinary, false)
      const bin = crypto.randomBytes(1000)
      const got = []
      const collect = (data, isBinary) => got.push([data, isBinary])
      ws.on('message', collect)
      ws.send(bin, { binary: true })
      await waitFor(() => got.length === 2, 2000, 'the binary echo')
      ws.off('message', collect)
      assert.deepStrictEqual([got[0][0].toString(), got[0][1]], [sha(bin), false])
      assert.strictEqual(got[1][1], true)
      assert.ok(Buffer.from(got[1][0]).equals(bin))
      // The server speaks first.
      const pushed = onceWithin(ws, 'message')
      for (const c of wss.clients) c.send('from server')
      assert.strictEqual((await pushed)[0].toString(), 'from server')
      assert.deepStrictEqual(upgrades.map((u) => u.url), ['/chat?room=1'])
      ws.close()
      await onceWithin(ws, 'close')
    })

    it('a 1 MiB frame each way arrives intact', async () => {
      const { port } = await noServerSetup()
      const ws = await open(`ws://127.0.0.1:${port}/`)
      const big = crypto.randomBytes(MiB)
      const got = []
      ws.on('message', (data) => got.push(data))
      ws.send(big, { binary: true })
      await waitFor(() => got.length >= 2, 5000, 'the 1 MiB echo')
      assert.strictEqual(got[0].toString(), sha(big))
      assert.strictEqual(got[1].length, MiB)
      assert.ok(Buffer.from(got[1]).equals(big))
      ws.close()
      await onceWithin(ws, 'close')
    })

    it('16 MiB pushed by the server in 1 MiB messages to a slow reader: all arrive, in order', async () => {
      const { server, port } = await serve((req, res) => res.end('plain'))
      const wss = new WebSocketServer({ noServer: true })
      wssList.push(wss)
      const pieces = Array.from({ length: 16 }, (_, i) => Buffer.alloc(MiB, i))
      server.on('upgrade', (req, socket, head) => {
        wss.handleUpgrade(req, socket, head, (ws) => {
          for (const p of pieces) ws.send(p)
        })
      })
      const ws = new WebSocket(`ws://127.0.0.1:${port}/`)
      ws.on('error', () => {})
      const got = []
      ws.on('message', (data) => got.push(data))
      await onceWithin(ws, 'open')
      // Stall the client's reading for a while so the server's writes back up.
      ws._socket.pause()
      await new Promise((resolve) => setTimeout(resolve, 200))
      ws._socket.resume()
      await waitFor(() => got.length === 16, 10000, '16 messages')
      got.forEach((data, i) => assert.ok(Buffer.from(data).equals(pieces[i]), `message ${i}`))
      ws.close()
      await onceWithin(ws, 'close')
    })

    it('ping/pong and the close handshake initiated by the client: codes and reasons both sides, sockets closed', async () => {
      const { port, wss, upgrades } = await noServerSetup()
      const ws = await open(`ws://127.0.0.1:${port}/`)
      const pong = onceWithin(ws, 'pong')
      ws.ping('are you there')
      assert.strictEqual((await pong)[0].toString(), 'are you there')
      const [serverWs] = [...wss.clients]
      const serverClosed = onceWithin(serverWs, 'close')
      const socketClosed = onceWithin(upgrades[0].socket, 'close', 3000)
      const clientClosed = onceWithin(ws, 'close')
      ws.close(4001, 'client bye')
      const [code, reason] = await serverClosed
      assert.deepStrictEqual([code, reason.toString()], [4001, 'client bye'])
      const [ccode, creason] = await clientClosed
      assert.deepStrictEqual([ccode, creason.toString()], [4001, 'client bye'])
      await socketClosed
      assert.strictEqual(upgrades[0].socket.destroyed, true)
    })

    it('the close handshake initiated by the server', async () => {
      const { port, wss, upgrades } = await noServerSetup()
      const ws = await open(`ws://127.0.0.1:${port}/`)
      const clientClosed = onceWithin(ws, 'close')
      const socketClosed = onceWithin(upgrades[0].socket, 'close', 3000)
      for (const c of wss.clients) c.close(1001, 'going away')
      const [code, reason] = await clientClosed
      assert.deepStrictEqual([code, reason.toString()], [1001, 'going away'])
      await socketClosed
    })

    it('twenty clients at once, each with its own conversation', async () => {
      const { port } = await noServerSetup()
      const clients = await Promise.all(Array.from({ length: 20 }, () => open(`ws://127.0.0.1:${port}/`)))
      const replies = await Promise.all(clients.map(async (ws, i) => {
        const out = []
        for (let j = 0; j < 5; j++) out.push((await roundTrip(ws, `c${i}m${j}`))[0].toString())
        return out.join(',')
      }))
      replies.forEach((r, i) => assert.strictEqual(r, [0, 1, 2, 3, 4].map((j) => `echo:c${i}m${j}`).join(',')))
      await Promise.all(clients.map((ws) => { const c = onceWithin(ws, 'close'); ws.close(); return c }))
    })
  })

  describe('WebSocketServer({ server })', () => {
    it('attaches to the server: messages, a 1 MiB frame, the close handshake; plain HTTP still answered', async () => {
      const { server, port } = await serve((req, res) => res.end('plain http'))
      const wss = new WebSocketServer({ server, path: '/ws' })
      wssList.push(wss)
      wss.on('connection', echo)
      const ws = await open(`ws://127.0.0.1:${port}/ws`)
      assert.strictEqual((await roundTrip(ws, 'attached'))[0].toString(), 'echo:attached')
      const big = crypto.randomBytes(MiB)
      const got = []
      ws.on('message', (d) => got.push(d))
      ws.send(big)
      await waitFor(() => got.length >= 2, 5000, 'the 1 MiB echo')
      assert.ok(Buffer.from(got[1]).equals(big))
      const { body } = await request(port, { path: '/' })
      assert.strictEqual(body.toString(), 'plain http')
      // ws answers an upgrade to another path with 400 itself.
      const other = new WebSocket(`ws://127.0.0.1:${port}/elsewhere`)
      const [err] = await onceWithin(other, 'error')
      assert.match(err.message, /Unexpected server response: 400/)
      const closed = onceWithin(ws, 'close')
      ws.close(1000)
      assert.strictEqual((await closed)[0], 1000)
    })
  })

  describe('Express and ws on one port (COMPAT.md #18)', () => {
    it('routes, JSON and a WebSocket conversation share the server; HTTP keeps working while the socket is open', async () => {
      const app = express()
      app.use(express.json())
      app.get('/users/:id', (req, res) => res.json({ id: req.params.id }))
      app.post('/echo', (req, res) => res.json({ got: req.body }))
      const { server, port } = await serve(app)
      const wss = new WebSocketServer({ server })
      wssList.push(wss)
      wss.on('connection', (ws, req) => {
        ws.send(`welcome ${req.url}`)
        echo(ws)
      })
      const welcome = new Promise((resolve) => {
        const ws = new WebSocket(`ws://127.0.0.1:${port}/live`)
        ws.on('error', () => {})
        ws.once('message', (m) => resolve([ws, m.toString()]))
      })
      const [ws, hello] = await withTimeout(welcome, 3000, 'welcome message')
      assert.strictEqual(hello, 'welcome /live')
      const [user, posted] = await Promise.all([
        request(port, { path: '/users/42' }),
        request(port, { method: 'POST', path: '/echo', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ a: [1, 2] }) })
      ])
      assert.deepStrictEqual(JSON.parse(user.body), { id: '42' })
      assert.deepStrictEqual(JSON.parse(posted.body), { got: { a: [1, 2] } })
      assert.strictEqual((await roundTrip(ws, 'still here'))[0].toString(), 'echo:still here')
      const missing = await request(port, { path: '/nope' })
      assert.strictEqual(missing.res.statusCode, 404)
      const closed = onceWithin(ws, 'close')
      ws.close()
      await closed
    })
  })
})
