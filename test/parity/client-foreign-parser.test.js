'use strict'
// Issue 14: a client socket the engine does not own (createConnection
// returning a net.Socket or a TLS socket) is parsed by the engine's parser in
// response mode (binding.Parser), no longer by Node's _http_common. Each
// case runs on each implementation against a raw server sending exact
// bytes: HEAD, 1xx before the final answer, CONNECT with the tunnel's
// first bytes, a close-delimited body, a broken response, a response split
// into single bytes, and a TLS socket handed in through createConnection.
const assert = require('assert')
const net = require('net')
const tls = require('tls')
const { eachImpl } = require('../helpers/impls')
const { useServers, scripted, exchange } = require('../helpers/client-util')
const { selfSignedCert } = require('../helpers/tls-cert')

const viaNet = (options) => net.connect(options.port, options.host)

eachImpl('client over a socket from elsewhere, parsed in response mode', (http) => {
  const servers = useServers()

  async function answer (bytes, options = {}, extra) {
    const script = scripted(() => bytes)
    const { port } = await servers.raw(script.onConnection)
    return exchange(http, { host: '127.0.0.1', port, createConnection: viaNet, ...options }, extra)
  }

  it('HEAD: the Content-Length of a GET, no body read', async () => {
    const out = await answer('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n', { method: 'HEAD' })
    assert.deepStrictEqual([out.res.statusCode, out.res.headers['content-length'], out.body.length], [200, '5', 0])
    assert.deepStrictEqual(out.events, ['socket', 'finish', 'response', 'res end', 'res close', 'close'])
  })

  it('1xx answers before the final one: \'information\', then the response', async () => {
    const out = await answer('HTTP/1.1 102 Processing\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n' +
      'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok')
    assert.deepStrictEqual(out.events.filter((e) => e.startsWith('information') || e === 'response'),
      ['information 102', 'information 103', 'response'])
    assert.strictEqual(out.body.toString(), 'ok')
  })

  it('CONNECT: \'connect\' with the socket and the tunnel\'s first bytes as head', async () => {
    const script = scripted(() => 'HTTP/1.1 200 Connection Established\r\n\r\ntunnel bytes')
    const { port } = await servers.raw(script.onConnection)
    const got = await new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, method: 'CONNECT', path: 'example.test:443', createConnection: viaNet })
      req.on('connect', (res, socket, head) => {
        socket.destroy()
        resolve([res.statusCode, head.toString(), socket instanceof net.Socket])
      })
      req.on('error', reject)
      req.end()
    })
    assert.deepStrictEqual(got, [200, 'tunnel bytes', true])
  })

  it('a body delimited by the close, and a response in single bytes', async () => {
    const closeDelimited = scripted((head, sock) => { sock.end('HTTP/1.1 200 OK\r\n\r\nuntil the end') })
    const a = await servers.raw(closeDelimited.onConnection)
    const outA = await exchange(http, { host: '127.0.0.1', port: a.port, createConnection: viaNet })
    const bytes = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-A: 1\r\n\r\n3\r\nabc\r\n0\r\nX-T: 2\r\n\r\n'
    const trickle = scripted((head, sock) => {
      let i = 0
      const next = () => { if (i < bytes.length && !sock.destroyed) { sock.write(bytes[i++]); setImmediate(next) } }
      next()
    })
    const b = await servers.raw(trickle.onConnection)
    const outB = await exchange(http, { host: '127.0.0.1', port: b.port, createConnection: viaNet })
    assert.strictEqual(outA.body.toString(), 'until the end')
    assert.deepStrictEqual([outB.body.toString(), outB.res.headers['x-a'], outB.res.trailers['x-t']], ['abc', '1', '2'])
  })

  it('a broken response: the parser\'s error on the request, with Node\'s code', async () => {
    const out = await answer('HTTP/1.1 200 OK\r\nContent-Length: nope\r\n\r\n')
    assert.strictEqual(out.error.code, 'HPE_INVALID_CONTENT_LENGTH')
    assert.strictEqual(out.res, null)
  })

  const tlsOptions = selfSignedCert()
  ;(tlsOptions ? it : it.skip)('a TLS socket handed in through createConnection', async () => {
    const server = tls.createServer(tlsOptions, (sock) => {
      sock.once('data', () => sock.end('HTTP/1.1 200 OK\r\nContent-Length: 6\r\nConnection: close\r\n\r\nsecure'))
    })
    servers.track(server)
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
    const out = await exchange(http, {
      host: '127.0.0.1',
      port: server.address().port,
      createConnection: (options) => tls.connect({ host: options.host, port: options.port, ca: tlsOptions.cert, servername: 'localhost' })
    })
    assert.strictEqual(out.body.toString(), 'secure')
    assert.strictEqual(out.req.socket.encrypted, true)
  })
})
