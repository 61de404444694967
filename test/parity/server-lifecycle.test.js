'use strict'
// Server lifecycle: construction, every form of listen() (TCP v4/v6, Unix
// socket, options object, backlog, an existing handle, an inherited fd),
// listen errors, close() and its effect on idle and busy connections,
// closeAllConnections / closeIdleConnections, the default limits, event
// order, and what happens when a request handler throws.
const assert = require('assert')
const childProcess = require('child_process')
const fs = require('fs')
const net = require('net')
const os = require('os')
const path = require('path')
const EventEmitter = require('events')
const nodeHttp = require('http')
const { eachImpl } = require('../helpers/impls')
const { listen, close } = require('../helpers/net')
const { useServers, request, raw, rawClient, withTimeout, waitFor, onceWithin, moduleIdFor } = require('../helpers/res-util')

const GET = 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'

/** Whether this machine can listen on ::1. */
let ipv6 = null
function hasIPv6 () {
  if (ipv6 !== null) return Promise.resolve(ipv6)
  return new Promise((resolve) => {
    const s = net.createServer()
    s.once('error', () => { ipv6 = false; resolve(false) })
    s.listen(0, '::1', () => { ipv6 = true; s.close(() => resolve(true)) })
  })
}

/** Collects a child's stdout lines; resolves the first line matching `re`. */
function lineFrom (child, re, ms = 4000) {
  return withTimeout(new Promise((resolve, reject) => {
    let buf = ''
    child.stdout.on('data', (c) => {
      buf += c
      const line = buf.split('\n').find((l) => re.test(l))
      if (line) resolve(line)
    })
    child.on('exit', (code) => reject(new Error(`child exited with ${code}; stdout: ${buf}`)))
  }), ms, 'child output')
}

