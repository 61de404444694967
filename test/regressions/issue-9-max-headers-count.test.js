'use strict'
// Issue 9.6: maxHeadersCount set on a ClientRequest before its response
// (`req.maxHeadersCount = 1`, as the ws library's tests do) applies to the
// response and to an upgrade response exactly as in Node: res.headers holds
// that many fields, and rawHeaders is cut where Node's parser cuts it. Node's
// parser hands a head of more than 31 fields to JS in groups of 31 pairs and
// keeps a group only while fewer than maxHeaderPairs entries are kept; the
// engine's client kept every raw line, and its server cut in groups of 32
// pairs and read maxHeadersCount = 0 as the default instead of "no limit".
// Each case is run against Node's own http (client or server) and compared.
const assert = require('assert')
const net = require('net')
const realHttp = require('http')
const { eachImpl } = require('../helpers/impls')
const { listen, close } = require('../helpers/net')
const { withTimeout } = require('../helpers/req-util')

/** A head of `n` short fields (after `first`, without the blank line). */
function fields (first, n) {
  let head = first
  for (let i = 0; i < n; i++) head += `k${i}: ${i}\r\n`
  return head
}

eachImpl('regression: issue 9.6, maxHeadersCount as Node applies it', (http, name) => {
  const cleanups = []
  afterEach(async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn()
  })

  describe('a ClientRequest\'s, on its response', () => {
    let port
    beforeEach(async () => {
      // Answers with 100 fields (and a 101 to an upgrade), then closes. The
      // Content-Length comes first: past the count it would fail the
      // response (test/security/cve-2026-58044.test.js).
      const server = net.createServer((socket) => {
        socket.once('data', (data) => {
          if (String(data).includes('Upgrade: test')) {
            socket.end(fields('HTTP/1.1 101 Switching Protocols\r\n', 100) + 'Connection: Upgrade\r\nUpgrade: test\r\n\r\n')
          } else {
            socket.end(fields('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n', 100) + 'Connection: close\r\n\r\nok')
          }
        })
      })
      port = await listen(server)
      cleanups.push(() => close(server))
    })

    /** The response's header count and rawHeaders length, maxHeadersCount set right after request(). */
    function observe (httpModule, { max, upgrade, createConnection }) {
      return withTimeout(new Promise((resolve, reject) => {
        const options = { host: '127.0.0.1', port, agent: false }
        if (upgrade) options.headers = { Connection: 'Upgrade', Upgrade: 'test' }
        if (createConnection) options.createConnection = (o) => net.connect(o.port, o.host)
        const req = httpModule.request(options)
        if (max !== undefined) req.maxHeadersCount = max
        const seen = (res) => ({ headers: Object.keys(res.headers).length, raw: res.rawHeaders.length })
        req.on('response', (res) => { res.resume(); res.on('end', () => resolve(seen(res))) })
        req.on('upgrade', (res, socket) => { socket.destroy(); resolve(seen(res)) })
        req.on('error', reject)
        req.end()
      }), 3000, 'response')
    }

    for (const upgrade of [false, true]) {
      for (const createConnection of [false, true]) {
        const what = `${upgrade ? 'an upgrade response' : 'a response'}${createConnection ? ' over createConnection' : ''}`
        it(`limits res.headers and rawHeaders of ${what} as Node does`, async () => {
          for (const max of [1, 20, 31, 40, 1200, 0, -1, undefined]) {
            const options = { max, upgrade, createConnection }
            assert.deepStrictEqual(await observe(http, options), await observe(realHttp, options), `maxHeadersCount ${max}`)
          }
        })
      }
    }

    it('applies it to the response of a reused keep-alive socket', async () => {
      // Content-Length first, within the count (see above).
      const server = http.createServer((req, res) => { res.setHeader('Content-Length', 2); res.setHeader('A', '1'); res.setHeader('B', '2'); res.end('ok') })
      const serverPort = await listen(server)
      const agent = new http.Agent({ keepAlive: true })
      cleanups.push(() => close(server))
      cleanups.push(async () => agent.destroy())
      const seen = []
      for (let i = 0; i < 2; i++) {
        seen.push(await withTimeout(new Promise((resolve, reject) => {
          const req = http.request({ host: '127.0.0.1', port: serverPort, agent })
          req.maxHeadersCount = 2
          req.on('response', (res) => { res.resume(); res.on('end', () => resolve([req.reusedSocket, res.headers])) })
          req.on('error', reject)
          req.end()
        }), 3000, 'response'))
      }
      const kept = { 'content-length': '2', a: '1' }
      assert.deepStrictEqual(seen.map(([reused, headers]) => [reused, { ...headers }]), [[false, kept], [true, kept]])
    })
  })

  describe('a server\'s, on its requests', () => {
    /**
     * What a server of `httpModule` makes of a request with n + 2 fields:
     * its header count and rawHeaders length, or the status line it answered
     * without calling the handler.
     */
    async function observe (httpModule, max, n) {
      let seen
      const server = httpModule.createServer({ maxHeaderSize: 256 * 1024 }, (req, res) => {
        seen = { headers: Object.keys(req.headers).length, raw: req.rawHeaders.length }
        res.end()
      })
      server.maxHeadersCount = max
      const port = await listen(server)
      let reply = ''
      try {
        await withTimeout(new Promise((resolve, reject) => {
          const socket = net.connect(port, '127.0.0.1')
          socket.on('error', reject)
          socket.on('close', resolve)
          socket.setEncoding('latin1')
          socket.on('data', (d) => { reply += d })
          socket.end(fields('GET / HTTP/1.1\r\nHost: x\r\n', n) + 'Connection: close\r\n\r\n')
        }), 3000, 'request')
      } finally {
        await close(server)
      }
      return seen ?? { refused: reply.split('\r\n')[0] }
    }

    // Node 20 truncates req.headers past maxHeadersCount while its parser
    // still frames the request by every field; the lines fixed for
    // CVE-2026-58044 (22.23.2, 24.18.1, 26.5.1) refuse such a request with
    // 431 instead, and uvhttp refuses it on every line (issue 12.1). So where
    // node:http truncated, uvhttp's answer is that refusal.
    const REFUSED = { refused: 'HTTP/1.1 431 Request Header Fields Too Large' }
    for (const n of [29, 30, 31, 60, 100, 2100]) {
      it(`limits req.headers and rawHeaders of a request with ${n + 2} fields as Node does, refusing what Node 20 truncates`, async () => {
        for (const max of [1, 20, 31, 40, 1100, 0, -1, 1.5, null]) {
          const node = await observe(realHttp, max, n)
          const truncated = node.raw !== undefined && (node.headers < n + 2 || node.raw < 2 * (n + 2))
          const expected = name === 'uvhttp' && truncated ? REFUSED : node
          assert.deepStrictEqual(await observe(http, max, n), expected, `maxHeadersCount ${max}`)
        }
      })
    }
  })
})
