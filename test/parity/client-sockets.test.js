'use strict'
// Sockets the client did not make itself, with each implementation's
// client: createConnection returning a net.Socket (or handing it to the
// callback), an agent whose createConnection is net's (Node's own
// http.Agent, as agentkeepalive and proxy agents are), keep-alive over such
// sockets, and a CONNECT tunnel used as the socket of the next request.
const assert = require('assert')
const net = require('net')
const realHttp = require('http')
const { eachImpl } = require('../helpers/impls')
const { useServers, exchange, waitFor } = require('../helpers/client-util')

eachImpl('client over sockets from elsewhere', (http) => {
  const servers = useServers()

  it('createConnection returning a net.Socket', async () => {
    const { port } = await servers.http(realHttp, (req, res) => res.end(`via ${req.headers.connection}`))
    let calls = 0
    const out = await exchange(http, {
      host: '127.0.0.1',
      port,
      createConnection (options) {
        calls++
        return net.connect(options.port, options.host)
      }
    })
    assert.strictEqual(calls, 1)
    assert.strictEqual(out.body.toString(), 'via close')
    assert.strictEqual(out.req.agent, undefined)
    // No agent: the socket is destroyed after the response, before 'close'.
    assert.deepStrictEqual(out.events, ['socket', 'finish', 'response', 'res end', 'res close', 'close'])
  })

  it('createConnection calling back with a socket later', async () => {
    const { port } = await servers.http(realHttp, (req, res) => res.end('later'))
    const out = await exchange(http, {
      host: '127.0.0.1',
      port,
      createConnection (options, cb) {
        setTimeout(() => cb(null, net.connect(options.port, options.host)), 10)
      }
    })
    assert.strictEqual(out.body.toString(), 'later')
  })

  it('createConnection calling back with an error: \'error\' and no \'close\'', async () => {
    const boom = new Error('no socket for you')
    const events = []
    const req = http.request({
      host: '127.0.0.1',
      port: 9,
      createConnection (options, cb) { setTimeout(() => cb(boom), 5) }
    })
    req.on('socket', () => events.push('socket'))
    req.on('close', () => events.push('close'))
    const err = await new Promise((resolve) => req.on('error', resolve))
    await new Promise((resolve) => setTimeout(resolve, 20))
    req.end()
    assert.strictEqual(err, boom)
    assert.deepStrictEqual(events, [])
  })

  it('Node\'s own http.Agent (net sockets) with keep-alive reuse', async () => {
    const { port } = await servers.http(realHttp, (req, res) => {
      res.setHeader('Transfer-Encoding', 'chunked')
      res.write('a')
      res.end(req.url)
    })
    const agent = new realHttp.Agent({ keepAlive: true })
    const a = await exchange(http, { host: '127.0.0.1', port, path: '/1', agent })
    await waitFor(() => Object.keys(agent.freeSockets).length === 1, 2000, 'pooled')
    const b = await exchange(http, { host: '127.0.0.1', port, path: '/2', agent })
    agent.destroy()
    assert.deepStrictEqual([a.body.toString(), b.body.toString(), b.req.reusedSocket], ['a/1', 'a/2', true])
    assert(a.req.socket instanceof net.Socket)
  })

  it('a foreign socket: HEAD, 1xx and a parse error behave as on the engine', async () => {
    const { port } = await servers.raw((sock) => {
      sock.once('data', (d) => {
        if (d.toString().startsWith('HEAD')) sock.write('HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n')
        else sock.write('HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n')
      })
    })
    const createConnection = (options) => net.connect(options.port, options.host)
    const head = await exchange(http, { host: '127.0.0.1', port, method: 'HEAD', createConnection })
    const bad = await exchange(http, { host: '127.0.0.1', port, createConnection })
    assert.deepStrictEqual(head.events, ['socket', 'finish', 'information 103', 'response', 'res end', 'res close', 'close'])
    assert.strictEqual(head.body.length, 0)
    assert.strictEqual(bad.error.code, 'HPE_INVALID_CONTENT_LENGTH')
  })

  it('a CONNECT tunnel\'s socket carries the next request', async () => {
    const { port: target } = await servers.http(realHttp, (req, res) => res.end(`tunnelled ${req.url}`))
    const { server: proxy, port: proxyPort } = await servers.http(realHttp, () => {})
    proxy.on('connect', (req, clientSocket, head) => {
      const [host, p] = req.url.split(':')
      const upstream = net.connect(Number(p), host, () => {
        clientSocket.write('HTTP/1.1 200 Connection Established\r\n\r\n')
        upstream.write(head)
        upstream.pipe(clientSocket)
        clientSocket.pipe(upstream)
      })
      upstream.on('error', () => clientSocket.destroy())
      clientSocket.on('error', () => upstream.destroy())
    })
    const tunnel = await new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: proxyPort, method: 'CONNECT', path: `127.0.0.1:${target}` })
      req.on('connect', (res, socket) => resolve(socket))
      req.on('error', reject)
      req.end()
    })
    const out = await exchange(http, { host: '127.0.0.1', port: target, path: '/inside', createConnection: () => tunnel })
    assert.strictEqual(out.body.toString(), 'tunnelled /inside')
  })

  it('Node\'s HTTP parser pool is left as found after a foreign socket', async () => {
    const { port } = await servers.http(realHttp, (req, res) => res.end(`node ${req.url}`))
    const createConnection = (options) => net.connect(options.port, options.host)
    for (let i = 0; i < 3; i++) await exchange(http, { host: '127.0.0.1', port, path: `/f${i}`, createConnection })
    // Node's own server and client take parsers from the same pool.
    for (let i = 0; i < 3; i++) {
      const out = await exchange(realHttp, { host: '127.0.0.1', port, path: `/n${i}`, agent: false })
      assert.strictEqual(out.body.toString(), `node /n${i}`)
    }
  })

  describe('TLS through https.Agent', () => {
    let tlsOptions = null
    before(function () {
      // A throwaway self-signed certificate; skipped without openssl.
      const { execFileSync } = require('child_process')
      const fs = require('fs')
      const os = require('os')
      const path = require('path')
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'uvhttp-tls-'))
      try {
        execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(dir, 'k.pem'),
          '-out', path.join(dir, 'c.pem'), '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' })
        tlsOptions = { key: fs.readFileSync(path.join(dir, 'k.pem')), cert: fs.readFileSync(path.join(dir, 'c.pem')) }
      } catch {
        this.skip()
      } finally {
        fs.rmSync(dir, { recursive: true, force: true })
      }
    })

    it('a request over a TLS socket, kept alive', async () => {
      const https = require('https')
      const server = https.createServer(tlsOptions, (req, res) => res.end(`secure ${req.url} ${req.socket.encrypted}`))
      servers.track(server)
      await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
      const agent = new https.Agent({ keepAlive: true, ca: tlsOptions.cert })
      const port = server.address().port
      const a = await exchange(http, { protocol: 'https:', host: '127.0.0.1', port, path: '/1', agent })
      await waitFor(() => Object.keys(agent.freeSockets).length === 1, 2000, 'pooled')
      const b = await exchange(http, { protocol: 'https:', host: '127.0.0.1', port, path: '/2', agent })
      agent.destroy()
      assert.deepStrictEqual([a.body.toString(), b.body.toString(), b.req.reusedSocket], ['secure /1 true', 'secure /2 true', true])
      assert.strictEqual(a.req.protocol, 'https:')
    })
  })
})
