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

  describe('read through \'data\' without a stream (flowing lean)', function () {
    // The body in pieces, each in a read of its own, so that both engines
    // see the same arrivals.
    const pieces = ['POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\nConnection: close\r\n\r\n', 'hello', ' world']

    it('data, end, close, and ticks queued by the listeners, in Node\'s order; the state in each', async () => {
      same(await onBoth({
        request: pieces,
        handler: (log) => (req, res) => {
          req.on('data', (c) => {
            log.push(`data ${c} flowing ${req.readableFlowing}`)
            process.nextTick(() => log.push(`tick after data ${c}`))
          })
          req.on('end', () => {
            log.push({ end: true, ended: req.readableEnded, destroyed: req.destroyed, complete: req.complete })
            process.nextTick(() => log.push('tick after end'))
            res.end('ok')
          })
          req.on('close', () => log.push({ close: true, destroyed: req.destroyed, closed: req.closed, ended: req.readableEnded }))
          res.on('finish', () => log.push('finish'))
        },
        settle: (log) => log.some((e) => e.close)
      }))
    })

    it('the same order when nothing looks at the stream (it is never built)', async () => {
      same(await onBoth({
        request: pieces,
        handler: (log) => (req, res) => {
          req.on('data', (c) => {
            log.push(`data ${c}`)
            process.nextTick(() => log.push(`tick after data ${c}`))
            setImmediate(() => log.push(`immediate after data ${c}`))
          })
          req.on('end', () => {
            log.push(`end complete ${req.complete}`)
            process.nextTick(() => log.push('tick after end'))
            Promise.resolve().then(() => log.push('promise after end'))
            res.end('ok')
          })
          req.on('close', () => log.push('close'))
          res.on('finish', () => log.push('finish'))
          res.on('close', () => log.push('res close'))
        },
        settle: (log) => log.includes('close') && log.includes('res close')
      }))
    })

    it('head and body in one packet, keep-alive: each request read through data, in order', async () => {
      const one = (n) => `POST /${n} HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nbody${n}`
      same(await onBoth({
        request: [one(1) + one(2), one(3).replace('\r\n\r\n', '\r\nConnection: close\r\n\r\n')],
        handler: (log) => (req, res) => {
          const parts = []
          req.on('data', (c) => { parts.push(String(c)); process.nextTick(() => log.push(`${req.url} tick after data`)) })
          req.on('end', () => { log.push(`${req.url} end ${parts.join('')}`); res.end(parts.join('')) })
          req.on('close', () => log.push(`${req.url} close`))
        },
        settle: (log) => log.includes('/3 close')
      }))
    })

    it('pause() in a data listener, resume() later: the rest arrives, in order', async () => {
      same(await onBoth({
        request: pieces,
        handler: (log) => (req, res) => {
          let first = true
          req.on('data', (c) => {
            log.push(`data ${c}`)
            if (first) {
              first = false
              req.pause()
              log.push(`paused ${req.isPaused()} flowing ${req.readableFlowing}`)
              setTimeout(() => req.resume(), 40)
            }
          })
          req.on('end', () => { log.push('end'); res.end('ok') })
        },
        settle: (log) => log.includes('end')
      }))
    })

    it('a data listener added once the whole body arrived, then setEncoding', async () => {
      same(await onBoth({
        request: ['POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nConnection: close\r\n\r\n', Buffer.from([0xc3]), Buffer.from([0xa9, 0x61, 0x62])],
        handler: (log) => (req, res) => {
          setTimeout(() => {
            req.on('data', (c) => log.push(`data ${typeof c} ${c}`))
            req.setEncoding('utf8')
            req.on('end', () => { log.push('end'); res.end('ok') })
          }, 60)
        },
        settle: (log) => log.includes('end')
      }))
    })

    it('once(\'data\'), and what is left read through \'readable\'', async () => {
      same(await onBoth({
        request: pieces,
        handler: (log) => (req, res) => {
          req.once('data', (c) => {
            log.push(`once ${c}`)
            req.on('readable', () => {
              let chunk
              while ((chunk = req.read()) !== null) log.push(`read ${chunk}`)
            })
          })
          req.on('end', () => { log.push('end'); res.end('ok') })
        },
        settle: (log) => log.includes('end')
      }))
    })

    it('the response ends before the body: the request is left as Node leaves it, and a late reader gets the rest', async () => {
      same(await onBoth({
        request: pieces,
        handler: (log) => (req, res) => {
          req.on('data', (c) => log.push(`data ${c}`))
          res.end('early')
          res.on('finish', () => setTimeout(() => {
            log.push({ dumped: req._dumped, consuming: req._consuming, ended: req.readableEnded, listeners: req.listenerCount('data') })
          }, 60))
        },
        settle: (log) => log.some((e) => typeof e === 'object')
      }))
    })
  })
})
