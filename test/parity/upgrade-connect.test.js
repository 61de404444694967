'use strict'
// Issue 4: a CONNECT tunnelling proxy on the server's 'connect' event (the
// seed document's example, in test form) with curl as the client:
// `curl --proxytunnel -x http://proxy url` through the proxy to a second,
// plain HTTP server. Also large uploads and downloads through the tunnel,
// connection reuse inside it, and a refused target.
const assert = require('assert')
const crypto = require('crypto')
const fs = require('fs')
const net = require('net')
const nodeHttp = require('http')
const os = require('os')
const path = require('path')
const { execFile, execFileSync } = require('child_process')
const { eachImpl } = require('../helpers/impls')
const { listen, close } = require('../helpers/net')
const { useServers } = require('../helpers/res-util')
const { selfSignedCert } = require('../helpers/tls-cert')
const tls = require('tls')

const sha = (buf) => crypto.createHash('sha256').update(buf).digest('hex')

/** Runs curl; resolves { code, stdout (Buffer), stderr }. Bounded by --max-time and a kill timer. */
function curl (args) {
  return new Promise((resolve) => {
    execFile('curl', ['-sS', '--max-time', '8', ...args], { encoding: 'buffer', timeout: 10000, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => resolve({ code: err ? (err.code ?? 'killed') : 0, stdout, stderr: stderr.toString() }))
  })
}

const haveCurl = (() => {
  try {
    execFileSync('curl', ['--version'], { stdio: 'ignore', timeout: 5000 })
    return true
  } catch {
    return false
  }
})()

eachImpl('CONNECT proxy with curl --proxytunnel', (http) => {
  const serve = useServers(http)
  let origin, originPort
  const upload = crypto.randomBytes(2 * 1024 * 1024 + 3)
  const download = crypto.randomBytes(3 * 1024 * 1024 + 5)
  const tmp = path.join(os.tmpdir(), `uvhttp-connect-${process.pid}.bin`)

  before(async function () {
    if (!haveCurl) this.skip()
    fs.writeFileSync(tmp, upload)
    // The origin: always Node's own http, so only the proxy is under test.
    origin = nodeHttp.createServer((req, res) => {
      if (req.url === '/download') return res.end(download)
      const chunks = []
      req.on('data', (c) => chunks.push(c))
      req.on('end', () => res.end(`origin ${req.method} ${req.url} ${chunks.length ? sha(Buffer.concat(chunks)) : '-'}`))
    })
    originPort = await listen(origin)
  })
  after(async () => {
    fs.rmSync(tmp, { force: true })
    await close(origin)
  })

  /** The seed's tunnelling proxy: connect to req.url, answer 200, pipe both ways. */
  async function proxy () {
    const { server, port } = await serve((req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' })
      res.end('okay')
    })
    const tunnels = []
    server.on('connect', (req, cltSocket, head) => {
      tunnels.push(req.url)
      const { port: p, hostname } = new URL(`http://${req.url}`)
      const srvSocket = net.connect(p, hostname, () => {
        cltSocket.write('HTTP/1.1 200 Connection Established\r\n' +
                        'Proxy-agent: Node-Proxy\r\n' +
                        '\r\n')
        srvSocket.write(head)
        srvSocket.pipe(cltSocket)
        cltSocket.pipe(srvSocket)
      })
      srvSocket.on('error', () => cltSocket.end('HTTP/1.1 502 Bad Gateway\r\n\r\n'))
      cltSocket.on('error', () => srvSocket.destroy())
    })
    return { server, port, tunnels }
  }

  it('a GET through the tunnel reaches the origin; the proxy saw CONNECT host:port', async () => {
    const { port, tunnels } = await proxy()
    const out = await curl(['--proxytunnel', '-x', `http://127.0.0.1:${port}`, `http://127.0.0.1:${originPort}/hello?x=1`])
    assert.strictEqual(out.code, 0, out.stderr)
    assert.strictEqual(out.stdout.toString(), 'origin GET /hello?x=1 -')
    assert.deepStrictEqual(tunnels, [`127.0.0.1:${originPort}`])
  })

  it('two URLs reuse one tunnel; a 2 MiB upload and a 3 MiB download come through intact', async () => {
    const { port, tunnels } = await proxy()
    const up = await curl(['--proxytunnel', '-x', `http://127.0.0.1:${port}`, '--data-binary', `@${tmp}`,
      `http://127.0.0.1:${originPort}/upload`])
    assert.strictEqual(up.code, 0, up.stderr)
    assert.strictEqual(up.stdout.toString(), `origin POST /upload ${sha(upload)}`)
    const both = await curl(['--proxytunnel', '-x', `http://127.0.0.1:${port}`,
      `http://127.0.0.1:${originPort}/download`, `http://127.0.0.1:${originPort}/after`])
    assert.strictEqual(both.code, 0, both.stderr)
    assert.strictEqual(both.stdout.length, download.length + 'origin GET /after -'.length)
    assert.ok(both.stdout.subarray(0, download.length).equals(download))
    assert.strictEqual(both.stdout.subarray(download.length).toString(), 'origin GET /after -')
    // One tunnel for the upload, one shared by the two URLs of the second run.
    assert.strictEqual(tunnels.length, 2)
  })

  it('plain proxy requests (no tunnel) still reach the request handler', async () => {
    const { port, tunnels } = await proxy()
    const out = await curl(['-x', `http://127.0.0.1:${port}`, `http://127.0.0.1:${originPort}/direct`])
    assert.strictEqual(out.code, 0, out.stderr)
    assert.strictEqual(out.stdout.toString(), 'okay')
    assert.deepStrictEqual(tunnels, [])
  })

  it('a TLS-terminating proxy: the CONNECT socket wrapped in a tls.TLSSocket and handed to a second server', async function () {
    const cert = selfSignedCert()
    if (!cert) this.skip()
    const inner = http.createServer((req, res) => {
      res.end(`inner ${req.url} host=${req.headers.host} encrypted=${req.socket.encrypted} ${req.socket instanceof tls.TLSSocket}`)
    })
    const { server, port } = await serve((req, res) => res.end('proxy'))
    const wrapped = []
    server.on('connect', (req, socket, head) => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      if (head.length) socket.unshift(head)
      const tlsSocket = new tls.TLSSocket(socket, { isServer: true, ...cert })
      wrapped.push(req.url)
      inner.emit('connection', tlsSocket)
    })
    const out = await curl(['-k', '--proxytunnel', '-x', `http://127.0.0.1:${port}`,
      'https://secure.example/a', 'https://secure.example/b'])
    assert.strictEqual(out.code, 0, out.stderr)
    assert.strictEqual(out.stdout.toString(),
      'inner /a host=secure.example encrypted=true true' + 'inner /b host=secure.example encrypted=true true')
    assert.deepStrictEqual(wrapped, ['secure.example:443'])
  })

  it('HTTP inside the tunnel: the CONNECT socket handed to a second server, or back to the proxy itself', async () => {
    const inner = http.createServer((req, res) => res.end(`inner ${req.method} ${req.url} host=${req.headers.host}`))
    const { server, port } = await serve((req, res) => res.end(`proxy ${req.method} ${req.url} host=${req.headers.host}`))
    server.on('connect', (req, socket, head) => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      if (head.length) socket.unshift(head)
      const target = req.url.startsWith('inner.example') ? inner : server
      target.emit('connection', socket)
    })
    const body = crypto.randomBytes(300 * 1024)
    fs.writeFileSync(tmp + '.small', body)
    try {
      const a = await curl(['--proxytunnel', '-x', `http://127.0.0.1:${port}`, 'http://inner.example/a', 'http://inner.example/b'])
      assert.strictEqual(a.code, 0, a.stderr)
      assert.strictEqual(a.stdout.toString(), 'inner GET /a host=inner.exampleinner GET /b host=inner.example')
      const b = await curl(['--proxytunnel', '-x', `http://127.0.0.1:${port}`, '--data-binary', `@${tmp}.small`, 'http://self.example/up'])
      assert.strictEqual(b.code, 0, b.stderr)
      assert.strictEqual(b.stdout.toString(), 'proxy POST /up host=self.example')
    } finally {
      fs.rmSync(tmp + '.small', { force: true })
    }
  })

  it('a target that refuses: the proxy answers 502 and curl reports the failed CONNECT', async () => {
    const { port } = await proxy()
    const dead = net.createServer()
    const deadPort = await listen(dead)
    await new Promise((resolve) => dead.close(resolve))
    const out = await curl(['--proxytunnel', '-x', `http://127.0.0.1:${port}`, `http://127.0.0.1:${deadPort}/`])
    assert.notStrictEqual(out.code, 0)
    assert.match(out.stderr, /502|CONNECT/)
  })
})