eachImpl('server lifecycle', (http, name) => {
  const serve = useServers(http)
  const track = serve.track

  it('createServer(listener) registers the listener for \'request\'', async () => {
    const listener = (req, res) => res.end('listener')
    const server = track(http.createServer(listener))
    assert.ok(server instanceof http.Server)
    assert.ok(server instanceof EventEmitter)
    assert.deepStrictEqual(server.listeners('request'), [listener])
    const port = await listen(server)
    assert.strictEqual((await request(port)).body.toString(), 'listener')
  })

  it('createServer(options, listener) applies the options', async () => {
    const server = track(http.createServer({ requestTimeout: 1234, headersTimeout: 999, highWaterMark: 1024 }, (req, res) => {
      res.end(JSON.stringify([req.readableHighWaterMark, res.writableHighWaterMark]))
    }))
    assert.strictEqual(server.requestTimeout, 1234)
    assert.strictEqual(server.headersTimeout, 999)
    const port = await listen(server)
    assert.deepStrictEqual(JSON.parse((await request(port)).body), [1024, 1024])
  })

  it('createServer({ IncomingMessage, ServerResponse }) builds requests and responses from the given classes', async () => {
    class MyReq extends http.IncomingMessage { get who () { return 'my-req' } }
    class MyRes extends http.ServerResponse { hello () { this.setHeader('X-Hello', 'yes'); return this } }
    const seen = {}
    const server = track(http.createServer({ IncomingMessage: MyReq, ServerResponse: MyRes }, (req, res) => {
      seen.req = req instanceof MyReq
      seen.res = res instanceof MyRes
      seen.who = req.who
      res.hello().end('custom')
    }))
    const port = await listen(server)
    const { res, body } = await request(port)
    assert.deepStrictEqual(seen, { req: true, res: true, who: 'my-req' })
    assert.strictEqual(res.headers['x-hello'], 'yes')
    assert.strictEqual(body.toString(), 'custom')
  })

  it('new http.Server() and http.Server() without new both make a server', async () => {
    const a = track(new http.Server())
    const b = track(http.Server((req, res) => res.end('b')))
    assert.ok(a instanceof http.Server)
    assert.ok(b instanceof http.Server)
    assert.strictEqual(a.listenerCount('request'), 0)
    a.on('request', (req, res) => res.end('a'))
    const [pa, pb] = [await listen(a), await listen(b)]
    assert.strictEqual((await request(pa)).body.toString(), 'a')
    assert.strictEqual((await request(pb)).body.toString(), 'b')
  })

  it('a server is a net.Server', () => {
    assert.ok(new http.Server() instanceof net.Server)
  })

  it('listen(port, host, cb): returns the server, emits \'listening\', sets listening and address()', async () => {
    const server = track(http.createServer((req, res) => res.end('hi')))
    const events = []
    server.on('listening', () => events.push('listening event'))
    assert.strictEqual(server.listening, false)
    assert.strictEqual(server.address(), null)
    let cb
    const called = new Promise((resolve) => { cb = resolve })
    const ret = server.listen(0, '127.0.0.1', () => { events.push('callback'); cb() })
    assert.strictEqual(ret, server)
    await withTimeout(called, 2000, 'listen callback')
    assert.deepStrictEqual(events, ['listening event', 'callback'])
    assert.strictEqual(server.listening, true)
    const addr = server.address()
    assert.strictEqual(addr.address, '127.0.0.1')
    assert.strictEqual(addr.family, 'IPv4')
    assert.ok(Number.isInteger(addr.port) && addr.port > 0 && addr.port < 65536, String(addr.port))
    assert.strictEqual((await request(addr.port)).body.toString(), 'hi')
  })

  it('listen(0) without a host picks an ephemeral port reachable on 127.0.0.1', async function () {
    const server = track(http.createServer((req, res) => res.end('any')))
    server.listen(0)
    await onceWithin(server, 'listening')
    const addr = server.address()
    // Node listens on the unspecified address, '::' when IPv6 exists, else '0.0.0.0'.
    assert.strictEqual(addr.address, (await hasIPv6()) ? '::' : '0.0.0.0')
    assert.ok(addr.port > 0)
    assert.strictEqual((await request(addr.port)).body.toString(), 'any')
  })

  it('listen on ::1 reports family IPv6 and serves IPv6 clients', async function () {
    if (!(await hasIPv6())) this.skip()
    let remote
    const server = track(http.createServer((req, res) => { remote = [req.socket.remoteAddress, req.socket.remoteFamily]; res.end('v6') }))
    const port = await listen(server, '::1')
    assert.deepStrictEqual(server.address(), { address: '::1', family: 'IPv6', port })
    const { body } = await request(port, { host: '::1' })
    assert.strictEqual(body.toString(), 'v6')
    assert.deepStrictEqual(remote, ['::1', 'IPv6'])
  })

  it('listen on a Unix socket path: address() is the path, and the file is removed on close', async () => {
    const sock = path.join(os.tmpdir(), `uvhttp-lifecycle-${process.pid}-${Date.now()}.sock`)
    const seen = {}
    const server = track(http.createServer((req, res) => {
      seen.remote = [req.socket.remoteAddress, req.socket.remotePort]
      res.end('unix')
    }))
    try {
      server.listen(sock)
      await onceWithin(server, 'listening')
      assert.strictEqual(server.address(), sock)
      const { body } = await request(null, { socketPath: sock })
      assert.strictEqual(body.toString(), 'unix')
      // A Unix-socket peer has no address or port.
      assert.deepStrictEqual(seen.remote, [undefined, undefined])
      await withTimeout(close(server), 2000, 'close')
      assert.strictEqual(fs.existsSync(sock), false)
    } finally {
      fs.rmSync(sock, { force: true })
    }
  })

  it('listen({ port, host }) and listen(port, host, backlog, cb)', async () => {
    const a = track(http.createServer((req, res) => res.end('options')))
    a.listen({ port: 0, host: '127.0.0.1' })
    await onceWithin(a, 'listening')
    assert.strictEqual(a.address().address, '127.0.0.1')
    assert.strictEqual((await request(a.address().port)).body.toString(), 'options')

    const b = track(http.createServer((req, res) => res.end('backlog')))
    await withTimeout(new Promise((resolve) => b.listen(0, '127.0.0.1', 16, resolve)), 2000, 'listen with backlog')
    assert.strictEqual((await request(b.address().port)).body.toString(), 'backlog')

    const c = track(http.createServer((req, res) => res.end('backlog option')))
    c.listen({ port: 0, host: '127.0.0.1', backlog: 8 })
    await onceWithin(c, 'listening')
    assert.strictEqual((await request(c.address().port)).body.toString(), 'backlog option')
  })

  it('listen(handle) takes over the listening handle of another server', async () => {
    const other = net.createServer(() => assert.fail('the net server should not accept'))
    other.listen(0, '127.0.0.1')
    await onceWithin(other, 'listening')
    const port = other.address().port
    try {
      const server = track(http.createServer((req, res) => res.end('via handle')))
      server.listen(other._handle)
      await onceWithin(server, 'listening')
      assert.deepStrictEqual(server.address(), { address: '127.0.0.1', family: 'IPv4', port })
      assert.strictEqual((await request(port)).body.toString(), 'via handle')
      await withTimeout(close(server), 2000, 'close')
    } finally {
      await new Promise((resolve) => other.close(() => resolve()))
    }
  })

  it('listen({ fd }) serves on an inherited listening socket', async function () {
    this.timeout(5000)
    const parentSide = net.createServer()
    parentSide.listen(0, '127.0.0.1')
    await onceWithin(parentSide, 'listening')
    const port = parentSide.address().port
    const child = childProcess.spawn(process.execPath, [path.join(__dirname, '..', 'helpers', 'res-fd-child.js'), moduleIdFor(name)], {
      stdio: ['pipe', 'pipe', 'inherit', parentSide._handle]
    })
    try {
      const line = await lineFrom(child, /^(listening|error)/)
      // The parent's copy is closed: only the child accepts from here on.
      await new Promise((resolve) => parentSide.close(() => resolve()))
      assert.match(line, /^listening /)
      const addr = JSON.parse(line.slice('listening '.length))
      assert.deepStrictEqual(addr, { address: '127.0.0.1', family: 'IPv4', port })
      const { body } = await request(port)
      assert.strictEqual(body.toString(), `served by fd ${child.pid}`)
      const exited = onceWithin(child, 'exit', 3000)
      child.stdin.end()
      const [code] = await exited
      assert.strictEqual(code, 0)
    } finally {
      if (parentSide.listening) parentSide.close()
      if (child.exitCode === null) child.kill()
    }
  })

  it('listening on a port in use emits \'error\' EADDRINUSE with syscall listen', async () => {
    const holder = net.createServer()
    holder.listen(0, '127.0.0.1')
    await onceWithin(holder, 'listening')
    const port = holder.address().port
    try {
      const server = track(http.createServer())
      server.listen(port, '127.0.0.1')
      const [err] = await onceWithin(server, 'error')
      assert.strictEqual(err.code, 'EADDRINUSE')
      assert.strictEqual(err.syscall, 'listen')
      assert.strictEqual(err.address, '127.0.0.1')
      assert.strictEqual(err.port, port)
      assert.strictEqual(err.message, `listen EADDRINUSE: address already in use 127.0.0.1:${port}`)
      assert.strictEqual(server.listening, false)
    } finally {
      holder.close()
    }
  })

  it('close(cb) stops listening, calls back and emits \'close\'', async () => {
    const server = track(http.createServer((req, res) => res.end()))
    const port = await listen(server)
    const events = []
    server.on('close', () => events.push('close event'))
    let cbDone
    const cbCalled = new Promise((resolve) => { cbDone = resolve })
    const ret = server.close((err) => { events.push(`callback ${err}`); cbDone() })
    assert.strictEqual(ret, server)
    assert.strictEqual(server.listening, false)
    await withTimeout(cbCalled, 2000, 'close callback')
    assert.deepStrictEqual(events, ['close event', 'callback undefined'])
    // Nothing accepts on the port any more.
    await assert.rejects(request(port), (err) => err.code === 'ECONNREFUSED')
  })

  it('close(cb) on a server that is not listening calls back with ERR_SERVER_NOT_RUNNING', async () => {
    const server = new http.Server()
    const err = await withTimeout(new Promise((resolve) => server.close(resolve)), 2000, 'close callback')
    assert.strictEqual(err.code, 'ERR_SERVER_NOT_RUNNING')
    assert.strictEqual(err.message, 'Server is not running.')
  })

  /**
   * A server with one idle keep-alive connection (its request answered) and
   * one busy one (its request waiting for release()).
   */
  async function idleAndBusy () {
    let release
    const { server, port } = await serve((req, res) => {
      if (req.url === '/slow') release = () => res.end('slow done')
      else res.end('fast')
    })
    const idle = await rawClient(port)
    idle.write('GET /fast HTTP/1.1\r\nHost: x\r\n\r\n')
    await idle.until((t) => t.endsWith('\r\n\r\nfast'))
    const busy = await rawClient(port)
    busy.write('GET /slow HTTP/1.1\r\nHost: x\r\n\r\n')
    await waitFor(() => release, 2000, 'slow request')
    return { server, port, idle, busy, release: () => release() }
  }

  it('close() closes idle keep-alive connections at once while an in-flight request completes', async () => {
    const { server, idle, busy, release } = await idleAndBusy()
    server.close()
    await idle.waitClose(1000)
    assert.strictEqual(busy.closed, false)
    release()
    const text = await busy.until((t) => t.endsWith('slow done'))
    // Node 20 still answers keep-alive here and leaves that connection to keepAliveTimeout.
    assert.match(text, /^HTTP\/1\.1 200 OK\r\n[^]*Connection: keep-alive\r\n/)
    busy.destroy()
  })

  it('closeAllConnections() closes idle and busy connections', async () => {
    let hanging = false
    const { server, port } = await serve((req, res) => {
      if (req.url === '/hang') hanging = true
      else res.end('idle soon')
    })
    const idle = await rawClient(port)
    idle.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n')
    await idle.until((t) => t.endsWith('idle soon'))
    const busy = await rawClient(port)
    busy.write('GET /hang HTTP/1.1\r\nHost: x\r\n\r\n')
    await waitFor(() => hanging, 2000, 'hanging request')
    const closed = new Promise((resolve) => server.close(resolve))
    server.closeAllConnections()
    await Promise.all([idle.waitClose(1000), busy.waitClose(1000)])
    assert.strictEqual(busy.text, '')
    assert.strictEqual(await withTimeout(closed, 2000, 'server close'), undefined)
  })

  it('closeIdleConnections() closes only the idle connections', async () => {
    const { server, port, idle, busy, release } = await idleAndBusy()
    server.closeIdleConnections()
    await idle.waitClose(1000)
    assert.strictEqual(server.listening, true)
    assert.strictEqual(busy.closed, false)
    release()
    await busy.until((t) => t.endsWith('slow done'))
    // The busy connection is idle now and a second call closes it.
    server.closeIdleConnections()
    await busy.waitClose(1000)
    // The server still accepts new connections.
    assert.strictEqual((await request(port)).body.toString(), 'fast')
  })

  it('defaults of timeout, keepAliveTimeout, headersTimeout, requestTimeout, maxHeadersCount, maxRequestsPerSocket equal Node\'s', () => {
    const names = ['timeout', 'keepAliveTimeout', 'headersTimeout', 'requestTimeout', 'maxHeadersCount', 'maxRequestsPerSocket']
    const pick = (s) => Object.fromEntries(names.map((n) => [n, s[n]]))
    const reference = pick(new nodeHttp.Server())
    // Node 20's values, spelled out so a change in Node shows up here too.
    assert.deepStrictEqual(reference, {
      timeout: 0, keepAliveTimeout: 5000, headersTimeout: 60000, requestTimeout: 300000, maxHeadersCount: null, maxRequestsPerSocket: 0
    })
    assert.deepStrictEqual(pick(new http.Server()), reference)
    assert.deepStrictEqual(pick(http.createServer(() => {})), reference)
  })

  it('the limits are writable properties', () => {
    const server = new http.Server()
    server.keepAliveTimeout = 1000
    server.headersTimeout = 2000
    server.requestTimeout = 3000
    server.maxHeadersCount = 10
    server.maxRequestsPerSocket = 5
    assert.deepStrictEqual(
      [server.keepAliveTimeout, server.headersTimeout, server.requestTimeout, server.maxHeadersCount, server.maxRequestsPerSocket],
      [1000, 2000, 3000, 10, 5])
    assert.strictEqual(server.setTimeout(1234), server)
    assert.strictEqual(server.timeout, 1234)
  })

  it('emits \'connection\' before \'request\'', async () => {
    const events = []
    const { server, port } = await serve((req, res) => { events.push('request'); res.end() })
    server.on('connection', () => events.push('connection'))
    await raw(port, GET)
    assert.deepStrictEqual(events, ['connection', 'request'])
  })

  it('an exception thrown in a request handler reaches \'uncaughtException\' and other connections are still served', async function () {
    this.timeout(6000)
    const script = path.join(__dirname, '..', 'helpers', 'res-throw-child.js')
    const { stdout, code } = await withTimeout(new Promise((resolve, reject) => {
      childProcess.execFile(process.execPath, [script, moduleIdFor(name)], { timeout: 5000 }, (err, stdout, stderr) => {
        resolve({ stdout, stderr, code: err ? err.code : 0 })
      })
    }), 5500, 'child process')
    const report = JSON.parse(stdout.trim().split('\n').pop())
    assert.strictEqual(code, 0, stdout)
    assert.deepStrictEqual(report.uncaught, [{ message: 'boom from handler', isError: true, custom: 42 }])
    assert.strictEqual(report.ok, 'still serving')
    assert.strictEqual(report.throwerGotResponse, undefined)
  })

  it('an exception thrown in an \'upgrade\' handler reaches \'uncaughtException\'; the head bytes are not delivered again as data', async function () {
    this.timeout(6000)
    const script = path.join(__dirname, '..', 'helpers', 'upgrade-throw-child.js')
    const { stdout, code } = await withTimeout(new Promise((resolve) => {
      childProcess.execFile(process.execPath, [script, moduleIdFor(name)], { timeout: 5000 }, (err, stdout, stderr) => {
        resolve({ stdout, stderr, code: err ? err.code : 0 })
      })
    }), 5500, 'child process')
    const report = JSON.parse(stdout.trim().split('\n').pop())
    assert.strictEqual(code, 0, stdout)
    assert.deepStrictEqual(report, { uncaught: ['boom from upgrade'], head: 'HELLO', data: 'MORE' })
  })
})
