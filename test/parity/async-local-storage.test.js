'use strict'
// AsyncLocalStorage across a request (issue 16): which store the request's
// callbacks see, server and client, exactly as on node:http on the running
// line. Node 20 and 22 keep stores on async resources (a store entered with
// enterWith() stays on the resource whose callback entered it); Node 24 and
// later keep them in AsyncContextFrames (it lasts until that callback
// returns), so the expected traces differ by line and each case is compared
// with node:http's on the same line, plus what holds on every line.
const assert = require('assert')
const net = require('net')
const v8 = require('v8')
const vm = require('vm')
const { AsyncLocalStorage } = require('async_hooks')
const nodeHttp = require('http')
const { eachImpl } = require('../helpers/impls')
const { listen, close } = require('../helpers/net')

v8.setFlagsFromString('--expose-gc')
/** A full garbage collection (what the first minutes of a real server see many times). */
const gc = vm.runInNewContext('gc')

/** Runs `scenario(http, als, log)` and resolves the lines logged: `what store`. */
async function storesSeen (http, scenario) {
  const als = new AsyncLocalStorage()
  const lines = []
  const log = (what) => lines.push(`${what} ${als.getStore()}`)
  try {
    await scenario(http, als, log)
  } finally {
    als.disable()
  }
  return lines
}

/** The scenario's lines on `http` equal node:http's; returns them. */
async function sameAsNode (http, scenario) {
  const reference = await storesSeen(nodeHttp, scenario)
  assert.deepStrictEqual(await storesSeen(http, scenario), reference)
  return reference
}

/** POSTs `path` with Node's own client over `agent`; resolves when the response has ended. */
function post (port, path, agent) {
  return new Promise((resolve, reject) => {
    const req = nodeHttp.request({ host: '127.0.0.1', port, path, method: 'POST', agent }, (res) => {
      res.resume()
      res.on('end', resolve)
    })
    req.on('error', reject)
    req.end('body')
  })
}

/** A server logging the store its request's callbacks see; `onRequest(req)` runs first in the handler. */
function loggingServer (http, log, onRequest = () => {}) {
  return http.createServer((req, res) => {
    log(`handler ${req.url}`)
    onRequest(req)
    req.on('data', () => log(`request data ${req.url}`))
    req.on('end', () => {
      log(`request end ${req.url}`)
      res.end('ok')
    })
    res.on('finish', () => log(`response finish ${req.url}`))
    res.on('close', () => log(`response close ${req.url}`))
  })
}

eachImpl('AsyncLocalStorage, server', (http) => {
  it('a store entered around listen(), and another entered in a "connection" listener: which each request sees', async () => {
    const lines = await sameAsNode(http, async (http, als, log) => {
      const server = loggingServer(http, log)
      let n = 0
      server.on('connection', () => {
        log('connection')
        als.enterWith(`connection${++n}`)
      })
      const port = await als.run('listen', () => listen(server))
      // Two requests on one connection, then one on a second connection.
      const agent = new nodeHttp.Agent({ keepAlive: true, maxSockets: 1 })
      try {
        await post(port, '/a', agent)
        await post(port, '/b', agent)
        await post(port, '/c', false)
      } finally {
        agent.destroy()
        await close(server)
      }
    })
    // On every line the first connection's requests see the listen-time
    // store: the store entered in 'connection' does not reach them.
    for (const what of ['handler', 'request data', 'request end', 'response finish', 'response close']) {
      assert.ok(lines.includes(`${what} /a listen`), lines.join('\n'))
      assert.ok(lines.includes(`${what} /b listen`), lines.join('\n'))
    }
  })

  it('the listen-time store survives garbage collections before the first connection', async () => {
    const lines = await sameAsNode(http, async (http, als, log) => {
      const server = loggingServer(http, log)
      const port = await als.run('listen', () => listen(server))
      gc()
      gc()
      try {
        await post(port, '/a', false)
      } finally {
        await close(server)
      }
    })
    assert.ok(lines.includes('handler /a listen'), lines.join('\n'))
  })

  it('a store entered in a request handler: what later events of the request, and later requests on that connection and on another see', async () => {
    // The body is sent once the handler has run, so it comes in a read of
    // its own: on Node 24 and later a store entered with enterWith() lasts
    // until the callback returns, and uvhttp delivers a read in one
    // callback where Node makes one per parser event (head, body, end).
    await sameAsNode(http, async (http, als, log) => {
      let headSeen
      const server = loggingServer(http, log, (req) => {
        if (req.url === '/a') als.enterWith('entered in /a')
        headSeen()
      })
      const port = await als.run('listen', () => listen(server))
      const postInTwoReads = async (socket, path) => {
        const seen = new Promise((resolve) => { headSeen = resolve })
        socket.write(`POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\n`)
        await seen
        const answered = new Promise((resolve) => {
          let text = ''
          const onData = (chunk) => {
            text += chunk
            if (!text.endsWith('\r\n\r\nok')) return
            socket.removeListener('data', onData)
            resolve()
          }
          socket.on('data', onData)
        })
        socket.write('body')
        await answered
      }
      const first = net.connect(port, '127.0.0.1')
      const second = net.connect(port, '127.0.0.1')
      try {
        await postInTwoReads(first, '/a')
        await postInTwoReads(first, '/b')
        await postInTwoReads(second, '/c')
      } finally {
        first.destroy()
        second.destroy()
        await close(server)
      }
    })
  })

  it('a socket the application hands over: its requests see the store of the hand-over', async () => {
    const lines = await sameAsNode(http, async (http, als, log) => {
      const server = loggingServer(http, log)
      const front = net.createServer((socket) => als.run('handed over', () => server.emit('connection', socket)))
      const port = await listen(front)
      try {
        await post(port, '/a', false)
      } finally {
        await new Promise((resolve) => front.close(resolve))
      }
    })
    assert.ok(lines.includes('handler /a handed over'), lines.join('\n'))
  })
})

