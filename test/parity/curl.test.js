'use strict'
// The server against a real client: the curl binary. Uploads (Content-Length,
// chunked, Expect: 100-continue), HTTP/1.0, HEAD, and connection reuse.
const assert = require('assert')
const crypto = require('crypto')
const fs = require('fs')
const os = require('os')
const path = require('path')
const { eachImpl } = require('../helpers/impls')
const { normaliseDate } = require('../helpers/net')
const { serverPool, hasCurl, curl } = require('../helpers/req-util')

const sha256 = (buf) => crypto.createHash('sha256').update(buf).digest('hex')

eachImpl('curl', (http) => {
  const pool = serverPool()
  let dir, oneMiB, twoMB
  const files = {}

  before(function () {
    if (!hasCurl()) {
      console.warn('    curl binary not found on PATH: skipping the curl parity tests')
      this.skip()
      return
    }
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'uvhttp-curl-'))
    oneMiB = path.join(dir, 'one-mib.bin')
    twoMB = path.join(dir, 'two-mb.bin')
    files[oneMiB] = crypto.randomBytes(1024 * 1024)
    files[twoMB] = crypto.randomBytes(2000000)
    for (const [file, data] of Object.entries(files)) fs.writeFileSync(file, data)
  })
  after(() => { if (dir) fs.rmSync(dir, { recursive: true, force: true }) })
  afterEach(() => pool.closeAll())

  /** A server that answers with JSON describing the request and a hash of its body. */
  async function describeServer (options) {
    const seen = []
    const { server, port } = await pool.start(http, options, (req, res) => {
      const hash = crypto.createHash('sha256')
      let length = 0
      req.on('data', (c) => { hash.update(c); length += c.length })
      req.on('end', () => {
        const info = {
          method: req.method,
          url: req.url,
          httpVersion: req.httpVersion,
          contentLength: req.headers['content-length'],
          transferEncoding: req.headers['transfer-encoding'],
          expect: req.headers.expect,
          userAgent: req.headers['user-agent'],
          remotePort: req.socket.remotePort,
          length,
          sha256: hash.digest('hex')
        }
        seen.push(info)
        res.setHeader('Content-Type', 'application/json')
        res.end(JSON.stringify(info))
      })
    })
    return { server, port, seen, url: `http://127.0.0.1:${port}` }
  }

  it('GET', async () => {
    const { url, seen } = await describeServer()
    const r = await curl(['-sS', '-i', `${url}/hello?x=1`])
    assert.strictEqual(r.code, 0, r.stderr)
    const text = r.stdout.toString('latin1')
    const [head, body] = text.split('\r\n\r\n')
    assert.strictEqual(normaliseDate(head),
      `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nDate: <date>\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\nContent-Length: ${Buffer.byteLength(body)}`)
    assert.deepStrictEqual(JSON.parse(body), JSON.parse(JSON.stringify(seen[0])))
    assert.strictEqual(seen[0].method, 'GET')
    assert.strictEqual(seen[0].url, '/hello?x=1')
    assert.strictEqual(seen[0].httpVersion, '1.1')
    assert.match(seen[0].userAgent, /^curl\//)
  })

  it('POST --data-binary of a 1 MiB file', async () => {
    const { url, seen } = await describeServer()
    const r = await curl(['-sS', '--data-binary', `@${oneMiB}`, `${url}/upload`])
    assert.strictEqual(r.code, 0, r.stderr)
    assert.strictEqual(seen[0].method, 'POST')
    assert.strictEqual(seen[0].contentLength, String(1024 * 1024))
    assert.strictEqual(seen[0].length, 1024 * 1024)
    assert.strictEqual(seen[0].sha256, sha256(files[oneMiB]))
    assert.deepStrictEqual(JSON.parse(r.stdout), JSON.parse(JSON.stringify(seen[0])))
  })

  it('chunked upload (-H "Transfer-Encoding: chunked")', async () => {
    const { url, seen } = await describeServer()
    const r = await curl(['-sS', '-H', 'Transfer-Encoding: chunked', '--data-binary', `@${oneMiB}`, `${url}/chunked`])
    assert.strictEqual(r.code, 0, r.stderr)
    assert.strictEqual(seen[0].transferEncoding, 'chunked')
    assert.strictEqual(seen[0].contentLength, undefined)
    assert.strictEqual(seen[0].sha256, sha256(files[oneMiB]))
  })

  it('Expect: 100-continue: curl receives the 100 and sends the body', async () => {
    const { url, seen } = await describeServer()
    const r = await curl(['-sS', '-v', '-H', 'Expect: 100-continue', '--data-binary', `@${twoMB}`, `${url}/expect`])
    assert.strictEqual(r.code, 0, r.stderr)
    assert.match(r.stderr, /< HTTP\/1\.1 100 Continue/)
    assert.strictEqual(seen[0].expect, '100-continue')
    assert.strictEqual(seen[0].sha256, sha256(files[twoMB]))
  })

  it('Expect: 100-continue refused by checkContinue: curl gets the final status and the body is not parsed', async () => {
    const { server, url, seen } = await describeServer()
    const events = []
    server.on('checkContinue', (req, res) => {
      events.push(`checkContinue ${req.url}`)
      res.writeHead(413, { 'Content-Length': 8 })
      res.end('too big\n')
    })
    const r = await curl(['-sS', '-i', '-H', 'Expect: 100-continue', '--data-binary', `@${twoMB}`, `${url}/refused`])
    assert.strictEqual(r.code, 0, r.stderr)
    assert.strictEqual(normaliseDate(r.stdout.toString('latin1')),
      'HTTP/1.1 413 Payload Too Large\r\nContent-Length: 8\r\nDate: <date>\r\nConnection: close\r\n\r\ntoo big\n')
    assert.deepStrictEqual(events, ['checkContinue /refused'])
    assert.deepStrictEqual(seen, [])
  })

  it('--http1.0: no chunked response, and the connection is closed', async () => {
    const { port } = await pool.start(http, (req, res) => {
      res.write(`version ${req.httpVersion} `)
      res.end('done')
    })
    const r = await curl(['-sS', '-v', '-i', '--http1.0', `http://127.0.0.1:${port}/old`])
    assert.strictEqual(r.code, 0, r.stderr)
    assert.strictEqual(normaliseDate(r.stdout.toString('latin1')),
      'HTTP/1.1 200 OK\r\nDate: <date>\r\nConnection: close\r\n\r\nversion 1.0 done')
    assert.match(r.stderr, /> GET \/old HTTP\/1\.0/)
    assert.match(r.stderr, /Closing connection/)
  })

  it('reuses one keep-alive connection for two URLs', async () => {
    const { url, seen } = await describeServer()
    const r = await curl(['-sS', '-v', `${url}/one`, `${url}/two`])
    assert.strictEqual(r.code, 0, r.stderr)
    assert.match(r.stderr, /Re-using existing connection/)
    assert.deepStrictEqual(seen.map((s) => s.url), ['/one', '/two'])
    assert.strictEqual(seen[0].remotePort, seen[1].remotePort)
  })

  it('HEAD (-I): headers only, and curl does not wait for a body', async () => {
    const { url, seen } = await describeServer()
    const r = await curl(['-sS', '-I', `${url}/head`], { timeout: 5000 })
    assert.strictEqual(r.code, 0, r.stderr)
    assert.strictEqual(normaliseDate(r.stdout.toString('latin1')),
      'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nDate: <date>\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n\r\n')
    assert.strictEqual(seen[0].method, 'HEAD')
  })

  it('downloads a 4 MiB chunked response written in pieces', async () => {
    const data = crypto.randomBytes(4 * 1024 * 1024)
    const { port } = await pool.start(http, (req, res) => {
      let offset = 0
      const pump = () => {
        while (offset < data.length) {
          const piece = data.subarray(offset, offset + 100000)
          offset += piece.length
          if (!res.write(piece)) return res.once('drain', pump)
        }
        res.end()
      }
      pump()
    })
    const r = await curl(['-sS', '-D', '-', '-o', path.join(dir, 'download.bin'), `http://127.0.0.1:${port}/big`])
    assert.strictEqual(r.code, 0, r.stderr)
    assert.match(r.stdout.toString('latin1'), /\r\nTransfer-Encoding: chunked\r\n/)
    assert.strictEqual(sha256(fs.readFileSync(path.join(dir, 'download.bin'))), sha256(data))
  })
})
