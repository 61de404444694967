'use strict'
// uvhttp's IncomingMessage builds its Readable state the first time
// something needs it (lib/common/incoming-message.ts), replaying what
// already happened. These cases touch the stream late: after the body
// arrived, after its end, after the response finished, after the client
// went away, and compare everything a reader sees with node:http, running
// both in the same test so that the running Node line decides.
const assert = require('assert')
const { onBoth } = require('../helpers/both')
const { rawRequest } = require('../helpers/net')
const { RawClient } = require('../helpers/req-raw')

const POST = (body, extra = '') => `POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extra}\r\n${body}`

/** What a reader can see of a request's stream, without changing it. */
function streamView (req) {
  return {
    readable: req.readable,
    destroyed: req.destroyed,
    complete: req.complete,
    aborted: req.aborted,
    readableEnded: req.readableEnded,
    readableFlowing: req.readableFlowing,
    readableLength: req.readableLength,
    readableHighWaterMark: req.readableHighWaterMark,
    closed: req.closed,
    errored: req.errored && req.errored.code,
    dumped: req._dumped,
    consuming: req._consuming,
    ended: req._readableState.ended,
    endEmitted: req._readableState.endEmitted,
  }
}

function same (out) {
  assert.deepStrictEqual(out.uvhttp, out.node)
}

