'use strict'
// Issue 14: uvhttp's own Agent keeps Node's public surface. What users and
// agents built on Node's read and write: the pools as null-prototype objects
// of arrays keyed by getName() (a key only while its array is not empty),
// totalSocketCount, the agent's 'free' event, maxTotalSockets across pools,
// the ES5 constructor, and the methods subclasses override and call:
// getName (a key of its own), createConnection (a socket of another kind),
// createSocket with a placeholder in `sockets` while connecting, as proxy
// agents built on agent-base do.
const assert = require('assert')
const net = require('net')
const util = require('util')
const { eachImpl } = require('../helpers/impls')
const { useServers, waitFor } = require('../helpers/client-util')

/** One GET through `agent`; resolves { body, reused, localPort }. */
function get (http, port, path, agent, extra = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, agent, ...extra }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c) => { body += c })
      res.on('end', () => resolve({ body, reused: req.reusedSocket, localPort: req.socket.localPort }))
    })
    req.on('error', reject)
    req.end()
  })
}

eachImpl('client agent: public surface', (http) => {
  const servers = useServers()
  const echoUrl = (req, res) => res.end(req.url)

  it('pools are null-prototype objects keyed by getName(), a key only while its array is not empty', async () => {
    const { port } = await servers.http(http, (req, res) => setTimeout(() => res.end(req.url), 20))
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
    const name = agent.getName({ host: '127.0.0.1', port })
    assert.strictEqual(name, `127.0.0.1:${port}:`)
    for (const pool of [agent.sockets, agent.freeSockets, agent.requests]) {
      assert.strictEqual(Object.getPrototypeOf(pool), null)
      assert.deepStrictEqual(Object.keys(pool), [])
    }
    const frees = []
    agent.on('free', (socket, options) => frees.push([socket instanceof net.Socket, options.host, options.port]))
    const a = get(http, port, '/a', agent)
    const b = get(http, port, '/b', agent)
    assert.deepStrictEqual([Object.keys(agent.sockets), agent.sockets[name].length], [[name], 1])
    assert.deepStrictEqual([Object.keys(agent.requests), agent.requests[name].length], [[name], 1])
    assert.ok(Array.isArray(agent.requests[name]))
    assert.strictEqual(agent.totalSocketCount, 1)
    const results = await Promise.all([a, b])
    await waitFor(() => Object.keys(agent.freeSockets).length === 1, 2000, 'pooled')
    // Handed over by 'free' to the waiting request, not taken from the free pool.
    assert.deepStrictEqual(results.map((r) => [r.body, r.reused]), [['/a', false], ['/b', false]])
    assert.deepStrictEqual([Object.keys(agent.sockets), Object.keys(agent.requests)], [[], []])
    assert.deepStrictEqual([Object.keys(agent.freeSockets), agent.freeSockets[name].length], [[name], 1])
    assert.deepStrictEqual(frees, [[true, '127.0.0.1', port], [true, '127.0.0.1', port]])
    agent.destroy()
    await waitFor(() => agent.totalSocketCount === 0, 2000, 'closed')
    assert.deepStrictEqual(Object.keys(agent.freeSockets), [])
  })

  it('a pooled socket with an idle timeout, destroyed: no \'timeout\' after its \'close\'', async () => {
    // agentkeepalive counted a second timeout of every socket its
    // freeSocketTimeout closed: the engine's socket left its timer armed.
    const { port } = await servers.http(http, echoUrl)
    const agent = new http.Agent({ keepAlive: true })
    await get(http, port, '/', agent)
    await waitFor(() => Object.keys(agent.freeSockets).length === 1, 2000, 'pooled')
    const socket = agent.freeSockets[`127.0.0.1:${port}:`][0]
    const events = []
    socket.on('timeout', () => { events.push('timeout'); socket.destroy() })
    socket.on('close', () => events.push('close'))
    socket.setTimeout(30)
    await waitFor(() => events.includes('close'), 2000, 'close')
    await new Promise((resolve) => setTimeout(resolve, 120))
    assert.deepStrictEqual(events, ['timeout', 'close'])
  })

  it('maxTotalSockets: a request of another pool waits, and gets a socket when one closes', async () => {
    const one = await servers.http(http, echoUrl)
    const two = await servers.http(http, echoUrl)
    const agent = new http.Agent({ maxTotalSockets: 1 })
    const a = get(http, one.port, '/one', agent)
    const b = get(http, two.port, '/two', agent)
    const nameTwo = agent.getName({ host: '127.0.0.1', port: two.port })
    assert.deepStrictEqual([agent.totalSocketCount, Object.keys(agent.requests)], [1, [nameTwo]])
    assert.deepStrictEqual((await Promise.all([a, b])).map((r) => r.body), ['/one', '/two'])
    await waitFor(() => agent.totalSocketCount === 0, 2000, 'closed')
    assert.deepStrictEqual(Object.keys(agent.requests), [])
  })

  it('the ES5 way: Agent() without new, Agent.call(this) with util.inherits', async () => {
    const { port } = await servers.http(http, echoUrl)
    assert.ok(http.Agent({ keepAlive: true }) instanceof http.Agent)
    function OldStyle (options) {
      http.Agent.call(this, options)
      this.made = 0
    }
    util.inherits(OldStyle, http.Agent)
    OldStyle.prototype.createConnection = function (options, cb) {
      this.made++
      return http.Agent.prototype.createConnection.call(this, options, cb)
    }
    const agent = new OldStyle({ keepAlive: true })
    const a = await get(http, port, '/1', agent)
    await waitFor(() => Object.keys(agent.freeSockets).length === 1, 2000, 'pooled')
    const b = await get(http, port, '/2', agent)
    agent.destroy()
    assert.deepStrictEqual([a.body, b.body, b.reused, agent.made, a.localPort === b.localPort], ['/1', '/2', true, 1, true])
  })

  it('a subclass\'s getName makes the pool key (sockets are shared by that key only)', async () => {
    const { port } = await servers.http(http, echoUrl)
    class Tenants extends http.Agent {
      getName (options) { return `${super.getName(options)}:${options.tenant}` }
    }
    const agent = new Tenants({ keepAlive: true })
    const a = await get(http, port, '/a', agent, { tenant: 'x' })
    await waitFor(() => Object.keys(agent.freeSockets).length === 1, 2000, 'pooled')
    const base = `127.0.0.1:${port}:`
    assert.deepStrictEqual(Object.keys(agent.freeSockets), [`${base}:x`])
    const b = await get(http, port, '/b', agent, { tenant: 'y' })
    const c = await get(http, port, '/c', agent, { tenant: 'x' })
    await waitFor(() => Object.keys(agent.freeSockets).length === 2, 2000, 'pooled')
    agent.destroy()
    assert.deepStrictEqual([a.reused, b.reused, c.reused], [false, false, true])
    assert.strictEqual(a.localPort, c.localPort)
    assert.notStrictEqual(a.localPort, b.localPort)
    assert.deepStrictEqual(Object.keys(agent.freeSockets).sort(), [`${base}:x`, `${base}:y`])
  })

  it('a subclass\'s createConnection returning a net.Socket: pooled and reused like the agent\'s own', async () => {
    const { port } = await servers.http(http, echoUrl)
    const seen = []
    class NetAgent extends http.Agent {
      createConnection (options, cb) {
        seen.push([options.host, options.port, options.keepAlive])
        return net.connect({ host: options.host, port: options.port }, cb)
      }
    }
    const agent = new NetAgent({ keepAlive: true })
    const a = await get(http, port, '/1', agent)
    await waitFor(() => Object.keys(agent.freeSockets).length === 1, 2000, 'pooled')
    const b = await get(http, port, '/2', agent)
    await waitFor(() => Object.keys(agent.freeSockets).length === 1, 2000, 'pooled')
    const socket = agent.freeSockets[`127.0.0.1:${port}:`][0]
    agent.destroy()
    assert.deepStrictEqual([a.body, b.body, b.reused, a.localPort === b.localPort], ['/1', '/2', true, true])
    assert.deepStrictEqual(seen, [['127.0.0.1', port, true]])
    assert.strictEqual(Object.getPrototypeOf(socket), net.Socket.prototype)
  })

  it('a proxy-agent-style subclass: a placeholder in `sockets` while it connects, then super.createSocket', async () => {
    // As agent-base does: createSocket counts a placeholder socket in
    // `sockets` (so maxSockets holds while connecting asynchronously),
    // removes it, and hands the connected socket to Node's createSocket
    // through createConnection; addRequest puts the request in absolute
    // form (http-proxy-agent).
    const { port } = await servers.http(http, (req, res) => res.end(`${req.url} via ${req.headers.host}`))
    class ProxyStyle extends http.Agent {
      addRequest (req, options) {
        req.path = `http://${options.host}:${options.port}${req.path}`
        super.addRequest(req, options)
      }

      createSocket (req, options, cb) {
        const name = this.getName(options)
        const placeholder = new net.Socket({ writable: false })
        if (!this.sockets[name]) this.sockets[name] = []
        this.sockets[name].push(placeholder)
        this.totalSocketCount++
        const proxy = net.connect(port, '127.0.0.1')
        proxy.once('connect', () => {
          const list = this.sockets[name]
          list.splice(list.indexOf(placeholder), 1)
          this.totalSocketCount--
          if (list.length === 0) delete this.sockets[name]
          this.pending = proxy
          super.createSocket(req, options, cb)
        })
      }

      createConnection () {
        const socket = this.pending
        this.pending = null
        return socket
      }
    }
    const agent = new ProxyStyle({ keepAlive: true, maxSockets: 1 })
    const a = get(http, 8080, '/x', agent, { host: 'origin.test' })
    const b = get(http, 8080, '/y', agent, { host: 'origin.test' })
    const name = agent.getName({ host: 'origin.test', port: 8080 })
    assert.deepStrictEqual([agent.totalSocketCount, agent.sockets[name].length, agent.requests[name].length], [1, 1, 1])
    const [ra, rb] = await Promise.all([a, b])
    await waitFor(() => Object.keys(agent.freeSockets).length === 1, 2000, 'pooled')
    const rc = await get(http, 8080, '/z', agent, { host: 'origin.test' })
    agent.destroy()
    assert.deepStrictEqual([ra.body, rb.body, rc.body], ['/x', '/y', '/z'].map((p) => `http://origin.test:8080${p} via origin.test:8080`))
    assert.deepStrictEqual([ra.localPort === rb.localPort, rb.localPort === rc.localPort, rc.reused], [true, true, true])
  })
})
