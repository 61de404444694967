'use strict'
// Issue 9.10: a request that was partly read and then paused was dumped when
// its response finished (its unread body discarded, its 'data' listeners
// removed). Node's resOnFinish dumps only a request nobody started reading
// (req._consuming, set by IncomingMessage#_read). Node runs the tick queue
// after each body chunk it pushes, so a reader the handler attached has read
// before the body's end is pushed; uvhttp pushes the end in the same batch,
// before any tick, and _read never ran. Each case sends head, body and end
// in one write (the case that differed), and checks req._dumped once the
// response has finished and what a late reader still gets.
const assert = require('assert')
const { eachImpl } = require('../helpers/impls')
const { rawConnect } = require('../helpers/req-raw')
const { serverPool, withTimeout } = require('../helpers/req-util')

const CHUNKED = 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n5\r\nworld\r\n0\r\n\r\n'
const LENGTH = 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nhelloworld'
const GET = 'GET / HTTP/1.1\r\nHost: x\r\n\r\n'

eachImpl('regression: issue 9.10, a partly read, paused request is not dumped when its response finishes', (http) => {
  const pool = serverPool()
  afterEach(() => pool.closeAll())

  /**
   * Sends `request`; the handler is `handle(req, res)`. Resolves, once the
   * response has finished and a macrotask passed: { dumped, late }, where
   * late is what a reader attached then receives until 'end' (null if the
   * request had already ended).
   */
  async function run (request, handle) {
    let settle
    const outcome = new Promise((resolve) => { settle = resolve })
    const { port } = await pool.start(http, (req, res) => {
      handle(req, res)
      res.on('finish', () => setImmediate(() => {
        const dumped = req._dumped
        if (req.readableEnded) return settle({ dumped, late: null })
        let late = ''
        req.removeAllListeners('data')
        req.on('data', (c) => { late += c })
        req.on('end', () => settle({ dumped, late }))
        req.resume()
      }))
    })
    const c = await rawConnect(port, request)
    const result = await withTimeout(outcome, 3000, 'late read')
    await c.waitFor('\r\n\r\nok')
    return result
  }

  const readOneChunkAndPause = (req, res) => req.once('data', () => { req.pause(); res.end('ok') })

  it('leaves a Content-Length request alone after one chunk was read and it paused (Node\'s test-http-pause-no-dump)', async () => {
    const { dumped } = await run(LENGTH, readOneChunkAndPause)
    assert.strictEqual(dumped, false)
  })

  it('keeps the unread rest of a chunked body for a reader that resumes after the response', async () => {
    assert.deepStrictEqual(await run(CHUNKED, readOneChunkAndPause), { dumped: false, late: 'world' })
  })

  it('keeps what a \'readable\' reader left unread', async () => {
    const result = await run(CHUNKED, (req, res) => req.once('readable', () => { req.read(3); res.end('ok') }))
    assert.deepStrictEqual(result, { dumped: false, late: 'loworld' })
  })

  it('keeps the body of a request paused right after a \'data\' listener was added', async () => {
    const result = await run(LENGTH, (req, res) => { req.on('data', () => {}); req.pause(); res.end('ok') })
    assert.deepStrictEqual(result, { dumped: false, late: 'helloworld' })
  })

  it('leaves the request alone when the reader is attached in a promise continuation (an async handler after an await)', async () => {
    const afterAwaits = (req, res) => Promise.resolve().then(() => 0).then(() => readOneChunkAndPause(req, res))
    assert.deepStrictEqual(await run(CHUNKED, afterAwaits), { dumped: false, late: 'world' })
  })

  it('still dumps a request whose body nobody read', async () => {
    assert.deepStrictEqual(await run(LENGTH, (req, res) => res.end('ok')), { dumped: true, late: null })
  })

  it('still dumps a request without a body, even with a \'data\' listener', async () => {
    const result = await run(GET, (req, res) => { req.on('data', () => {}); res.end('ok') })
    assert.deepStrictEqual(result, { dumped: true, late: null })
  })
})