/** A request of `http` made inside als.run(store); logs the store its callbacks see; resolves at its 'close'. */
function requestIn (http, als, log, store, options) {
  return new Promise((resolve) => als.run(store, () => {
    const req = http.request({ host: '127.0.0.1', method: 'POST', ...options }, (res) => {
      log(`response ${store}`)
      res.on('data', () => log(`response data ${store}`))
      res.on('end', () => log(`response end ${store}`))
    })
    req.on('socket', () => log(`socket ${store}`))
    req.on('finish', () => log(`finish ${store}`))
    req.on('error', (err) => log(`error ${err.code} ${store}`))
    req.on('close', () => {
      log(`close ${store}`)
      resolve()
    })
    req.end('body')
  }))
}

eachImpl('AsyncLocalStorage, client', (http) => {
  let server
  let port
  beforeEach(async () => {
    server = nodeHttp.createServer((req, res) => {
      req.resume()
      req.on('end', () => res.end('ok'))
    })
    port = await listen(server)
  })
  afterEach(() => close(server))

  it('a request made inside als.run(store): its response callback and the response\'s events see that store', async () => {
    const lines = await sameAsNode(http, async (http, als, log) => {
      await requestIn(http, als, log, 'A', { port, agent: false })
    })
    for (const what of ['response', 'response data', 'response end', 'close']) assert.ok(lines.includes(`${what} A A`), lines.join('\n'))
  })

  it('the store survives garbage collections while the request is under way', async () => {
    const lines = await sameAsNode(http, async (http, als, log) => {
      await new Promise((resolve) => als.run('A', () => {
        const req = http.request({ host: '127.0.0.1', port, agent: false }, (res) => {
          log('response')
          res.on('end', () => { log('response end'); resolve() })
          res.resume()
        })
        gc()
        req.on('socket', () => gc())
        req.end()
      }))
    })
    assert.ok(lines.includes('response A'), lines.join('\n'))
  })

  it('two requests from different stores, one after the other over one keep-alive socket: each sees its own', async () => {
    const lines = await sameAsNode(http, async (http, als, log) => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
      try {
        await requestIn(http, als, log, 'A', { port, agent })
        await requestIn(http, als, log, 'B', { port, agent })
      } finally {
        agent.destroy()
      }
    })
    assert.ok(lines.includes('response B B') && lines.includes('response end B B'), lines.join('\n'))
  })

  it('two requests from different stores queued on one socket (maxSockets 1): each sees its own', async () => {
    const lines = await sameAsNode(http, async (http, als, log) => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
      try {
        await Promise.all([requestIn(http, als, log, 'A', { port, agent }), requestIn(http, als, log, 'B', { port, agent })])
      } finally {
        agent.destroy()
      }
    })
    assert.ok(lines.includes('response B B') && lines.includes('response end B B'), lines.join('\n'))
  })

  it('a store entered in a response callback: what the next request on the socket sees', async () => {
    await sameAsNode(http, async (http, als, log) => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
      try {
        await new Promise((resolve) => als.run('A', () => {
          http.get({ host: '127.0.0.1', port, agent }, (res) => {
            als.enterWith('entered in response A')
            res.resume()
            res.on('end', () => log('response end A'))
          }).on('close', resolve)
        }))
        await requestIn(http, als, log, 'B', { port, agent })
      } finally {
        agent.destroy()
      }
    })
  })

  it('a refused connection: "error" sees the request\'s store', async () => {
    const refused = net.createServer()
    const refusedPort = await listen(refused)
    await new Promise((resolve) => refused.close(resolve))
    const lines = await sameAsNode(http, (http, als, log) => requestIn(http, als, log, 'A', { port: refusedPort, agent: false }))
    assert.ok(lines.includes('error ECONNREFUSED A A'), lines.join('\n'))
  })
})
