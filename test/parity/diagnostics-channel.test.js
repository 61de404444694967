'use strict'
// What APM and tracing agents see (issue 16): the diagnostics channels Node's
// http publishes, each at its moment among the events around it, with the
// same message objects. A case runs on node:http (the reference, on the
// running Node line: a channel the line lacks is published by neither) and
// on the implementation, and the two traces must be equal. A trace line
// names each object by its role and the order it first appeared in, so
// `request.start request=request1 response=response1 …` before
// `event request request1 response1` says the message carried the very req
// and res the 'request' event then brought.
const assert = require('assert')
const dc = require('diagnostics_channel')
const net = require('net')
const path = require('path')
const { execFileSync } = require('child_process')
const { once } = require('events')
const nodeHttp = require('http')
const { eachImpl } = require('../helpers/impls')
const { listen, close, rawRequest } = require('../helpers/net')

const SERVER_CHANNELS = ['http.server.request.start', 'http.server.response.created', 'http.server.response.finish']
const CLIENT_CHANNELS = ['http.client.request.created', 'http.client.request.start', 'http.client.request.error',
  'http.client.response.finish']

/** Records channel messages and events in order; names objects when the trace is read. */
class Trace {
  constructor (channels) {
    this.entries = []
    this.subscriptions = channels.map((name) => {
      const fn = (message) => this.entries.push({ what: name.replace(/^http\.(server|client)\./, ''), message })
      dc.subscribe(name, fn)
      return [name, fn]
    })
  }

  /** Records `event` with its arguments named by role: event('request', { request: req, response: res }). */
  event (what, objects = {}) {
    this.entries.push({ what: `event ${what}`, objects })
  }

  stop () {
    for (const [name, fn] of this.subscriptions) dc.unsubscribe(name, fn)
  }

  /** The trace as lines of text. */
  lines () {
    const labels = new Map()
    const counts = {}
    const label = (role, obj) => {
      if (obj === undefined || obj === null) return String(obj)
      if (!labels.has(obj)) {
        counts[role] = (counts[role] || 0) + 1
        labels.set(obj, role + counts[role])
      }
      return labels.get(obj)
    }
    return this.entries.map(({ what, message, objects }) => {
      if (objects) return [what, ...Object.entries(objects).map(([role, obj]) => label(role, obj))].join(' ')
      // A message: every key, sorted, with the object it holds.
      return [what, ...Object.keys(message).sort().map((key) => `${key}=${label(key, message[key])}`)].join(' ')
    })
  }
}

/** Runs `scenario(http, trace)` with a trace of `channels`; resolves the lines. */
async function traceOf (http, channels, scenario) {
  const trace = new Trace(channels)
  try {
    await scenario(http, trace)
  } finally {
    trace.stop()
  }
  return trace.lines()
}

/** The scenario's trace on `http` equals node:http's; returns it. */
async function sameAsNode (http, channels, scenario) {
  const reference = await traceOf(nodeHttp, channels, scenario)
  const actual = await traceOf(http, channels, scenario)
  assert.deepStrictEqual(actual, reference)
  return reference
}

/** A server of `http` whose events go into the trace; `handler(req, res)` answers. */
function tracedServer (http, trace, handler, options = {}) {
  const server = http.createServer(options)
  server.on('connection', (socket) => trace.event('connection', { socket }))
  server.on('request', (req, res) => {
    trace.event('request', { request: req, response: res })
    req.on('end', () => trace.event('request end', { request: req }))
    res.on('finish', () => trace.event('response finish', { response: res }))
    res.on('close', () => trace.event('response close', { response: res }))
    handler(req, res)
  })
  return server
}

/** A body read to its end, then answered. */
function readThenAnswer (req, res) {
  req.resume()
  req.on('end', () => res.end('ok'))
}

/** A request with Node's own client (never the implementation's); resolves once its response has ended. */
function nodeGet (port, { agent = false, method = 'GET', body } = {}) {
  return new Promise((resolve, reject) => {
    const req = nodeHttp.request({ host: '127.0.0.1', port, method, agent }, (res) => {
      res.resume()
      res.on('end', resolve)
    })
    req.on('error', reject)
    req.end(body)
  })
}

/** The channels of the running line any trace must show: the test sees what it claims to. */
function assertShows (lines, channels) {
  for (const what of channels) assert.ok(lines.some((l) => l.startsWith(what + ' ')), `no ${what} in\n${lines.join('\n')}`)
}

