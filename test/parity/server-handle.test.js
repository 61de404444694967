'use strict'
// server._handle (COMPAT.md #19, issue 9 item 2): Node's net.Server keeps its
// listening handle there, and code outside the http module decides from it or
// calls into it. supertest's end() (releases up to 7.3.0, the ones most test
// suites run: package.json pins one) closes the server only `if
// (server._handle)`; net.Server's own ref()/unref()/listening go through it;
// tools read its fd, async id and socket name.
const assert = require('assert')
const asyncHooks = require('async_hooks')
const fs = require('fs')
const os = require('os')
const path = require('path')
const supertest = require('supertest')
const { eachImpl } = require('../helpers/impls')
const { useServers, withTimeout, onceWithin } = require('../helpers/res-util')

eachImpl('server._handle', (http) => {
  const track = useServers(http).track

  it('is null before listen, an object while listening, null again once close() is called', async () => {
    const server = track(http.createServer((req, res) => res.end()))
    assert.strictEqual(server._handle, null)
    server.listen(0, '127.0.0.1')
    await onceWithin(server, 'listening')
    assert.strictEqual(typeof server._handle, 'object')
    assert.notStrictEqual(server._handle, null)
    assert.strictEqual(server.listening, true)
    const closed = onceWithin(server, 'close')
    server.close()
    assert.strictEqual(server._handle, null)
    assert.strictEqual(server.listening, false)
    await closed
  })

  it('supertest closes a server it started once the request is done', async () => {
    const server = http.createServer((req, res) => res.end('supertest FTW!'))
    const closed = onceWithin(server, 'close', 3000)
    const res = await withTimeout(new Promise((resolve, reject) => {
      supertest(server).get('/').end((err, res) => (err ? reject(err) : resolve(res)))
    }), 3000, 'supertest request')
    assert.strictEqual(res.status, 200)
    assert.strictEqual(res.text, 'supertest FTW!')
    await closed
    assert.strictEqual(server.listening, false)
  })

  it('hasRef() follows server.ref() and server.unref(), before and after listen', async () => {
    const server = track(http.createServer())
    server.unref()
    server.listen(0, '127.0.0.1')
    await onceWithin(server, 'listening')
    assert.strictEqual(server._handle.hasRef(), false)
    server.ref()
    assert.strictEqual(server._handle.hasRef(), true)
    server.unref()
    assert.strictEqual(server._handle.hasRef(), false)
    server.ref()
  })

  it('fd is the listening socket; getsockname(out) fills what address() returns', async () => {
    const server = track(http.createServer())
    server.listen(0, '127.0.0.1')
    await onceWithin(server, 'listening')
    const fd = server._handle.fd
    assert.ok(Number.isInteger(fd) && fd > 2, String(fd))
    assert.ok(fs.fstatSync(fd).isSocket())
    const out = {}
    assert.strictEqual(server._handle.getsockname(out), 0)
    assert.deepStrictEqual(out, server.address())
  })

  it('getAsyncId() is the id of the TCPSERVERWRAP async resource, destroyed after close', async () => {
    const inits = new Map()
    const destroyed = new Set()
    const hook = asyncHooks.createHook({
      init (id, type) { inits.set(id, type) },
      destroy (id) { destroyed.add(id) }
    }).enable()
    try {
      const server = http.createServer()
      server.listen(0, '127.0.0.1')
      await onceWithin(server, 'listening')
      const id = server._handle.getAsyncId()
      assert.strictEqual(inits.get(id), 'TCPSERVERWRAP')
      server.close()
      await onceWithin(server, 'close')
      await new Promise((resolve) => setImmediate(resolve))
      await new Promise((resolve) => setImmediate(resolve))
      assert.ok(destroyed.has(id), 'destroy hook for the server handle')
    } finally {
      hook.disable()
    }
  })
})

eachImpl('listen({ path, readableAll, writableAll })', (http) => {
  const track = useServers(http).track

  it('makes the socket file readable and writable by everyone (net.Server calls _handle.fchmod)', async () => {
    const sock = path.join(os.tmpdir(), `uvhttp-chmod-${process.pid}-${Date.now()}.sock`)
    const server = track(http.createServer((req, res) => res.end()))
    try {
      server.listen({ path: sock, readableAll: true, writableAll: true })
      await onceWithin(server, 'listening')
      assert.strictEqual(fs.statSync(sock).mode & 0o666, 0o666)
    } finally {
      await new Promise((resolve) => server.close(resolve))
      fs.rmSync(sock, { force: true })
    }
  })
})
