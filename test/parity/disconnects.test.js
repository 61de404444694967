'use strict'
// Who hears about a connection going away, and in which order: req, res and
// the socket, for client disconnects mid-request and mid-response, server-side
// destroys, and normal completion (keep-alive and close).
const assert = require('assert')
const { eachImpl } = require('../helpers/impls')
const { byLine } = require('../helpers/node-line')
const { delay } = require('../helpers/net')
const { rawConnect } = require('../helpers/req-raw')
const { serverPool, withTimeout } = require('../helpers/req-util')

eachImpl('disconnects', (http) => {
  const pool = serverPool()
  afterEach(() => pool.closeAll())

  /**
   * Starts a server that logs req/res/socket events into `log` and then runs
   * `handler`; `settled()` resolves once req and res have both emitted 'close'
   * (and, with waitSocket, the socket too).
   */
  async function observed (handler, { options, clientError = false, waitSocket = true } = {}) {
    const log = []
    const state = {}
    let closes = 0
    let notify
    const allClosed = new Promise((resolve) => { notify = resolve })
    const need = waitSocket ? 3 : 2
    const closed = () => { if (++closes === need) notify() }
    const { server, port } = await pool.start(http, options, (req, res) => {
      log.push(`request ${req.url}`)
      state.req = req
      state.res = res
      for (const e of ['aborted', 'end']) req.on(e, () => log.push(`req ${e}`))
      req.on('error', (err) => log.push(`req error ${err.code} ${err.message}`))
      req.on('close', () => { log.push('req close'); closed() })
      res.on('finish', () => log.push('res finish'))
      res.on('error', (err) => log.push(`res error ${err.code}`))
      res.on('close', () => { log.push('res close'); closed() })
      req.socket.on('close', (hadError) => { log.push(`socket close ${hadError}`); closed() })
      handler(req, res, log)
    })
    if (clientError) server.on('clientError', (err, socket) => { log.push(`clientError ${err.code}`); socket.destroy() })
    return { port, server, log, state, settled: () => withTimeout(allClosed, 2000, 'close events') }
  }

  describe('client gone mid-request (partial body)', () => {
    const partial = 'POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc'
    const readBody = (req, res, log) => { req.on('data', (c) => log.push(`data ${c}`)) }

    it('FIN: req aborted, res close, socket close, then req error and close', async () => {
      const { port, log, state, settled } = await observed(readBody)
      const c = await rawConnect(port, partial)
      await delay(50)
      log.push('CLIENT GONE')
      c.destroy()
      await settled()
      assert.deepStrictEqual(log, [
        'request /up', 'data abc', 'CLIENT GONE',
        'req aborted', 'res close', 'socket close true', 'req error ECONNRESET aborted', 'req close'
      ])
      assert.strictEqual(state.req.aborted, true)
      assert.strictEqual(state.req.complete, false)
      assert.strictEqual(state.req.destroyed, true)
      assert.strictEqual(state.res.writableFinished, false)
      assert.strictEqual(state.res.writableEnded, false)
    })

    it('FIN with a clientError listener: HPE_INVALID_EOF_STATE first', async () => {
      const { port, log, settled } = await observed(readBody, { clientError: true })
      const c = await rawConnect(port, partial)
      await delay(50)
      log.push('CLIENT GONE')
      c.destroy()
      await settled()
      assert.deepStrictEqual(log, [
        'request /up', 'data abc', 'CLIENT GONE', 'clientError HPE_INVALID_EOF_STATE',
        'req aborted', 'res close', 'socket close false', 'req error ECONNRESET aborted', 'req close'
      ])
    })

    it('RST with a clientError listener: ECONNRESET first', async () => {
      const { port, log, settled } = await observed(readBody, { clientError: true })
      const c = await rawConnect(port, partial)
      await delay(50)
      log.push('CLIENT GONE')
      c.sock.resetAndDestroy()
      await settled()
      assert.deepStrictEqual(log, [
        'request /up', 'data abc', 'CLIENT GONE', 'clientError ECONNRESET',
        'req aborted', 'res close', 'socket close true', 'req error ECONNRESET aborted', 'req close'
      ])
    })

    it('a half-closing client gets 400 Bad Request for its truncated body', async () => {
      const { port, log, settled } = await observed(readBody)
      const c = await rawConnect(port, partial)
      await delay(50)
      c.end()
      assert.ok(await c.waitClose())
      assert.strictEqual(c.text, 'HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n')
      await settled()
      assert.ok(log.includes('req aborted'))
    })

    it('does not crash when req has no error listener', async () => {
      let closed
      const done = new Promise((resolve) => { closed = resolve })
      const { port } = await pool.start(http, (req) => {
        req.on('data', () => {})
        req.on('close', () => closed(req.aborted))
      })
      const c = await rawConnect(port, partial)
      await delay(50)
      c.destroy()
      assert.strictEqual(await withTimeout(done, 2000), true)
      await delay(50) // an unhandled 'error' would surface as an uncaught exception here
    })
  })

  describe('client gone mid-response', () => {
    /** Streams a chunk every 10 ms until closed. */
    const streaming = (req, res, log) => {
      res.write('start\n')
      const timer = setInterval(() => res.write('chunk\n'), 10)
      res.on('close', () => clearInterval(timer))
    }

    /** Connects, waits for some streamed bytes, then leaves (inside the data callback). */
    async function leaveWhileStreaming (port, log, how) {
      const c = await rawConnect(port)
      c.sock.on('data', () => {
        if (c.text.length > 200 && !c.sock.destroyed) {
          log.push('CLIENT GONE')
          if (how === 'rst') c.sock.resetAndDestroy()
          else c.destroy()
        }
      })
      await c.write('GET /stream HTTP/1.1\r\nHost: x\r\n\r\n')
      return c
    }

    it('FIN: res close with writableFinished false, then the socket closes', async () => {
      const { port, log, state, settled } = await observed(streaming)
      await leaveWhileStreaming(port, log, 'fin')
      await settled()
      // A complete GET whose body was never read still counts as aborted.
      assert.deepStrictEqual(log, [
        'request /stream', 'CLIENT GONE',
        'req aborted', 'res close', 'socket close false', 'req error ECONNRESET aborted', 'req close'
      ])
      assert.strictEqual(state.res.writableFinished, false)
      assert.strictEqual(state.res.writableEnded, false)
      assert.strictEqual(state.res.destroyed, true)
    })

    it('RST with a clientError listener: ECONNRESET first', async () => {
      const { port, log, settled } = await observed(streaming, { clientError: true })
      await leaveWhileStreaming(port, log, 'rst')
      await settled()
      assert.deepStrictEqual(log, [
        'request /stream', 'CLIENT GONE', 'clientError ECONNRESET',
        'req aborted', 'res close', 'socket close true', 'req error ECONNRESET aborted', 'req close'
      ])
    })

    it('a request body read to the end is not aborted (req already closed) when the client leaves later', async () => {
      const { port, log, state, settled } = await observed((req, res, log) => { req.resume(); streaming(req, res, log) })
      await leaveWhileStreaming(port, log, 'fin')
      await settled()
      // req closes as soon as its body has been read, long before the response is done.
      assert.deepStrictEqual(log, ['request /stream', 'req end', 'req close', 'CLIENT GONE', 'res close', 'socket close false'])
      assert.strictEqual(state.req.aborted, false)
    })

    it('write after close returns false, calls back with ERR_STREAM_DESTROYED and emits no error', async () => {
      let result
      const done = new Promise((resolve) => { result = resolve })
      const { port } = await observed((req, res, log) => {
        streaming(req, res, log)
        res.on('close', () => {
          const returned = res.write('late', (err) => result({ returned, code: err && err.code }))
        })
      })
      await leaveWhileStreaming(port, [], 'fin')
      assert.deepStrictEqual(await withTimeout(done, 2000), { returned: false, code: 'ERR_STREAM_DESTROYED' })
      await delay(30)
    })

    it('a client leaving while the handler is still thinking: the same order, no response attempted', async () => {
      const { port, log, settled } = await observed(() => {})
      const c = await rawConnect(port, 'GET /wait HTTP/1.1\r\nHost: x\r\n\r\n')
      await delay(50)
      log.push('CLIENT GONE')
      c.destroy()
      await settled()
      assert.deepStrictEqual(log, [
        'request /wait', 'CLIENT GONE',
        'req aborted', 'res close', 'socket close false', 'req error ECONNRESET aborted', 'req close'
      ])
    })
  })

  describe('normal completion', () => {
    const respondAfterBody = (req, res, log) => {
      req.resume()
      req.on('end', () => { log.push('handler end()'); res.end('done') })
    }

    // A request read to its end closes after its response, except from Node
    // 26 on, whose IncomingMessage completes a clean destroy at once.
    const CLOSES_AFTER_END = byLine({ 20: ['res close', 'req close'], 26: ['req close', 'res close'] })

    it('keep-alive: finish, then res close and req close; the socket stays open', async () => {
      const { port, log, state, settled } = await observed(respondAfterBody, { waitSocket: false })
      const c = await rawConnect(port, 'POST /e HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc')
      await c.waitFor('\r\n\r\ndone')
      await settled()
      await delay(30)
      assert.deepStrictEqual(log, ['request /e', 'req end', 'handler end()', 'res finish', ...CLOSES_AFTER_END])
      assert.strictEqual(state.res.writableFinished, true)
      assert.strictEqual(state.req.aborted, false)
      assert.strictEqual(c.closed, false)
    })

    it('a response sent without touching req: Node dumps the body, then ends and closes req', async () => {
      const { port, log, settled } = await observed((req, res) => res.end('now'), { waitSocket: false })
      const c = await rawConnect(port, 'GET /now HTTP/1.1\r\nHost: x\r\n\r\n')
      await c.waitFor('\r\n\r\nnow')
      await settled()
      await delay(30)
      assert.deepStrictEqual(log, byLine({
        20: ['request /now', 'res finish', 'res close', 'req end', 'req close'],
        // Node 26's _dump ends a complete, unread request at once (read(0), not resume()).
        26: ['request /now', 'res finish', 'req end', 'res close', 'req close']
      }))
    })

    it('Connection: close: the same order, then the socket closes', async () => {
      const { port, log, settled } = await observed(respondAfterBody)
      const c = await rawConnect(port, 'POST /e HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc')
      assert.ok(await c.waitClose())
      await settled()
      assert.deepStrictEqual(log, ['request /e', 'req end', 'handler end()', 'res finish', ...CLOSES_AFTER_END, 'socket close false'])
    })

    it('each response on a keep-alive connection gets its own close', async () => {
      const log = []
      const { port } = await pool.start(http, (req, res) => {
        res.on('finish', () => log.push(`finish ${req.url}`))
        res.on('close', () => log.push(`close ${req.url}`))
        res.end(req.url)
      })
      const c = await rawConnect(port, 'GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\n')
      await c.waitFor('\r\n\r\n/2')
      await delay(50)
      assert.deepStrictEqual(log, ['finish /1', 'close /1', 'finish /2', 'close /2'])
      assert.strictEqual(c.closed, false)
    })
  })

  describe('server-side destroy', () => {
    it('req.socket.destroy() mid-upload: the client sees the connection close with no bytes', async () => {
      const { port, log, settled } = await observed((req, res, log) => {
        req.once('data', () => { log.push('destroy socket'); req.socket.destroy() })
      })
      const c = await rawConnect(port, 'POST /kill HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc')
      assert.ok(await c.waitClose())
      assert.strictEqual(c.text, '')
      await settled()
      assert.deepStrictEqual(log, [
        'request /kill', 'destroy socket',
        'req aborted', 'res close', 'socket close false', 'req error ECONNRESET aborted', 'req close'
      ])
    })

    it('req.destroy() mid-upload closes the connection too', async () => {
      const { port, log, settled } = await observed((req, res, log) => {
        req.once('data', () => { log.push('destroy req'); req.destroy() })
      })
      const c = await rawConnect(port, 'POST /kill HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc')
      assert.ok(await c.waitClose())
      assert.strictEqual(c.text, '')
      await settled()
      assert.deepStrictEqual(log, ['request /kill', 'destroy req', 'req aborted', 'req close', 'res close', 'socket close false'])
    })

    it('res.destroy() after the head was sent cuts the chunked body short', async () => {
      const { port, log, settled } = await observed((req, res, log) => {
        res.write('partial')
        setTimeout(() => { log.push('destroy res'); res.destroy() }, 50)
      })
      const c = await rawConnect(port, 'GET /cut HTTP/1.1\r\nHost: x\r\n\r\n')
      assert.ok(await c.waitClose())
      assert.strictEqual(c.normalised,
        'HTTP/1.1 200 OK\r\nDate: <date>\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\nTransfer-Encoding: chunked\r\n\r\n7\r\npartial\r\n')
      await settled()
      assert.strictEqual(log[0], 'request /cut')
      assert.strictEqual(log[1], 'destroy res')
      assert.deepStrictEqual(log.slice(2).sort(), ['req aborted', 'req close', 'req error ECONNRESET aborted', 'res close', 'socket close false'].sort())
    })
  })
})
