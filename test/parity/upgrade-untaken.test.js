'use strict'
// Issue 9.1 (COMPAT.md #22): nothing after an upgrade nobody takes is parsed
// as HTTP. A request with `Connection: Upgrade` is answered as an ordinary
// request when the server has no 'upgrade' listener, but the client has
// switched protocols: what it sends after that request is not a request, and
// a front proxy that treats the connection as upgraded never inspected it.
// Node drops the rest of the read that held the request but parses a later
// read again; uvhttp parses neither, answers that request with
// `Connection: close` and closes after it (README "Security notes").
// On the client, a response flagged as an upgrade that nobody takes ends the
// connection: nothing after it is read as a response.
const assert = require('assert')
const net = require('net')
const { eachImpl } = require('../helpers/impls')
const { listen, close, delay } = require('../helpers/net')
const { rawClient, withTimeout, waitFor, onceWithin } = require('../helpers/res-util')

const UPGRADE_GET = 'GET /first HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n'
const UPGRADE_POST = 'POST /first HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nContent-Length: 5\r\n\r\nhello'
const SMUGGLED = 'GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n'

eachImpl('an upgrade nobody takes: what follows is never parsed as HTTP', (http, implName) => {
  const cleanups = []
  afterEach(async () => {
    for (const fn of cleanups.splice(0).reverse()) await withTimeout(fn(), 2000, 'cleanup').catch(() => {})
  })

  /**
   * A server without an 'upgrade' listener that records each request's URL
   * and body, and answers once `ready(req)` resolves. With `foreign`, its
   * sockets come from a net.Server (server.emit('connection', s): the
   * engine's standalone parser).
   */
  async function start ({ foreign = false, ready = async () => {} } = {}) {
    const seen = []
    const server = http.createServer(async (req, res) => {
      let body = ''
      req.setEncoding('latin1')
      req.on('data', (d) => { body += d })
      await new Promise((resolve) => req.on('end', resolve))
      seen.push(`${req.method} ${req.url} ${JSON.stringify(body)}`)
      await ready(req)
      res.end(`answer to ${req.url}`)
    })
    let front = server
    if (foreign) {
      const sockets = []
      front = net.createServer((s) => { sockets.push(s); server.emit('connection', s) })
      cleanups.push(async () => sockets.forEach((s) => s.destroy()))
    }
    const port = await listen(front)
    cleanups.push(() => close(front))
    return { server, port, seen }
  }

  /** The responses in `text`, split at their status lines. */
  const responses = (text) => text.split(/(?=HTTP\/1\.1 \d{3} )/).filter(Boolean)

  /**
   * The handler saw `expected` alone and the client got one answer; uvhttp
   * also says `Connection: close` and closes (Node keeps the connection).
   */
  async function expectOneAnswer (client, seen, expected) {
    await client.until((t) => t.includes('answer to /first'))
    await delay(50)
    assert.deepStrictEqual(seen, expected)
    assert.strictEqual(responses(client.text).length, 1, client.text)
    if (implName === 'uvhttp') {
      assert.match(client.text, /\r\nConnection: close\r\n/)
      await client.waitClose()
    }
    client.destroy()
  }

  for (const foreign of [false, true]) {
    const via = foreign ? ' (a socket the application brings)' : ''
    it(`a GET asking for an upgrade is answered; a request after it in the same read is never parsed${via}`, async () => {
      const { port, seen } = await start({ foreign })
      const client = await rawClient(port)
      client.write(UPGRADE_GET + SMUGGLED)
      await expectOneAnswer(client, seen, ['GET /first ""'])
    })

    it(`a POST asking for an upgrade: its body reaches the handler, the request after it does not${via}`, async () => {
      const { port, seen } = await start({ foreign })
      const client = await rawClient(port)
      client.write(UPGRADE_POST + SMUGGLED)
      await expectOneAnswer(client, seen, ['POST /first "hello"'])
    })
  }

  it('after an ordinary pipelined request: both answered, the request after the upgrade is not', async () => {
    const { port, seen } = await start()
    const client = await rawClient(port)
    client.write('GET /zero HTTP/1.1\r\nHost: x\r\n\r\n' + UPGRADE_GET + SMUGGLED)
    await client.until((t) => t.includes('answer to /first'))
    await delay(50)
    assert.deepStrictEqual(seen, ['GET /zero ""', 'GET /first ""'])
    assert.strictEqual(responses(client.text).length, 2, client.text)
    if (implName === 'uvhttp') await client.waitClose()
    client.destroy()
  })

  describe('the client: a response flagged as an upgrade nobody takes', () => {
    /** A raw server that answers the first request with `answer(socket)`. */
    async function rawServer (answer) {
      const sockets = []
      const server = net.createServer((s) => {
        sockets.push(s)
        s.on('error', () => {})
        s.once('data', () => answer(s))
      })
      const port = await listen(server)
      cleanups.push(async () => { sockets.forEach((s) => s.destroy()); await new Promise((resolve) => server.close(resolve)) })
      return port
    }

    const SWITCH = 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\nConnection: Upgrade\r\n\r\n'
    const RESPONSE = 'HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\nsmuggled'
    const cases = [
      ['in the same read', (s) => s.write(SWITCH + RESPONSE)],
      ['in a later read', (s) => { s.write(SWITCH); setTimeout(() => s.writable && s.write(RESPONSE), 50) }]
    ]
    for (const [when, answer] of cases) {
      for (const createConnection of [undefined, net.createConnection]) {
        const via = createConnection ? ' (createConnection: a net.Socket)' : ''
        it(`a response ${when} after a 101 is never parsed: no 'response', the socket is destroyed${via}`, async () => {
          const port = await rawServer(answer)
          const events = []
          const req = http.request({ port, host: '127.0.0.1', agent: false, createConnection, headers: { Connection: 'Upgrade', Upgrade: 'x' } })
          for (const name of ['response', 'error', 'close']) req.on(name, () => events.push(name))
          req.end()
          await onceWithin(req, 'close')
          await delay(100)
          assert.deepStrictEqual(events, ['close'])
          assert.strictEqual(req.socket.destroyed, true)
        })
      }
    }
  })
})

describe('an upgrade nobody takes [uvhttp]: a later read is not parsed either (Node parses it)', () => {
  const uvhttp = require('../..')
  for (const foreign of [false, true]) {
    it(`the request arriving after the upgrade request was read is never parsed${foreign ? ' (a socket the application brings)' : ''}`, async () => {
      const seen = []
      const total = Buffer.byteLength(UPGRADE_GET + SMUGGLED)
      // The answer waits until the server has read the smuggled bytes too,
      // so they arrive while the connection is still open.
      const server = uvhttp.createServer((req, res) => {
        seen.push(req.url)
        waitFor(() => req.socket.bytesRead >= total, 2000, 'the later read').then(() => res.end('answered'), (err) => res.destroy(err))
      })
      const front = foreign ? net.createServer((s) => server.emit('connection', s)) : server
      const port = await listen(front)
      try {
        const client = await rawClient(port)
        client.write(UPGRADE_GET)
        await waitFor(() => seen.length === 1, 2000, 'the first request')
        client.write(SMUGGLED)
        await client.until((t) => t.includes('answered'))
        await delay(50)
        assert.deepStrictEqual(seen, ['/first'])
        await client.waitClose()
        assert.match(client.text, /^HTTP\/1\.1 200 OK\r\n[^]*Connection: close\r\n[^]*answered$/)
      } finally {
        if (front.closeAllConnections) front.closeAllConnections()
        await close(front)
      }
    })
  }
})