describe('lean IncomingMessage: the stream touched late, compared with node:http', function () {
  afterEach(() => RawClient.destroyAll())

  it('first touched after the whole body (and its end) arrived: data and end as usual', async () => {
    same(await onBoth({
      request: POST('hello world', 'Connection: close\r\n'),
      handler: (log) => (req, res) => {
        setTimeout(() => {
          log.push(streamView(req))
          const chunks = []
          req.on('data', (c) => chunks.push(c))
          req.on('end', () => {
            log.push(`end ${Buffer.concat(chunks)}`)
            res.end('ok')
          })
          req.on('close', () => log.push('close'))
        }, 50)
      },
      settle: (log) => log.length === 3
    }))
  })

  it('first touched with for await after the end arrived', async () => {
    same(await onBoth({
      request: POST('x'.repeat(3000), 'Connection: close\r\n'),
      handler: (log) => (req, res) => {
        setTimeout(async () => {
          let n = 0
          for await (const chunk of req) n += chunk.length
          log.push(`read ${n}`, streamView(req))
          res.end()
        }, 50)
      },
      settle: (log) => log.length === 2
    }))
  })

  it('a body parser reading _readableState first, then the body in paused mode', async () => {
    same(await onBoth({
      request: POST('abc', 'Connection: close\r\n'),
      handler: (log) => (req, res) => {
        setTimeout(() => {
          const state = req._readableState
          log.push({ length: state.length, ended: state.ended, flowing: state.flowing, hwm: state.highWaterMark, encoding: state.encoding })
          req.setEncoding('utf8')
          req.on('readable', () => {
            let chunk
            while ((chunk = req.read()) !== null) log.push(`read ${chunk}`)
          })
          req.on('end', () => { log.push('end'); res.end() })
        }, 50)
      },
      settle: (log) => log.includes('end')
    }))
  })

  it('after the response finished, a request nobody read is ended and closed for a later observer', async () => {
    same(await onBoth({
      // The body comes after the response (Node's parser and ours see the
      // end of one read at different moments, which changes _consuming).
      request: ['POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\nConnection: close\r\n\r\n', 'unread body'],
      handler: (log) => (req, res) => {
        res.end('ok')
        setTimeout(() => {
          log.push(streamView(req))
          req.on('data', () => log.push('late data'))
          req.on('end', () => log.push('late end'))
          setTimeout(() => log.push('done'), 30)
        }, 50)
      },
      settle: (log) => log.includes('done')
    }))
  })

  it('a GET nobody read, looked at after the response and after the connection closed', async () => {
    same(await onBoth({
      request: 'GET /x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
      handler: (log) => (req, res) => {
        res.end('ok')
        req.socket.on('close', () => setImmediate(() => log.push(streamView(req))))
      },
      settle: (log) => log.length === 1
    }))
  })

  it('the client goes away before anyone read: the request is aborted, with what had arrived still buffered', async () => {
    same(await onBoth({
      request: async (port, log) => {
        const c = await RawClient.connect(port)
        await c.write('POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc')
        await new Promise((resolve) => setTimeout(resolve, 30))
        c.destroy()
        return 'gone'
      },
      handler: (log) => (req) => {
        req.socket.on('close', () => setTimeout(() => {
          log.push(streamView(req))
          const chunks = []
          req.on('data', (c) => chunks.push(String(c)))
          req.on('error', (err) => log.push(`late error ${err.code}`))
          setTimeout(() => log.push(`late data ${chunks.join('')}`), 30)
        }, 20))
      },
      settle: (log) => log.length === 2
    }))
  })

  it('the client goes away after a complete GET nobody read: aborted, as Node has it', async () => {
    same(await onBoth({
      request: async (port) => {
        const c = await RawClient.connect(port)
        await c.write('GET /wait HTTP/1.1\r\nHost: x\r\n\r\n')
        await new Promise((resolve) => setTimeout(resolve, 30))
        c.destroy()
        return 'gone'
      },
      handler: (log) => (req) => {
        req.socket.on('close', () => setTimeout(() => log.push(streamView(req)), 20))
      },
      settle: (log) => log.length === 1
    }))
  })

  it('a body larger than the highWaterMark waits, unread, with reading paused, then arrives whole', async () => {
    const body = 'z'.repeat(200 * 1024)
    same(await onBoth({
      request: POST(body, 'Connection: close\r\n'),
      handler: (log) => (req, res) => {
        setTimeout(() => {
          let n = 0
          req.on('data', (c) => { n += c.length })
          req.on('end', () => { log.push(`got ${n}`); res.end() })
        }, 100)
      },
      settle: (log) => log.length === 1,
      ms: 3000
    }))
  })

  it('req.socket first read after the body arrived, and after the response: the same socket, its addresses', async () => {
    same(await onBoth({
      request: async (port) => (await rawRequest(port, [POST('ab'), 'GET /2 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'], { gapMs: 30 })).data.length > 0,
      handler: (log) => {
        let first
        return (req, res) => {
          if (req.url === '/up') {
            res.end('1')
            setTimeout(() => { first = req.socket; log.push({ family: first.remoteFamily, address: first.remoteAddress, local: first.localAddress }) }, 10)
          } else {
            setTimeout(() => {
              log.push({ same: req.socket === first && req.connection === first && res.socket === first, encrypted: req.socket.encrypted })
              res.end('2')
            }, 20)
          }
        }
      },
      settle: (log) => log.length === 2
    }))
  })

  it('resume() on an untouched request, then the response: end and close in Node\'s order', async () => {
    same(await onBoth({
      request: POST('ignored', 'Connection: close\r\n'),
      handler: (log) => (req, res) => {
        req.resume()
        req.on('end', () => log.push('end'))
        req.on('close', () => log.push('close'))
        res.on('finish', () => log.push('finish'))
        res.end('ok')
      },
      settle: (log) => log.length === 3
    }))
  })

  it('req.signal, where the running Node line has it: aborts when the client leaves, not after the response', async () => {
    same(await onBoth({
      request: async (port) => {
        const c = await RawClient.connect(port)
        await c.write('GET /leave HTTP/1.1\r\nHost: x\r\n\r\nGET /stay HTTP/1.1\r\nHost: x\r\n\r\n')
        await new Promise((resolve) => setTimeout(resolve, 60))
        c.destroy()
        return 'gone'
      },
      handler: (log) => (req, res) => {
        if (!('signal' in req)) return log.push('no signal', 'no signal')
        const signal = req.signal
        signal.addEventListener('abort', () => log.push(`${req.url} aborted`))
        if (req.url === '/leave') res.end('bye')
        setTimeout(() => log.push(`${req.url} ${signal.aborted}`), 100)
      },
      settle: (log) => log.length >= 3 || log[0] === 'no signal',
      ms: 1000
    }))
  })
})
