'use strict'
// The client's everyday exchanges, run with node:http's client and uvhttp's
// against Node's server, uvhttp's server and raw servers: request bytes on
// the wire, response framing (Content-Length, chunked, close-delimited,
// trailers, HEAD, 204/304), 1xx and Expect: 100-continue, events in order.
const assert = require('assert')
const { eachImpl } = require('../helpers/impls')
const { SERVERS, useServers, scripted, exchange, normaliseHead, delay, waitFor } = require('../helpers/client-util')

const OK = (body, extra = '') => `HTTP/1.1 200 OK\r\n${extra}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`

eachImpl('client basics', (http) => {
  const servers = useServers()

  for (const [serverName, serverHttp] of SERVERS) {
    describe(`against the ${serverName}`, () => {
      it('GET: status, headers, body and the events in order', async () => {
        const { port } = await servers.http(serverHttp, (req, res) => {
          res.setHeader('X-Method', req.method)
          res.setHeader('Set-Cookie', ['a=1', 'b=2'])
          res.end(`hello ${req.url} ${req.headers.host}`)
        })
        const out = await exchange(http, { host: '127.0.0.1', port, path: '/p?q=1' })
        assert.strictEqual(out.res.statusCode, 200)
        assert.strictEqual(out.res.statusMessage, 'OK')
        assert.strictEqual(out.res.httpVersion, '1.1')
        assert.strictEqual(out.res.headers['x-method'], 'GET')
        assert.deepStrictEqual(out.res.headers['set-cookie'], ['a=1', 'b=2'])
        assert.strictEqual(out.body.toString(), `hello /p?q=1 127.0.0.1:${port}`)
        assert.deepStrictEqual(out.events, ['socket', 'finish', 'response', 'res end', 'close', 'res close'])
        assert.strictEqual(out.res.complete, true)
        assert.strictEqual(out.req.reusedSocket, false)
      })

      it('POST with end(body): Content-Length; streamed with write(): chunked', async () => {
        const seen = []
        const { port } = await servers.http(serverHttp, (req, res) => {
          const chunks = []
          req.on('data', (c) => chunks.push(c))
          req.on('end', () => {
            seen.push([req.headers['content-length'], req.headers['transfer-encoding'], Buffer.concat(chunks).toString()])
            res.end('ok')
          })
        })
        await exchange(http, { host: '127.0.0.1', port, method: 'POST' }, { body: 'abc' })
        await exchange(http, { host: '127.0.0.1', port, method: 'post' }, {
          end: false,
          onRequest (req) {
            req.write('one ')
            setTimeout(() => { req.write('two '); req.end('three') }, 20)
          }
        })
        assert.deepStrictEqual(seen, [['3', undefined, 'abc'], [undefined, 'chunked', 'one two three']])
      })

      it('a response nobody reads is dumped and the socket is reused', async () => {
        const { port } = await servers.http(serverHttp, (req, res) => res.end('x'.repeat(100000)))
        const agent = new http.Agent({ keepAlive: true })
        const ports = []
        for (let i = 0; i < 2; i++) {
          await new Promise((resolve, reject) => {
            const req = http.request({ port, host: '127.0.0.1', agent })
            req.on('socket', (s) => s.once('connect', () => ports.push(s.localPort)))
            req.on('error', reject)
            req.on('close', resolve)
            req.end()
          })
          if (ports.length === i) ports.push(agent.freeSockets[Object.keys(agent.freeSockets)[0]][0].localPort)
        }
        await waitFor(() => Object.keys(agent.freeSockets).length === 1)
        agent.destroy()
        assert.strictEqual(ports[0], ports[1])
      })

      it('HEAD: headers of a GET, no body, and the connection is reused after it', async () => {
        const { port } = await servers.http(serverHttp, (req, res) => {
          res.setHeader('Content-Length', 11)
          res.end(req.method === 'HEAD' ? undefined : 'hello world')
        })
        const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
        const head = await exchange(http, { host: '127.0.0.1', port, method: 'HEAD', agent })
        const get = await exchange(http, { host: '127.0.0.1', port, agent })
        agent.destroy()
        assert.strictEqual(head.res.headers['content-length'], '11')
        assert.strictEqual(head.body.length, 0)
        assert.strictEqual(get.body.toString(), 'hello world')
        assert.strictEqual(get.req.reusedSocket, true)
      })

      it('204 and 304 have no body', async () => {
        const { port } = await servers.http(serverHttp, (req, res) => {
          res.statusCode = req.url === '/204' ? 204 : 304
          res.end()
        })
        for (const code of [204, 304]) {
          const out = await exchange(http, { host: '127.0.0.1', port, path: `/${code}` })
          assert.strictEqual(out.res.statusCode, code)
          assert.strictEqual(out.body.length, 0)
          assert.strictEqual(out.res.complete, true)
        }
      })

      it('trailers: res.trailers and res.rawTrailers', async () => {
        const { port } = await servers.http(serverHttp, (req, res) => {
          res.writeHead(200, { 'Transfer-Encoding': 'chunked', Trailer: 'X-Sum' })
          res.write('ab')
          res.addTrailers({ 'X-Sum': '42' })
          res.end('cd')
        })
        const out = await exchange(http, { host: '127.0.0.1', port })
        assert.strictEqual(out.body.toString(), 'abcd')
        assert.deepStrictEqual(out.res.trailers, { 'x-sum': '42' })
        assert.deepStrictEqual(out.res.rawTrailers, ['X-Sum', '42'])
      })

      it('1xx: \'information\' before the final response', async () => {
        const { port } = await servers.http(serverHttp, (req, res) => {
          res.writeProcessing()
          res.writeEarlyHints({ link: '</style.css>; rel=preload' })
          setTimeout(() => res.end('done'), 10)
        })
        const infos = []
        const out = await exchange(http, { host: '127.0.0.1', port }, {
          onRequest (req) { req.on('information', (i) => infos.push([i.statusCode, i.statusMessage, i.headers.link])) }
        })
        assert.deepStrictEqual(infos, [[102, 'Processing', undefined], [103, 'Early Hints', '</style.css>; rel=preload']])
        assert.deepStrictEqual(out.events.slice(0, 4), ['socket', 'finish', 'information 102', 'information 103'])
        assert.strictEqual(out.body.toString(), 'done')
      })

      it('Expect: 100-continue: the body is sent on \'continue\'', async () => {
        const { port } = await servers.http(serverHttp, (req, res) => {
          const chunks = []
          req.on('data', (c) => chunks.push(c))
          req.on('end', () => res.end(`got ${Buffer.concat(chunks)}`))
        })
        const out = await exchange(http, { host: '127.0.0.1', port, method: 'PUT', headers: { Expect: '100-continue', 'Content-Length': 4 } }, {
          end: false,
          onRequest (req) { req.on('continue', () => req.end('body')) }
        })
        assert.strictEqual(out.body.toString(), 'got body')
        assert.deepStrictEqual(out.events.slice(0, 4), ['socket', 'continue', 'information 100', 'finish'])
      })

      it('Expect: 100-continue refused: the final answer comes without the body being sent', async () => {
        const { server, port } = await servers.http(serverHttp, () => {})
        server.on('checkContinue', (req, res) => {
          res.writeHead(417, { Connection: 'close' })
          res.end('no')
        })
        const out = await exchange(http, { host: '127.0.0.1', port, method: 'PUT', headers: { Expect: '100-continue', 'Content-Length': 4 } }, {
          end: false,
          onRequest (req) { req.on('continue', () => req.end('body')) }
        })
        assert.strictEqual(out.res.statusCode, 417)
        assert.strictEqual(out.body.toString(), 'no')
        assert(!out.events.includes('continue'))
      })
    })
  }

  describe('against raw servers', () => {
    it('request bytes: the head Node sends, per option', async () => {
      const { onConnection, heads } = scripted(() => OK('ok', 'Connection: close\r\n'))
      const { port } = await servers.raw(onConnection)
      const cases = [
        { host: '127.0.0.1', port, path: '/a' },
        { host: '127.0.0.1', port, path: '/b', agent: false },
        { host: '127.0.0.1', port, path: '/c', auth: 'user:pa ss', headers: { 'X-One': 1, 'x-two': ['a', 'b'] } },
        { host: '127.0.0.1', port, path: '/d', setHost: false, method: 'DELETE' },
        { host: '127.0.0.1', port, path: '/e', headers: ['X-Raw', 'v', 'HOST', 'h.example'] },
        { host: '127.0.0.1', port, path: '/f', method: 'OPTIONS', headers: { host: 'given.example' } },
        { hostname: '127.0.0.1', port, path: '/g', defaultPort: port }
      ]
      for (const options of cases) await exchange(http, options)
      assert.deepStrictEqual(heads.map((h) => normaliseHead(h, port)), [
        'GET /a HTTP/1.1\r\nHost: 127.0.0.1:<port>\r\nConnection: keep-alive\r\n\r\n',
        'GET /b HTTP/1.1\r\nHost: 127.0.0.1:<port>\r\nConnection: close\r\n\r\n',
        'GET /c HTTP/1.1\r\nX-One: 1\r\nx-two: a\r\nx-two: b\r\nHost: 127.0.0.1:<port>\r\nAuthorization: Basic dXNlcjpwYSBzcw==\r\nConnection: keep-alive\r\n\r\n',
        'DELETE /d HTTP/1.1\r\nConnection: keep-alive\r\n\r\n',
        'GET /e HTTP/1.1\r\nX-Raw: v\r\nHOST: h.example\r\nConnection: keep-alive\r\n\r\n',
        'OPTIONS /f HTTP/1.1\r\nhost: given.example\r\nConnection: keep-alive\r\n\r\n',
        'GET /g HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n'
      ])
    })

    it('the Host header goes through a setHeader the application replaced, and the store behaves as set by it', () => {
      const proto = http.ClientRequest.prototype
      const calls = []
      proto.setHeader = function (name, value) {
        calls.push([name, value])
        return Object.getPrototypeOf(proto).setHeader.call(this, name, value)
      }
      let req
      try {
        req = http.request({ host: '127.0.0.1', port: 9, agent: false })
      } finally {
        delete proto.setHeader
      }
      req.on('error', () => {})
      assert.deepStrictEqual(calls, [['Host', '127.0.0.1:9']])
      const plain = http.request({ host: '127.0.0.1', port: 9, agent: false })
      plain.on('error', () => {})
      for (const r of [req, plain]) {
        assert.deepStrictEqual([r.getHeaders(), r.getRawHeaderNames(), r.hasHeader('HOST')], [{ __proto__: null, host: '127.0.0.1:9' }, ['Host'], true])
        r.setHeader('X-A', '1')
        r.removeHeader('Host')
        assert.deepStrictEqual(r.getHeaders(), { __proto__: null, 'x-a': '1' })
        r.destroy()
      }
    })

    it('a URL string, a URL object, and url + options + callback', async () => {
      const { onConnection, heads } = scripted(() => OK('ok', 'Connection: close\r\n'))
      const { port } = await servers.raw(onConnection)
      const statuses = []
      await new Promise((resolve) => http.get(`http://u:p@127.0.0.1:${port}/s?x=1`, (res) => { statuses.push(res.statusCode); res.resume().on('end', resolve) }))
      await new Promise((resolve) => http.get(new URL(`http://127.0.0.1:${port}/u`), (res) => { statuses.push(res.statusCode); res.resume().on('end', resolve) }))
      await new Promise((resolve) => http.request(`http://127.0.0.1:${port}/v`, { method: 'PATCH', headers: { A: 'b' } }, (res) => { statuses.push(res.statusCode); res.resume().on('end', resolve) }).end())
      assert.deepStrictEqual(statuses, [200, 200, 200])
      assert.deepStrictEqual(heads.map((h) => normaliseHead(h, port)), [
        'GET /s?x=1 HTTP/1.1\r\nHost: 127.0.0.1:<port>\r\nAuthorization: Basic dTpw\r\nConnection: keep-alive\r\n\r\n',
        'GET /u HTTP/1.1\r\nHost: 127.0.0.1:<port>\r\nConnection: keep-alive\r\n\r\n',
        'PATCH /v HTTP/1.1\r\nA: b\r\nHost: 127.0.0.1:<port>\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n'
      ])
    })

    it('response framing: Content-Length, chunked, close-delimited', async () => {
      const answers = [
        OK('hello'),
        'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n4;ext=1\r\ndefg\r\n0\r\nX-T: 1\r\n\r\n',
        'HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end'
      ]
      const { onConnection } = scripted((head, sock, n) => {
        sock.write(answers[n])
        if (n === 2) sock.end()
      })
      const { port } = await servers.raw(onConnection)
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
      const bodies = []
      for (let i = 0; i < 3; i++) {
        const out = await exchange(http, { host: '127.0.0.1', port, agent })
        bodies.push([out.body.toString(), out.res.complete, out.res.rawTrailers, out.req.reusedSocket])
      }
      agent.destroy()
      assert.deepStrictEqual(bodies, [['hello', true, [], false], ['abcdefg', true, ['X-T', '1'], true], ['until the end', true, [], true]])
    })

    it('a response split into tiny pieces', async () => {
      const wire = 'HTTP/1.1 201 Created\r\nX-A: 1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n'
      const { onConnection } = scripted((head, sock) => {
        let i = 0
        const step = () => {
          if (sock.destroyed || i >= wire.length) return
          sock.write(wire.slice(i, i + 3))
          i += 3
          setTimeout(step, 1)
        }
        step()
      })
      const { port } = await servers.raw(onConnection)
      const out = await exchange(http, { host: '127.0.0.1', port, agent: false })
      assert.strictEqual(out.res.statusCode, 201)
      assert.strictEqual(out.res.statusMessage, 'Created')
      assert.deepStrictEqual(out.res.rawHeaders, ['X-A', '1', 'Transfer-Encoding', 'chunked'])
      assert.strictEqual(out.body.toString(), 'hello')
    })

    it('HTTP/1.0 response without length: read to the close, socket not kept', async () => {
      const { onConnection } = scripted((head, sock) => { sock.end('HTTP/1.0 200 OK\r\nServer: old\r\n\r\nold body') })
      const { port } = await servers.raw(onConnection)
      const agent = new http.Agent({ keepAlive: true })
      const out = await exchange(http, { host: '127.0.0.1', port, agent })
      await delay(20)
      assert.strictEqual(out.res.httpVersion, '1.0')
      assert.strictEqual(out.body.toString(), 'old body')
      assert.strictEqual(out.req.shouldKeepAlive, false)
      assert.deepStrictEqual(Object.keys(agent.freeSockets), [])
      agent.destroy()
    })

    it('HEAD answered by 1xx first: the final answer still has no body, the socket is reused', async () => {
      const { onConnection } = scripted((head) => head.startsWith('HEAD')
        ? 'HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n'
        : OK('after'))
      const { port } = await servers.raw(onConnection)
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
      const head = await exchange(http, { host: '127.0.0.1', port, method: 'HEAD', agent })
      const get = await exchange(http, { host: '127.0.0.1', port, agent })
      agent.destroy()
      assert.deepStrictEqual(head.events.slice(0, 4), ['socket', 'finish', 'information 103', 'response'])
      assert.strictEqual(head.body.length, 0)
      assert.strictEqual(get.body.toString(), 'after')
      assert.strictEqual(get.req.reusedSocket, true)
    })

    // Found by the response fuzz target (issue 12.2): llhttp reads a body
    // for 1xx answers other than 100, 102 and 103 when their headers frame
    // one; Node's client skips it (every 1xx ends at its head, RFC 9110
    // 15.2), so the bytes after the head are the next answer.
    for (const [name, framing] of [['Content-Length', 'Content-Length: 5\r\n'], ['chunked', 'Transfer-Encoding: chunked\r\n']]) {
      it(`a 1xx answer framed by ${name} has no body: the bytes after its head are the final answer`, async () => {
        const { onConnection } = scripted(() => `HTTP/1.1 163 Custom\r\n${framing}\r\n` + OK('final', 'Connection: close\r\n'))
        const { port } = await servers.raw(onConnection)
        const infos = []
        const out = await exchange(http, { host: '127.0.0.1', port, agent: false }, {
          onRequest (req) { req.on('information', (i) => infos.push(i.statusCode)) }
        })
        assert.ifError(out.error)
        assert.deepStrictEqual(infos, [163])
        assert.strictEqual(out.res.statusCode, 200)
        assert.strictEqual(out.body.toString(), 'final')
      })
    }

    it('CONNECT answered 407 with a body: still \'connect\', the body is the tunnel\'s head', async () => {
      const { onConnection } = scripted(() => 'HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 4\r\n\r\nnope')
      const { port } = await servers.raw(onConnection)
      const got = await new Promise((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port, method: 'CONNECT', path: 'x.example:443' })
        req.on('error', reject)
        req.on('response', () => reject(new Error('response instead of connect')))
        req.on('connect', (res, socket, head) => {
          socket.destroy()
          resolve([res.statusCode, head.toString(), res.complete])
        })
        req.end()
      })
      assert.deepStrictEqual(got, [407, 'nope', true])
    })

    it('maxHeadersCount and joinDuplicateHeaders shape res.headers', async () => {
      // Content-Length first: past the count it would fail the response
      // (test/security/cve-2026-58044.test.js).
      const { onConnection } = scripted(() => 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\nA: 1\r\nB: 2\r\nB: 3\r\nC: 4\r\n\r\n')
      const { port } = await servers.raw(onConnection)
      const limited = await exchange(http, { host: '127.0.0.1', port, agent: false }, { end: false, onRequest (req) { req.maxHeadersCount = 3; req.end() } })
      const joined = await exchange(http, { host: '127.0.0.1', port, agent: false, joinDuplicateHeaders: true })
      // rawHeaders keeps everything; the headers object stops at the limit.
      assert.strictEqual(limited.res.rawHeaders.length, 10)
      assert.deepStrictEqual(limited.res.headers, { 'content-length': '0', a: '1', b: '2' })
      assert.strictEqual(joined.res.headers.b, '2, 3')
    })

    it('Upgrade: \'upgrade\' hands over the socket and the bytes after the head', async () => {
      const { onConnection } = scripted((head, sock) => {
        sock.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\nfirst')
        sock.on('data', (d) => sock.write(d))
      })
      const { port } = await servers.raw(onConnection)
      const got = await new Promise((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port, headers: { Connection: 'Upgrade', Upgrade: 'echo' } })
        req.on('error', reject)
        req.on('response', () => reject(new Error('response instead of upgrade')))
        req.on('upgrade', (res, socket, head) => {
          const seen = { status: res.statusCode, head: head.toString(), upgrade: res.upgrade }
          socket.write('ping')
          socket.once('data', (d) => {
            seen.echo = d.toString()
            socket.destroy()
            resolve(seen)
          })
        })
        req.end()
      })
      assert.deepStrictEqual(got, { status: 101, head: 'first', upgrade: true, echo: 'ping' })
    })

    it('Upgrade without an \'upgrade\' listener: the socket is closed, quietly', async () => {
      const { onConnection } = scripted(() => 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n')
      const { port } = await servers.raw(onConnection)
      const out = await exchange(http, { host: '127.0.0.1', port, headers: { Connection: 'Upgrade', Upgrade: 'echo' } })
      assert.strictEqual(out.res, null)
      assert.strictEqual(out.req.res.statusCode, 101)
      assert.deepStrictEqual(out.events, ['socket', 'finish', 'close'])
    })

    it('CONNECT: \'connect\' with the tunnel socket, even with a body-less 200', async () => {
      const { onConnection, heads } = scripted((head, sock) => {
        sock.write('HTTP/1.1 200 Connection Established\r\n\r\nhi')
        sock.on('data', (d) => sock.write(d.toString().toUpperCase()))
      })
      const { port } = await servers.raw(onConnection)
      const got = await new Promise((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port, method: 'CONNECT', path: 'example.com:443' })
        req.on('error', reject)
        req.on('connect', (res, socket, head) => {
          socket.write('tunnel')
          socket.once('data', (d) => {
            socket.destroy()
            resolve([res.statusCode, head.toString(), d.toString()])
          })
        })
        req.end()
      })
      assert.deepStrictEqual(got, [200, 'hi', 'TUNNEL'])
      assert.strictEqual(heads[0].split('\r\n')[0], 'CONNECT example.com:443 HTTP/1.1')
    })
  })
})
