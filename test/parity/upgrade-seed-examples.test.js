'use strict'
// Issue 4: the seed document's own examples for 'connect' (a tunnelling
// proxy with a CONNECT client) and 'upgrade' (an echo upgrade with an
// upgrading client) run unchanged, in a child process, with require('http')
// being the implementation under test (uvhttp/register, checked by
// test/helpers/uvhttp-check.js). Only
// port 1337 and the tunnel's target (www.google.com:80) are pointed at
// loopback, as the tests may not use fixed ports or leave the machine.
const assert = require('assert')
const fs = require('fs')
const net = require('net')
const nodeHttp = require('http')
const path = require('path')
const { execFile } = require('child_process')
const { eachImpl } = require('../helpers/impls')
const { listen, close } = require('../helpers/net')

const fixtures = path.join(__dirname, '..', 'fixtures', 'seed')
const check = path.join(__dirname, '..', 'helpers', 'uvhttp-check.js')

/** A port that was free a moment ago. */
async function freePort () {
  const s = net.createServer()
  const port = await listen(s)
  await new Promise((resolve) => s.close(resolve))
  return port
}

/** Runs a seed example with substitutions; resolves { code, signal, stdout, stderr }. */
function runExample (file, impl, substitutions) {
  let code = fs.readFileSync(path.join(fixtures, file), 'utf8')
  for (const [from, to] of substitutions) code = code.split(from).join(to)
  // The repository resolves `uvhttp` to itself (package.json "exports").
  const args = impl === 'uvhttp' ? ['-r', 'uvhttp/register', '-r', check, '-e', code] : ['-e', code]
  return new Promise((resolve) => {
    execFile(process.execPath, args, { timeout: 8000, cwd: path.join(__dirname, '..', '..') }, (err, stdout, stderr) => {
      resolve({ code: err ? err.code : 0, signal: err ? err.signal : null, stdout, stderr })
    })
  })
}

eachImpl('the seed\'s examples, unchanged', (http, name) => {
  let origin, originPort
  before(async () => {
    origin = nodeHttp.createServer((req, res) => {
      res.setHeader('Content-Type', 'text/plain')
      res.end(`origin saw ${req.method} ${req.url} Host=${req.headers.host}`)
    })
    originPort = await listen(origin)
  })
  after(() => close(origin))

  it('\'connect\': the tunnelling proxy and its CONNECT client fetch a page through the tunnel, then exit', async () => {
    const port = await freePort()
    const out = await runExample('connect-proxy.js', name, [
      ['1337', String(port)],
      ['www.google.com:80', `127.0.0.1:${originPort}`]
    ])
    assert.strictEqual(out.code, 0, `exit ${out.code} ${out.signal}\n${out.stderr}`)
    if (name === 'uvhttp') assert.match(out.stderr, /http is uvhttp's: true; client requests: uvhttp\n/)
    assert.match(out.stdout, /^got connected!\nHTTP\/1\.1 200 OK\r\n/)
    assert.ok(out.stdout.includes(`\r\n\r\norigin saw GET / Host=127.0.0.1:${originPort}`), out.stdout)
  })

  it('\'upgrade\': the echo upgrade server and its upgrading client, then process.exit(0)', async () => {
    const port = await freePort()
    const out = await runExample('upgrade-echo.js', name, [['1337', String(port)]])
    assert.strictEqual(out.code, 0, `exit ${out.code} ${out.signal}\n${out.stderr}`)
    if (name === 'uvhttp') assert.match(out.stderr, /http is uvhttp's: true; client requests: uvhttp\n/)
    assert.strictEqual(out.stdout, 'got upgraded!\n')
  })
})
