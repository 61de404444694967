'use strict'
// uvhttp's own ServerResponse (lib/server/server-response.ts) against Node's,
// where the lean design had choices to make: when 'finish' and 'close' come
// and what a late observer sees, corked writes, the callbacks of end(), the
// per-tick highWaterMark, 1xx heads. Each case runs on node:http and on
// uvhttp in the same test and the two outcomes must be equal, so the tests
// follow whatever the running Node line does.
const assert = require('assert')
const { onBoth } = require('../helpers/both')
const { delay } = require('../helpers/net')

const GET = 'GET / HTTP/1.1\r\nHost: x\r\n\r\n'
const GET_CLOSE = 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'

function same (out) {
  assert.deepStrictEqual(out.uvhttp, out.node)
}

describe('lean ServerResponse, compared with node:http', function () {
  it('a \'finish\' listener added right after end() still hears it, then \'close\'; the socket is detached by then', async () => {
    same(await onBoth({
      request: GET_CLOSE,
      handler: (log) => (req, res) => {
        res.end('x')
        log.push(`after end: socket ${res.socket !== null}, finished ${res.writableFinished}`)
        res.on('finish', () => log.push(`finish: socket ${res.socket === null ? 'null' : 'set'}, destroyed ${res.destroyed}`))
        res.on('close', () => log.push(`close: destroyed ${res.destroyed}`))
      },
      settle: (log) => log.length === 3
    }))
  })

  it('a response nobody listened to looks finished and closed to a later observer', async () => {
    same(await onBoth({
      request: GET_CLOSE,
      handler: (log) => (req, res) => {
        res.end('x')
        setImmediate(() => log.push({
          socket: res.socket, finished: res.finished, writableFinished: res.writableFinished, writableEnded: res.writableEnded,
          destroyed: res.destroyed, closed: res.closed, headersSent: res.headersSent, writableLength: res.writableLength
        }))
      },
      settle: (log) => log.length === 1
    }))
  })

  it('a tick scheduled right after end() sees the response still open', async () => {
    same(await onBoth({
      request: GET_CLOSE,
      handler: (log) => (req, res) => {
        res.end('x')
        process.nextTick(() => log.push(`tick: destroyed ${res.destroyed} closed ${res.closed}`))
      },
      settle: (log) => log.length === 1
    }))
  })

  it('end(cb) and end() after end(cb) call back as the running Node line does', async () => {
    same(await onBoth({
      request: GET_CLOSE,
      handler: (log) => (req, res) => {
        res.on('finish', () => log.push('finish'))
        res.end('x', (...args) => log.push(`end cb ${args.length} ${args[0] ?? ''}`))
        res.end((...args) => log.push(`second end cb ${args.length} ${args[0]?.code ?? args[0] ?? ''}`))
        setTimeout(() => res.end((err) => log.push(`late end cb ${err?.code}`)), 50)
      },
      settle: (log) => log.length === 4,
      ms: 1000
    }))
  })

  it('corked writes: the framing of chunks written between cork() and uncork()', async () => {
    same(await onBoth({
      request: GET_CLOSE,
      handler: (log) => (req, res) => {
        res.cork()
        res.write('a')
        res.write('bc')
        log.push(`corked ${res.writableCorked}`)
        process.nextTick(() => {
          res.uncork()
          res.end('d')
        })
      }
    }))
  })

  it('writableLength, writableNeedDrain and the return value of write() in one tick, then \'drain\'', async () => {
    same(await onBoth({
      request: async (port) => {
        const { rawRequest } = require('../helpers/net')
        const { data } = await rawRequest(port, GET_CLOSE)
        return data.length
      },
      handler: (log) => (req, res) => {
        // Half the highWaterMark and a byte: the second write reaches it (16 KiB on Node 20, 64 KiB later).
        const chunk = Buffer.alloc(res.writableHighWaterMark / 2 + 1, 'a')
        for (let i = 0; i < 3; i++) log.push(`write ${res.write(chunk)} needDrain ${res.writableNeedDrain}`)
        res.once('drain', () => { log.push(`drain needDrain ${res.writableNeedDrain}`); res.end() })
      },
      settle: (log) => log.length === 4
    }))
  })

  it('HEAD: the body is dropped, write() still calls back and returns true', async () => {
    same(await onBoth({
      request: 'HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
      handler: (log) => (req, res) => {
        log.push(`write ${res.write('ignored', () => log.push('write cb'))}`)
        res.end('also ignored')
      },
      settle: (log) => log.length === 2
    }))
  })

  it('writeHead with a flat array after setHeader, and headers given to writeHead', async () => {
    same(await onBoth({
      request: GET_CLOSE,
      handler: () => (req, res) => {
        res.setHeader('X-Foo', 'old')
        res.setHeader('X-Keep', 'k')
        res.writeHead(200, ['x-foo', 'new1', 'x-foo', 'new2'])
        res.end()
      }
    }))
  })

  it('1xx heads: writeProcessing, writeEarlyHints, writeContinue, in order with the final head', async () => {
    same(await onBoth({
      request: GET_CLOSE,
      handler: () => (req, res) => {
        res.writeProcessing()
        res.writeEarlyHints({ link: ['</a.css>; rel=preload; as=style', '</b.js>; rel=preload; as=script'], 'x-hint': 'h' })
        res.writeContinue()
        res.end('done')
      }
    }))
  })

  it('strictContentLength: the mismatch errors of write() and of end()', async () => {
    same(await onBoth({
      request: 'GET / HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
      handler: (log) => (req, res) => {
        res.strictContentLength = true
        res.setHeader('Content-Length', 3)
        const attempt = (what, fn) => {
          try {
            log.push(`${req.url} ${what} ${fn()}`)
          } catch (err) {
            log.push(`${req.url} ${what} ${err.code} ${err.message}`)
          }
        }
        if (req.url === '/') {
          attempt('write', () => res.write('four'))
          attempt('end', () => res.end() === res)
          attempt('write more', () => res.write('x'))
        } else {
          attempt('end', () => res.end('xy') === res)
        }
        setTimeout(() => res.destroy(), 20)
      },
      settle: (log) => log.length === 4,
      ms: 500
    }))
  })

  it('destroy() before the head: nothing is sent, \'close\' follows, later writes call back with an error', async () => {
    same(await onBoth({
      request: GET,
      handler: (log) => (req, res) => {
        res.on('close', () => log.push(`close ${res.destroyed}`))
        res.on('error', (err) => log.push(`error ${err.code}`))
        res.destroy()
        res.write('late', (err) => log.push(`write cb ${err && err.code}`))
      },
      settle: (log) => log.length >= 2,
      ms: 500
    }))
  })

  it('pipelined responses: a waiting one\'s socket, \'socket\' event and writes before its turn', async () => {
    same(await onBoth({
      request: 'GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
      handler: (log) => (req, res) => {
        log.push(`${req.url} socket ${res.socket !== null}`)
        res.on('socket', () => log.push(`${req.url} socket event`))
        res.on('finish', () => log.push(`${req.url} finish`))
        if (req.url === '/1') setTimeout(() => res.end('one'), 30)
        else {
          log.push(`/2 write ${res.write('tw')}`)
          res.end('o')
        }
      },
      settle: (log) => log.filter((e) => e.endsWith('finish')).length === 2
    }))
  })

  it('the response of a request that was never read: the request ends and closes after \'finish\'', async () => {
    same(await onBoth({
      request: 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello',
      handler: (log) => (req, res) => {
        res.on('finish', () => {
          log.push('finish')
          req.on('end', () => log.push('req end'))
          req.on('close', () => log.push('req close'))
        })
        res.end('ok')
      },
      settle: (log) => log.length === 3
    }))
    await delay(10)
  })

  it('consecutive heads that differ in one input each (the last head is reused only when nothing differs)', async () => {
    const plain = (res) => res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': 1 })
    const variants = {
      value: (res) => res.writeHead(200, { 'Content-Type': 'text/html', 'Content-Length': 1 }),
      status: (res) => res.writeHead(201, { 'Content-Type': 'text/plain', 'Content-Length': 1 }),
      order: (res) => res.writeHead(200, { 'Content-Length': 1, 'Content-Type': 'text/plain' }),
      more: (res) => res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': 1, 'X-More': 'm' }),
      nodate: (res) => { res.sendDate = false; plain(res) },
      store: (res) => { res.setHeader('Content-Type', 'text/plain'); res.setHeader('Content-Length', 1); res.writeHead(200) },
      removed: (res) => { res.setHeader('Content-Type', 'text/plain'); res.setHeader('Content-Length', 1); res.removeHeader('Content-Length'); res.writeHead(200) },
      nokeep: (res) => { res.shouldKeepAlive = false; plain(res) },
    }
    // Each variant between two plain heads: it differs from the one before it in one input.
    const sequence = []
    for (const name of Object.keys(variants)) sequence.push('plain', name)
    same(await onBoth({
      request: sequence.map((name, i) => `GET /${name}?${i} HTTP/1.1\r\nHost: x\r\n\r\n`).join(''),
      handler: () => (req, res) => {
        const name = req.url.slice(1, req.url.indexOf('?'))
        ;(variants[name] ?? plain)(res)
        res.end('x')
      }
    }))
  })
})
