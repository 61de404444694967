'use strict'
// Agent pooling (COMPAT.md #11) with each implementation's client: keep-alive
// reuse on the same local port, maxSockets queueing and the requests map,
// 'agentRemove', agent: false, the free-socket timeout, a pooled socket the
// server closes just as a request goes out, and where connections go
// (localhost over IPv4 and ::1, Unix sockets).
const assert = require('assert')
const { eachImpl } = require('../helpers/impls')
const { SERVERS, useServers, scripted, exchange, waitFor, delay } = require('../helpers/client-util')

const OK = (body) => `HTTP/1.1 200 OK\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`

/** Resolves the local port of the socket a request used, and the body. */
function portAndBody (http, options) {
  return new Promise((resolve, reject) => {
    const req = http.request(options, (res) => {
      const chunks = []
      res.on('data', (c) => chunks.push(c))
      res.on('end', () => resolve({ localPort, body: Buffer.concat(chunks).toString(), reused: req.reusedSocket }))
    })
    let localPort
    req.on('socket', (s) => {
      if (s.localPort) localPort = s.localPort
      else s.once('connect', () => { localPort = s.localPort })
    })
    req.on('error', reject)
    req.end()
  })
}

eachImpl('client agent', (http) => {
  const servers = useServers()

  for (const [serverName, serverHttp] of SERVERS) {
    describe(`against the ${serverName}`, () => {
      it('keep-alive: the next request reuses the socket (same local port, reusedSocket)', async () => {
        const { port } = await servers.http(serverHttp, (req, res) => res.end(req.url))
        const agent = new http.Agent({ keepAlive: true })
        const a = await portAndBody(http, { host: '127.0.0.1', port, path: '/1', agent })
        await waitFor(() => Object.keys(agent.freeSockets).length === 1, 2000, 'free socket')
        const name = `127.0.0.1:${port}:`
        assert.deepStrictEqual(Object.keys(agent.freeSockets), [name])
        assert.deepStrictEqual(Object.keys(agent.sockets), [])
        const b = await portAndBody(http, { host: '127.0.0.1', port, path: '/2', agent })
        agent.destroy()
        assert.deepStrictEqual([a.body, b.body, a.reused, b.reused], ['/1', '/2', false, true])
        assert.strictEqual(a.localPort, b.localPort)
      })

      it('maxSockets: 1 queues the second request in agent.requests, then serves it on the same socket', async () => {
        const { port } = await servers.http(serverHttp, (req, res) => setTimeout(() => res.end(req.url), 30))
        const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
        const name = agent.getName({ host: '127.0.0.1', port })
        const p1 = portAndBody(http, { host: '127.0.0.1', port, path: '/1', agent })
        const p2 = portAndBody(http, { host: '127.0.0.1', port, path: '/2', agent })
        assert.strictEqual(agent.requests[name].length, 1)
        assert.strictEqual(agent.totalSocketCount, 1)
        const [a, b] = await Promise.all([p1, p2])
        assert.strictEqual(agent.requests[name], undefined)
        agent.destroy()
        // Handed over by 'free' rather than taken from the pool: Node does not
        // mark that as reusedSocket.
        assert.deepStrictEqual([a.body, b.body, b.reused], ['/1', '/2', false])
        assert.strictEqual(a.localPort, b.localPort)
      })

      it('agent: false uses a new connection with Connection: close each time', async () => {
        const seen = []
        const { port } = await servers.http(serverHttp, (req, res) => {
          seen.push([req.headers.connection, req.socket.remotePort])
          res.end()
        })
        const a = await exchange(http, { host: '127.0.0.1', port, agent: false })
        const b = await exchange(http, { host: '127.0.0.1', port, agent: false })
        assert.deepStrictEqual(seen.map((s) => s[0]), ['close', 'close'])
        assert.notStrictEqual(seen[0][1], seen[1][1])
        assert.strictEqual(a.req.shouldKeepAlive, false)
        assert.strictEqual(b.req.reusedSocket, false)
      })

      it('the global agent keeps sockets alive and sends Connection: keep-alive', async () => {
        let connection
        const { port } = await servers.http(serverHttp, (req, res) => {
          connection = req.headers.connection
          res.end()
        })
        const out = await exchange(http, { host: '127.0.0.1', port })
        assert.strictEqual(connection, 'keep-alive')
        assert.strictEqual(out.req.agent, http.globalAgent)
        assert.deepStrictEqual([http.globalAgent.keepAlive, http.globalAgent.options.timeout, http.globalAgent.scheduling], [true, 5000, 'lifo'])
        await waitFor(() => (http.globalAgent.freeSockets[`127.0.0.1:${port}:`] || []).length === 1, 2000, 'pooled')
        for (const s of http.globalAgent.freeSockets[`127.0.0.1:${port}:`]) s.destroy()
      })
    })
  }

  it('the agent is handed a null-prototype copy of the options, keys in order, the caller\'s object untouched', () => {
    let handed
    const agent = { addRequest (req, options) { handed = options } }
    const sym = Symbol('extra')
    const options = { host: '127.0.0.1', port: 9, path: '/x', agent, headers: { a: 'b' }, [sym]: 1 }
    const before = Reflect.ownKeys(options)
    http.request(options).on('error', () => {})
    assert.strictEqual(Object.getPrototypeOf(handed), null)
    assert.deepStrictEqual(Reflect.ownKeys(handed), ['host', 'port', 'path', 'agent', 'headers', sym])
    assert.deepStrictEqual([handed.host, handed.port, handed.path, handed[sym]], ['127.0.0.1', 9, '/x', 1])
    assert.deepStrictEqual(Reflect.ownKeys(options), before)
  })

  it('agent.options: a null-prototype copy of the constructor\'s options, with noDelay and path added', () => {
    const given = { keepAlive: true, maxSockets: 3 }
    const agent = new http.Agent(given)
    assert.strictEqual(Object.getPrototypeOf(agent.options), null)
    assert.notStrictEqual(agent.options, given)
    assert.deepStrictEqual(Reflect.ownKeys(agent.options), ['keepAlive', 'maxSockets', 'noDelay', 'path'])
    assert.deepStrictEqual([agent.options.noDelay, agent.options.path], [true, null])
    agent.options.timeout = 5
    assert.strictEqual(agent.options.timeout, 5)
    agent.destroy()
  })

  it('\'agentRemove\' takes a socket out of the pool', async () => {
    const { port } = await servers.http(require('http'), (req, res) => res.end('x'))
    const agent = new http.Agent({ keepAlive: true })
    const name = `127.0.0.1:${port}:`
    await new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, agent }, (res) => {
        assert.strictEqual(agent.sockets[name].length, 1)
        req.socket.emit('agentRemove')
        assert.strictEqual(agent.sockets[name], undefined)
        assert.strictEqual(agent.totalSocketCount, 0)
        res.resume()
        res.on('end', resolve)
      })
      req.on('error', reject)
      req.end()
    })
    await delay(20)
    // Removed from the agent, so the end of the response did not pool it.
    assert.deepStrictEqual(Object.keys(agent.freeSockets), [])
    agent.destroy()
  })

  it('free sockets are destroyed after the agent\'s timeout', async () => {
    const { port } = await servers.http(require('http'), (req, res) => res.end('x'))
    const agent = new http.Agent({ keepAlive: true, timeout: 60 })
    await portAndBody(http, { host: '127.0.0.1', port, agent })
    await waitFor(() => Object.keys(agent.freeSockets).length === 1, 2000, 'pooled')
    const socket = agent.freeSockets[`127.0.0.1:${port}:`][0]
    assert.strictEqual(socket.timeout, 60)
    await waitFor(() => socket.destroyed && Object.keys(agent.freeSockets).length === 0, 2000, 'timed out')
    agent.destroy()
  })

  it('a server\'s Keep-Alive: timeout=N hint shortens the free-socket timeout', async () => {
    const { onConnection } = scripted(() => 'HTTP/1.1 200 OK\r\nKeep-Alive: timeout=2\r\nContent-Length: 0\r\n\r\n')
    const { port } = await servers.raw(onConnection)
    const agent = new http.Agent({ keepAlive: true, timeout: 5000 })
    await portAndBody(http, { host: '127.0.0.1', port, agent })
    await waitFor(() => Object.keys(agent.freeSockets).length === 1, 2000, 'pooled')
    assert.strictEqual(agent.freeSockets[`127.0.0.1:${port}:`][0].timeout, 1000)
    agent.destroy()
  })

  it('a pooled socket the server closes as the request goes out: ECONNRESET with reusedSocket', async () => {
    let connections = 0
    const { port } = await servers.raw((sock) => {
      connections++
      let n = 0
      sock.on('data', () => {
        // The first request is answered; the second meets a closing socket.
        if (n++ === 0) sock.write(OK('first'))
        else sock.destroy()
      })
    })
    const agent = new http.Agent({ keepAlive: true })
    await portAndBody(http, { host: '127.0.0.1', port, agent })
    await waitFor(() => Object.keys(agent.freeSockets).length === 1, 2000, 'pooled')
    const out = await exchange(http, { host: '127.0.0.1', port, agent })
    agent.destroy()
    assert.strictEqual(connections, 1)
    assert.strictEqual(out.req.reusedSocket, true)
    assert.strictEqual(out.error.code, 'ECONNRESET')
    assert.strictEqual(out.error.message, 'socket hang up')
    assert.deepStrictEqual(out.events, ['socket', 'finish', 'error ECONNRESET', 'close'])
  })

  it('a pooled socket closed by the server while idle leaves the pool', async () => {
    const { port } = await servers.raw((sock) => {
      sock.once('data', () => {
        sock.write(OK('x'))
        setTimeout(() => sock.end(), 30)
      })
    })
    const agent = new http.Agent({ keepAlive: true })
    const errors = []
    agent.on('error', (e) => errors.push(e))
    await portAndBody(http, { host: '127.0.0.1', port, agent })
    await waitFor(() => Object.keys(agent.freeSockets).length === 1, 2000, 'pooled')
    await waitFor(() => Object.keys(agent.freeSockets).length === 0 && agent.totalSocketCount === 0, 2000, 'removed')
    agent.destroy()
    assert.deepStrictEqual(errors, [])
  })

  it('localhost, 127.0.0.1 and ::1; a lookup giving ::1 then 127.0.0.1 falls back to IPv4', async () => {
    const { port } = await servers.http(require('http'), (req, res) => res.end(req.socket.localAddress))
    const v6 = await servers.http(require('http'), (req, res) => res.end(req.socket.localAddress), { host: '::1' })
    const lookups = []
    const lookup = (host, opts, cb) => {
      lookups.push([host, opts.all])
      const list = [{ address: '::1', family: 6 }, { address: '127.0.0.1', family: 4 }]
      if (opts.all) cb(null, list)
      else cb(null, list[0].address, list[0].family)
    }
    const local = await exchange(http, { host: 'localhost', port, agent: false })
    const six = await exchange(http, { host: '::1', port: v6.port, agent: false })
    const both = await exchange(http, { host: 'localhost', port, agent: false, lookup }, {
      onRequest (req) {
        req.on('socket', (s) => s.on('connectionAttemptFailed', (addr, p, family, err) => lookups.push([addr, family, err.code])))
      }
    })
    assert.strictEqual(local.body.toString(), '127.0.0.1')
    assert.strictEqual(six.body.toString(), '::1')
    assert.strictEqual(both.body.toString(), '127.0.0.1')
    assert.deepStrictEqual(lookups, [['localhost', true], ['::1', 6, 'ECONNREFUSED']])
    assert.strictEqual(six.req.getHeader('host'), `[::1]:${v6.port}`)
  })

  for (const [serverName, serverHttp] of SERVERS) {
    it(`socketPath: a Unix socket (${serverName})`, async () => {
      const { path } = await servers.pipe(serverHttp, (req, res) => res.end(`${req.url} ${req.headers.host}`))
      const out = await exchange(http, { socketPath: path, path: '/over-unix' })
      const again = await exchange(http, { socketPath: path, path: '/again' })
      assert.strictEqual(out.body.toString(), '/over-unix localhost')
      assert.strictEqual(again.body.toString(), '/again localhost')
      assert.strictEqual(again.req.reusedSocket, true)
      for (const list of Object.values(http.globalAgent.freeSockets)) for (const s of list) s.destroy()
    })
  }

  it('socketPath to nowhere: ENOENT from connect', async () => {
    const out = await exchange(http, { socketPath: '/nonexistent/uvhttp.sock', agent: false })
    assert.strictEqual(out.error.code, 'ENOENT')
    assert.strictEqual(out.error.syscall, 'connect')
    assert.strictEqual(out.error.address, '/nonexistent/uvhttp.sock')
    assert.strictEqual(out.error.message, 'connect ENOENT /nonexistent/uvhttp.sock')
  })
})