eachImpl('diagnostics channels, server', (http) => {
  it('a request: request.start before "request", response.finish before the response\'s own "finish" listeners and "close"', async () => {
    const lines = await sameAsNode(http, SERVER_CHANNELS, async (http, trace) => {
      const server = tracedServer(http, trace, readThenAnswer)
      const port = await listen(server)
      try {
        await nodeGet(port, { method: 'POST', body: 'hello' })
      } finally {
        await close(server)
      }
    })
    assertShows(lines, ['request.start', 'response.finish'])
    // The message is Node's: the request, its response, the socket and the server.
    assert.ok(lines.includes('request.start request=request1 response=response1 server=server1 socket=socket1'), lines.join('\n'))
  })

  it('two requests on one keep-alive connection: one socket, a request and response each', async () => {
    const lines = await sameAsNode(http, SERVER_CHANNELS, async (http, trace) => {
      const server = tracedServer(http, trace, readThenAnswer)
      const port = await listen(server)
      const agent = new nodeHttp.Agent({ keepAlive: true, maxSockets: 1 })
      try {
        await nodeGet(port, { agent })
        await nodeGet(port, { agent })
      } finally {
        agent.destroy()
        await close(server)
      }
    })
    assertShows(lines, ['request.start', 'response.finish'])
    assert.ok(lines.includes('response.finish request=request2 response=response2 server=server1 socket=socket1'), lines.join('\n'))
  })

  it('an HTTP/1.1 request without Host: request.start, then the 400 finishes; no "request"', async () => {
    const lines = await sameAsNode(http, SERVER_CHANNELS, async (http, trace) => {
      const server = tracedServer(http, trace, readThenAnswer)
      const port = await listen(server)
      try {
        const { data } = await rawRequest(port, 'GET / HTTP/1.1\r\n\r\n', { end: true })
        assert.match(data, /^HTTP\/1\.1 400 /)
      } finally {
        await close(server)
      }
    })
    assertShows(lines, ['request.start', 'response.finish'])
    assert.ok(!lines.some((l) => l.startsWith('event request ')), lines.join('\n'))
  })

  it('an upgrade: no request.start (the socket leaves HTTP)', async () => {
    const lines = await sameAsNode(http, SERVER_CHANNELS, async (http, trace) => {
      const server = tracedServer(http, trace, readThenAnswer)
      server.on('upgrade', (req, socket) => {
        trace.event('upgrade', { request: req, socket })
        socket.end('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: x\r\n\r\n')
      })
      const port = await listen(server)
      try {
        await rawRequest(port, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: x\r\n\r\n')
      } finally {
        await close(server)
      }
    })
    assert.ok(lines.includes('event upgrade request1 socket1'), lines.join('\n'))
    assert.ok(!lines.some((l) => !l.startsWith('event ')), lines.join('\n'))
  })

  it('a request the client abandons: request.start, "close", and no response.finish', async () => {
    const lines = await sameAsNode(http, SERVER_CHANNELS, async (http, trace) => {
      let closed
      const gone = new Promise((resolve) => { closed = resolve })
      const server = tracedServer(http, trace, (req, res) => res.on('close', closed))
      const port = await listen(server)
      try {
        const sock = net.connect(port, '127.0.0.1')
        sock.end('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nhalf')
        await once(server, 'request')
        sock.destroy()
        await gone
      } finally {
        await close(server)
      }
    })
    assertShows(lines, ['request.start'])
    assert.ok(!lines.some((l) => l.startsWith('response.finish')), lines.join('\n'))
  })

  it('a socket the application hands over: the message carries that socket', async () => {
    const lines = await sameAsNode(http, SERVER_CHANNELS, async (http, trace) => {
      const server = tracedServer(http, trace, readThenAnswer)
      const front = net.createServer((socket) => server.emit('connection', socket))
      const port = await listen(front)
      try {
        await nodeGet(port)
      } finally {
        await new Promise((resolve) => front.close(resolve))
      }
    })
    assert.ok(lines.includes('response.finish request=request1 response=response1 server=server1 socket=socket1'), lines.join('\n'))
  })
})

/** A client of `http` whose request's events go into the trace; resolves when the request is over ('close'). */
function tracedRequest (http, trace, options, act = (req) => req.end()) {
  return new Promise((resolve) => {
    const req = http.request({ host: '127.0.0.1', ...options })
    trace.event('request returned', { request: req })
    req.on('socket', (socket) => trace.event('socket', { request: req, socket }))
    req.on('finish', () => trace.event('finish', { request: req }))
    req.on('error', (error) => trace.event('error', { request: req, error }))
    req.on('response', (res) => {
      trace.event('response', { request: req, response: res })
      res.on('end', () => trace.event('response end', { response: res }))
      res.resume()
    })
    req.on('close', () => { trace.event('close', { request: req }); resolve() })
    act(req)
  })
}

eachImpl('diagnostics channels, client', (http) => {
  let server
  let port
  beforeEach(async () => {
    // The peer is Node's own server; a path chooses what it does.
    server = nodeHttp.createServer((req, res) => {
      if (req.url === '/hang-up') return req.socket.destroy()
      req.resume()
      req.on('end', () => res.end('ok'))
    })
    port = await listen(server)
  })
  afterEach(() => close(server))

  it('a GET: request.created (22+) as the constructor returns, request.start at end(), response.finish before "response"', async () => {
    const lines = await sameAsNode(http, CLIENT_CHANNELS, (http, trace) => tracedRequest(http, trace, { port, agent: false }))
    assertShows(lines, ['request.start', 'response.finish'])
    assert.ok(lines.includes('response.finish request=request1 response=response1'), lines.join('\n'))
  })

  it('a POST written in pieces: request.start only at end()', async () => {
    const lines = await sameAsNode(http, CLIENT_CHANNELS, (http, trace) => tracedRequest(http, trace,
      { port, agent: false, method: 'POST' }, (req) => {
        req.write('a')
        setTimeout(() => {
          req.write('b')
          trace.event('end() called')
          req.end()
        }, 10)
      }))
    assert.ok(lines.indexOf('event end() called') < lines.indexOf('request.start request=request1'), lines.join('\n'))
  })

  it('two requests through a keep-alive agent: one socket, a message per request', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
    const reference = new nodeHttp.Agent({ keepAlive: true, maxSockets: 1 })
    try {
      const lines = await sameAsNode(http, CLIENT_CHANNELS, async (impl, trace) => {
        const a = impl === nodeHttp ? reference : agent
        await tracedRequest(impl, trace, { port, agent: a })
        await tracedRequest(impl, trace, { port, agent: a })
      })
      assert.ok(lines.includes('response.finish request=request2 response=response2'), lines.join('\n'))
    } finally {
      agent.destroy()
      reference.destroy()
    }
  })

  it('a refused connection: request.error with the error "error" brings', async () => {
    const closed = net.createServer()
    const refusedPort = await listen(closed)
    await new Promise((resolve) => closed.close(resolve))
    const lines = await sameAsNode(http, CLIENT_CHANNELS, (http, trace) => tracedRequest(http, trace, { port: refusedPort, agent: false }))
    assertShows(lines, ['request.error'])
    assert.ok(lines.includes('request.error error=error1 request=request1'), lines.join('\n'))
    assert.ok(lines.indexOf('request.error error=error1 request=request1') < lines.indexOf('event error request1 error1'), lines.join('\n'))
  })

  it('a server that hangs up: request.error, then "error"', async () => {
    const lines = await sameAsNode(http, CLIENT_CHANNELS, (http, trace) => tracedRequest(http, trace, { port, agent: false, path: '/hang-up' }))
    assertShows(lines, ['request.error'])
  })

  it('a request destroyed before it has a socket: request.error ("socket hang up")', async () => {
    const lines = await sameAsNode(http, CLIENT_CHANNELS, (http, trace) => tracedRequest(http, trace, { port, agent: false },
      (req) => req.destroy()))
    assertShows(lines, ['request.error'])
  })
})

describe('diagnostics channels: loading uvhttp', () => {
  it('publishes nothing to a subscriber that listens before uvhttp loads (as an APM agent preloaded first)', () => {
    // uvhttp learns at load which channels this Node line's http has; an
    // agent subscribed already must not see that as a request.
    const program = `
      const dc = require('diagnostics_channel')
      const seen = []
      for (const name of ${JSON.stringify([...SERVER_CHANNELS, ...CLIENT_CHANNELS])}) dc.subscribe(name, () => seen.push(name))
      require(${JSON.stringify(path.join(__dirname, '..', '..'))})
      process.stdout.write(JSON.stringify(seen))`
    const out = execFileSync(process.execPath, ['-e', program], { encoding: 'utf8', timeout: 10000 })
    assert.deepStrictEqual(JSON.parse(out), [])
  })
})
