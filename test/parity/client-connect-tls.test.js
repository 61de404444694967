'use strict'
// HTTPS through an HTTP proxy, the way clients do it: CONNECT with the
// module's own client, then tls.connect({ socket }) over the tunnel the
// 'connect' event hands out, and an HTTPS exchange with the target through it.
// TLSSocket waits for its socket's 'connect' when that socket has no libuv
// handle of its own (uvhttp's sockets keep theirs natively), so a tunnel
// socket must answer a late 'connect' listener (lib/engine/socket.ts).
const assert = require('assert')
const https = require('https')
const net = require('net')
const nodeHttp = require('http')
const tls = require('tls')
const { eachImpl } = require('../helpers/impls')
const { selfSignedCert } = require('../helpers/tls-cert')

function listen (server) {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)))
}

eachImpl('client CONNECT tunnel carrying TLS', (http) => {
  const servers = []
  afterEach(() => { for (const s of servers.splice(0)) s.close() })

  it('tls.connect over the tunnel socket speaks HTTPS to the target', async function () {
    const cert = selfSignedCert()
    if (!cert) this.skip()
    const target = https.createServer(cert, (req, res) => res.end(`secure ${req.url}`))
    servers.push(target)
    const targetPort = await listen(target)
    // The proxy is Node's own http: a plain byte pipe after the 200.
    const proxy = nodeHttp.createServer()
    servers.push(proxy)
    proxy.on('connect', (req, clientSocket, head) => {
      const upstream = net.connect(targetPort, '127.0.0.1', () => {
        clientSocket.write('HTTP/1.1 200 Connection Established\r\n\r\n')
        if (head.length) upstream.write(head)
        upstream.pipe(clientSocket)
        clientSocket.pipe(upstream)
      })
      upstream.on('error', () => clientSocket.destroy())
      clientSocket.on('error', () => upstream.destroy())
    })
    const proxyPort = await listen(proxy)

    const reply = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no HTTPS reply through the tunnel within 3 s')), 3000)
      const req = http.request({ host: '127.0.0.1', port: proxyPort, method: 'CONNECT', path: `127.0.0.1:${targetPort}` })
      req.on('error', reject)
      req.on('connect', (res, socket) => {
        assert.strictEqual(res.statusCode, 200)
        const secure = tls.connect({ socket, servername: 'localhost', ca: cert.cert })
        let text = ''
        secure.setEncoding('utf8')
        secure.on('data', (d) => { text += d })
        secure.on('end', () => { clearTimeout(timer); resolve(text) })
        secure.on('error', (err) => { clearTimeout(timer); reject(err) })
        secure.write('GET /through HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n')
      })
      req.end()
    })
    assert.match(reply, /^HTTP\/1\.1 200 OK\r\n/)
    assert.ok(reply.endsWith('\r\n\r\nsecure /through'), reply)
  })
})
