'use strict'
// Ending a request early, with each implementation's client: abort() and
// destroy() at every stage (before the socket, after it, after the
// response), an AbortSignal, the timeout option, req.setTimeout() and
// res.setTimeout(); the events and errors must be Node's, in Node's order.
const assert = require('assert')
const { eachImpl } = require('../helpers/impls')
const { useServers, exchange, waitFor, delay } = require('../helpers/client-util')

eachImpl('client abort and timeouts', (http) => {
  const servers = useServers()
  const realHttp = require('http')

  /** A server that answers /slow only after `ms`, and streams /stream forever. */
  async function slowServer (ms = 2000) {
    const timers = new Set()
    const { server, port } = await servers.http(realHttp, (req, res) => {
      if (req.url === '/stream') {
        res.writeHead(200)
        const t = setInterval(() => res.write('tick'), 5)
        timers.add(t)
        res.on('close', () => clearInterval(t))
        return
      }
      const t = setTimeout(() => res.end('late'), ms)
      timers.add(t)
      res.on('close', () => clearTimeout(t))
    })
    server.on('close', () => { for (const t of timers) { clearTimeout(t); clearInterval(t) } })
    return port
  }

  it('abort() before the socket: \'close\' then \'abort\', no error', async () => {
    const port = await slowServer()
    const out = await exchange(http, { host: '127.0.0.1', port, path: '/slow' }, { onRequest (req) { req.end(); req.abort() }, end: false })
    assert.deepStrictEqual(out.events, ['close', 'abort'])
    assert.strictEqual(out.req.aborted, true)
    assert.strictEqual(out.req.destroyed, true)
  })

  it('destroy() before the socket: \'socket hang up\' then \'close\'', async () => {
    const port = await slowServer()
    const out = await exchange(http, { host: '127.0.0.1', port, path: '/slow' }, { onRequest (req) { req.end(); req.destroy() }, end: false })
    assert.deepStrictEqual(out.events, ['error ECONNRESET', 'close'])
    assert.strictEqual(out.error.message, 'socket hang up')
  })

  it('destroy(err) before the socket: that error', async () => {
    const port = await slowServer()
    const mine = new Error('mine')
    const out = await exchange(http, { host: '127.0.0.1', port, path: '/slow' }, { onRequest (req) { req.destroy(mine) } })
    assert.strictEqual(out.error, mine)
    assert.deepStrictEqual(out.events, ['error undefined', 'close'])
  })

  it('abort() on \'socket\' (still connecting): the closed socket reports \'socket hang up\'', async () => {
    const port = await slowServer()
    const out = await exchange(http, { host: '127.0.0.1', port, path: '/slow', agent: false }, { onRequest (req) { req.on('socket', () => req.abort()) } })
    assert.deepStrictEqual(out.events, ['socket', 'abort', 'error ECONNRESET', 'close'])
  })

  it('destroy() while waiting for the response: \'socket hang up\'', async () => {
    const port = await slowServer()
    const out = await exchange(http, { host: '127.0.0.1', port, path: '/slow' }, { onRequest (req) { req.on('finish', () => setTimeout(() => req.destroy(), 20)) } })
    assert.deepStrictEqual(out.events, ['socket', 'finish', 'error ECONNRESET', 'close'])
  })

  it('abort() while the response streams: \'aborted\', res error, closes', async () => {
    const port = await slowServer()
    const out = await exchange(http, { host: '127.0.0.1', port, path: '/stream' }, {
      onResponse (res, req) { res.once('data', () => req.abort()) }
    })
    assert.deepStrictEqual(out.events, ['socket', 'finish', 'response', 'abort', 'res aborted', 'close', 'res error ECONNRESET', 'res close'])
    assert.strictEqual(out.res.complete, false)
  })

  it('res.destroy() while the response streams', async () => {
    const port = await slowServer()
    const out = await exchange(http, { host: '127.0.0.1', port, path: '/stream' }, {
      onResponse (res) { res.once('data', () => res.destroy()) }
    })
    assert.deepStrictEqual(out.events, ['socket', 'finish', 'response', 'res aborted', 'res close', 'close'])
  })

  it('destroy() after the response ended changes nothing', async () => {
    const { port } = await servers.http(realHttp, (req, res) => res.end('done'))
    const out = await exchange(http, { host: '127.0.0.1', port }, {
      onResponse (res, req) { res.on('end', () => req.destroy()) }
    })
    assert.deepStrictEqual(out.events, ['socket', 'finish', 'response', 'res end', 'close', 'res close'])
    assert.strictEqual(out.body.toString(), 'done')
  })

  it('AbortSignal: aborted before the socket and while waiting', async () => {
    const port = await slowServer()
    const early = new AbortController()
    const a = await exchange(http, { host: '127.0.0.1', port, path: '/slow', signal: early.signal }, { onRequest () { early.abort() } })
    const late = new AbortController()
    const b = await exchange(http, { host: '127.0.0.1', port, path: '/slow', signal: late.signal }, { onRequest (req) { req.on('finish', () => setTimeout(() => late.abort(), 10)) } })
    const pre = AbortSignal.abort()
    const c = await exchange(http, { host: '127.0.0.1', port, path: '/slow', signal: pre })
    for (const out of [a, b, c]) {
      assert.strictEqual(out.error.name, 'AbortError')
      assert.strictEqual(out.error.code, 'ABORT_ERR')
    }
    assert.deepStrictEqual(a.events, ['error ABORT_ERR', 'close'])
    assert.deepStrictEqual(b.events, ['socket', 'finish', 'error ABORT_ERR', 'close'])
    assert.deepStrictEqual(c.events, ['error ABORT_ERR', 'close'])
  })

  it('the timeout option: \'timeout\' fires, the request is left to the caller', async () => {
    const port = await slowServer(300)
    const started = Date.now()
    const out = await exchange(http, { host: '127.0.0.1', port, path: '/slow', timeout: 50 }, {
      onRequest (req) { req.on('timeout', () => { req.timeoutAt = Date.now() - started; req.destroy() }) }
    })
    assert(out.req.timeoutAt >= 45, `timed out after ${out.req.timeoutAt} ms`)
    assert.deepStrictEqual(out.events, ['socket', 'finish', 'timeout', 'error ECONNRESET', 'close'])
  })

  it('req.setTimeout(ms, cb) before the socket; nothing is destroyed by itself', async () => {
    const port = await slowServer(150)
    let fired = 0
    const out = await exchange(http, { host: '127.0.0.1', port, path: '/slow' }, {
      onRequest (req) { req.setTimeout(40, () => fired++) }
    })
    assert.strictEqual(fired, 1)
    assert.strictEqual(out.body.toString(), 'late')
    assert.deepStrictEqual(out.events, ['socket', 'finish', 'timeout', 'response', 'res end', 'close', 'res close'])
  })

  it('res.setTimeout() while the body is slow', async () => {
    const { port } = await servers.http(realHttp, (req, res) => {
      res.write('part')
      const t = setTimeout(() => res.end('rest'), 150)
      res.on('close', () => clearTimeout(t))
    })
    let resTimeout = 0
    const out = await exchange(http, { host: '127.0.0.1', port }, {
      onResponse (res) { res.setTimeout(40, () => { resTimeout++ }) }
    })
    assert(resTimeout >= 1)
    assert.strictEqual(out.body.toString(), 'partrest')
  })

  it('setNoDelay / setSocketKeepAlive wait for the socket; socket.setTimeout fires \'timeout\' on req', async () => {
    const port = await slowServer(200)
    const out = await exchange(http, { host: '127.0.0.1', port, path: '/slow' }, {
      onRequest (req) {
        req.setNoDelay(true)
        req.setSocketKeepAlive(true, 1000)
        req.on('socket', (s) => s.setTimeout(30))
        req.on('timeout', () => req.destroy(new Error('gave up')))
      }
    })
    assert.strictEqual(out.error.message, 'gave up')
    assert.deepStrictEqual(out.events, ['socket', 'finish', 'timeout', 'error undefined', 'close'])
  })

  it('a keep-alive socket\'s timeout is the agent\'s again once it is free', async () => {
    const { port } = await servers.http(realHttp, (req, res) => res.end('x'))
    const agent = new http.Agent({ keepAlive: true, timeout: 1000 })
    const out = await exchange(http, { host: '127.0.0.1', port, agent, timeout: 300 })
    await waitFor(() => Object.keys(agent.freeSockets).length === 1, 2000, 'pooled')
    const socket = agent.freeSockets[`127.0.0.1:${port}:`][0]
    assert.strictEqual(out.req.timeout, 300)
    assert.strictEqual(socket.timeout, 1000)
    assert.strictEqual(socket.listenerCount('timeout'), 1)
    agent.destroy()
    await delay(5)
  })
})
