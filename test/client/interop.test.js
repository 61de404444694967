'use strict'
// uvhttp's client pieces mixed with Node's: node:http's request over a
// uvhttp Agent (libraries that take an `agent` option and call
// require('http').request themselves), and uvhttp's request over a socket
// another HTTP client already used.
const assert = require('assert')
const realHttp = require('http')
const { uvhttp, useServers, exchange, waitFor } = require('../helpers/client-util')

describe('client interop with node:http', () => {
  const servers = useServers()

  it('node:http\'s request over a uvhttp Agent: responses, keep-alive reuse', async () => {
    const { port } = await servers.http(realHttp, (req, res) => {
      if (req.url === '/chunked') res.write('a')
      res.end(req.url)
    })
    const agent = new uvhttp.Agent({ keepAlive: true })
    const a = await exchange(realHttp, { host: '127.0.0.1', port, path: '/one', agent })
    await waitFor(() => Object.keys(agent.freeSockets).length === 1, 2000, 'pooled')
    const b = await exchange(realHttp, { host: '127.0.0.1', port, path: '/chunked', agent })
    assert.deepStrictEqual([a.body.toString(), b.body.toString(), b.req.reusedSocket], ['/one', 'a/chunked', true])
    assert.strictEqual(a.req.socket.constructor.name, 'ClientSocket')
    // The same pooled socket then serves uvhttp's own request.
    await waitFor(() => Object.keys(agent.freeSockets).length === 1, 2000, 'pooled again')
    const c = await exchange(uvhttp, { host: '127.0.0.1', port, path: '/three', agent })
    assert.deepStrictEqual([c.body.toString(), c.req.reusedSocket], ['/three', true])
    agent.destroy()
  })

  it('node:http\'s request over a uvhttp Agent: errors and upgrades', async () => {
    const agent = new uvhttp.Agent()
    const refused = await exchange(realHttp, { host: '127.0.0.1', port: 1, agent })
    assert.strictEqual(refused.error.message, 'connect ECONNREFUSED 127.0.0.1:1')
    const { port } = await servers.raw((sock) => {
      sock.once('data', () => {
        sock.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\nConnection: Upgrade\r\n\r\nhead')
        sock.on('data', (d) => sock.write(d))
      })
    })
    const echoed = await new Promise((resolve, reject) => {
      const req = realHttp.request({ host: '127.0.0.1', port, agent, headers: { Upgrade: 'x', Connection: 'Upgrade' } })
      req.on('upgrade', (res, socket, head) => {
        socket.write('ping')
        socket.once('data', (d) => { socket.destroy(); resolve([head.toString(), d.toString()]) })
      })
      req.on('error', reject)
      req.end()
    })
    assert.deepStrictEqual(echoed, ['head', 'ping'])
  })
})
