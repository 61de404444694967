'use strict'
// AsyncLocalStorage across a request (issue 16): which store the request's
// callbacks see, server and client, exactly as on node:http on the running
// line. Node 20 and 22 keep stores on async resources (a store entered with
// enterWith() stays on the resource whose callback entered it); Node 24 and
// later keep them in AsyncContextFrames (it lasts until that callback
// returns), so the expected traces differ by line and each case is compared
// with node:http's on the same line, plus what holds on every line.
const assert = require('assert')
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

})

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
})
