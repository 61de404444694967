'use strict'
// uvhttp's client as an API: what the module exports and how (COMPAT.md #8,
// #17), that requests really run on the engine's connections, and the parts
// Node no longer has (createClient).
const assert = require('assert')
const net = require('net')
const realHttp = require('http')
const util = require('util')
const { uvhttp, useServers, exchange, waitFor } = require('../helpers/client-util')

describe('client API', () => {
  const servers = useServers()

  it('request, get, ClientRequest, Agent, globalAgent, createClient are plain writable properties', () => {
    for (const name of ['request', 'get', 'ClientRequest', 'Agent', 'globalAgent', 'createClient']) {
      const d = Object.getOwnPropertyDescriptor(uvhttp, name)
      assert(d, name)
      assert.strictEqual(d.writable, true, name)
      assert.strictEqual(d.get, undefined, name)
    }
    assert.notStrictEqual(uvhttp.request, realHttp.request)
    assert.notStrictEqual(uvhttp.ClientRequest, realHttp.ClientRequest)
  })

  it('a request runs on an engine connection: a net.Socket without a libuv handle of Node\'s', async () => {
    const { port } = await servers.http(realHttp, (req, res) => res.end('x'))
    const out = await exchange(uvhttp, { host: '127.0.0.1', port, agent: false })
    const socket = out.req.socket
    assert(socket instanceof net.Socket)
    assert.strictEqual(socket._handle, null)
    assert.strictEqual(socket.constructor.name, 'ClientSocket')
    assert(out.req instanceof uvhttp.ClientRequest)
    assert(out.req instanceof realHttp.OutgoingMessage)
    assert(out.res instanceof uvhttp.IncomingMessage)
    assert(out.res instanceof realHttp.IncomingMessage)
    assert.strictEqual(out.res.req, out.req)
  })

  it('remote and local addresses, bytes counted', async () => {
    const { port } = await servers.http(realHttp, (req, res) => res.end(`${req.socket.remotePort}`))
    let info
    const out = await exchange(uvhttp, { host: '127.0.0.1', port, agent: false }, {
      onResponse (res, req) {
        const s = req.socket
        info = { remoteAddress: s.remoteAddress, remotePort: s.remotePort, remoteFamily: s.remoteFamily, localAddress: s.localAddress, localPort: s.localPort }
      }
    })
    assert.deepStrictEqual(info, { remoteAddress: '127.0.0.1', remotePort: port, remoteFamily: 'IPv4', localAddress: '127.0.0.1', localPort: Number(out.body.toString()) })
    assert(out.req.socket.bytesWritten > 40)
    assert(out.req.socket.bytesRead > 40)
  })

  it('localAddress binds the connection', async () => {
    const { port } = await servers.http(realHttp, (req, res) => res.end(req.socket.remoteAddress))
    const out = await exchange(uvhttp, { host: '127.0.0.1', port, agent: false, localAddress: '127.0.0.2' })
    assert.strictEqual(out.body.toString(), '127.0.0.2')
  })

  it('ClientRequest.call(this) and util.inherits(MyAgent, Agent) work (ES5 subclasses)', async () => {
    const { port } = await servers.http(realHttp, (req, res) => res.end(req.headers['x-sub']))
    function MyAgent (options) { uvhttp.Agent.call(this, options); this.made = 0 }
    util.inherits(MyAgent, uvhttp.Agent)
    MyAgent.prototype.createConnection = function (options, cb) {
      this.made++
      return uvhttp.Agent.prototype.createConnection.call(this, options, cb)
    }
    function MyRequest (options, cb) { uvhttp.ClientRequest.call(this, options, cb) }
    util.inherits(MyRequest, uvhttp.ClientRequest)
    const agent = new MyAgent({ keepAlive: true })
    const body = await new Promise((resolve, reject) => {
      const req = new MyRequest({ host: '127.0.0.1', port, agent, headers: { 'X-Sub': 'yes' } }, (res) => {
        let text = ''
        res.on('data', (d) => { text += d })
        res.on('end', () => resolve(text))
      })
      req.on('error', reject)
      req.end()
    })
    assert.strictEqual(body, 'yes')
    assert.strictEqual(agent.made, 1)
    assert(agent instanceof realHttp.Agent)
    agent.destroy()
  })

  it('Agent() without new, and defaultMaxSockets', () => {
    const a = uvhttp.Agent({ keepAlive: true })
    assert(a instanceof uvhttp.Agent)
    assert.strictEqual(a.maxSockets, Infinity)
    assert.strictEqual(new uvhttp.Agent({ maxSockets: 3 }).maxSockets, 3)
  })

  it('replacing globalAgent changes the default agent of later requests', async () => {
    const { port } = await servers.http(realHttp, (req, res) => res.end())
    const saved = uvhttp.globalAgent
    const mine = new uvhttp.Agent({ keepAlive: true })
    uvhttp.globalAgent = mine
    try {
      const out = await exchange(uvhttp, { host: '127.0.0.1', port })
      assert.strictEqual(out.req.agent, mine)
    } finally {
      uvhttp.globalAgent = saved
      mine.destroy()
    }
  })

  it('an idle pooled socket does not keep the process alive', async function () {
    this.timeout(6000)
    const { execFile } = require('child_process')
    const { port } = await servers.http(realHttp, (req, res) => res.end('x'))
    // The server lives in this process; the child must exit with its free
    // socket still open (the agent unrefs it), long before any keep-alive
    // timeout would close it.
    const script = `
      const http = require(${JSON.stringify(require('path').join(__dirname, '..', '..'))})
      http.get({ port: ${port}, host: '127.0.0.1' }, (res) => {
        res.resume()
        res.on('end', () => console.log('done'))
      })`
    const started = Date.now()
    const stdout = await new Promise((resolve, reject) => {
      execFile(process.execPath, ['-e', script], { timeout: 4000 }, (err, out) => (err ? reject(err) : resolve(out)))
    })
    assert.strictEqual(stdout.trim(), 'done')
    assert(Date.now() - started < 3000)
  })

  it('createClient (deprecated): client.request([method,] path, headers)', async () => {
    const { port } = await servers.http(realHttp, (req, res) => res.end(`${req.method} ${req.url} ${req.headers.a}`))
    const warnings = []
    const onWarning = (w) => warnings.push(w.name)
    process.on('warning', onWarning)
    try {
      const client = uvhttp.createClient(port, '127.0.0.1')
      const bodies = []
      for (const args of [['/a', { a: '1' }], ['DELETE', '/b', { a: '2' }]]) {
        bodies.push(await new Promise((resolve, reject) => {
          const req = client.request(...args)
          req.on('response', (res) => {
            let text = ''
            res.on('data', (d) => { text += d })
            res.on('end', () => resolve(text))
          })
          client.once('error', reject)
          req.end()
        }))
      }
      assert.deepStrictEqual(bodies, ['GET /a 1', 'DELETE /b 2'])
      client.agent.destroy()
      await waitFor(() => warnings.length > 0, 1000, 'deprecation warning')
      assert.deepStrictEqual(warnings, ['DeprecationWarning'])
    } finally {
      process.off('warning', onWarning)
    }
  })

  it('a request interceptor that replaces http.request on the module sees uvhttp.get calls', async () => {
    const { port } = await servers.http(realHttp, (req, res) => res.end('real'))
    const saved = uvhttp.request
    const seen = []
    uvhttp.request = function (...args) { seen.push(args[0].path || String(args[0])); return saved.apply(this, args) }
    try {
      const req = uvhttp.request({ host: '127.0.0.1', port, path: '/mocked' })
      req.end()
      await new Promise((resolve) => req.on('response', (res) => { res.resume(); res.on('end', resolve) }))
    } finally {
      uvhttp.request = saved
    }
    assert.deepStrictEqual(seen, ['/mocked'])
  })
})
