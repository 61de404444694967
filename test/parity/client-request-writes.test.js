'use strict'
// Issue 14: a request's writes on an idle engine connection go to the
// engine directly (lib/client/request-writer.ts): flushHeaders() and a
// bodiless end() as the head alone, and what a request queued in the agent
// gathered before it had its socket; writes in a tick where Node corks the
// socket go through it as before.
// The server must receive the same bytes and the request must report the
// same events, callbacks and return values, in the same order, as Node's
// client on the running Node line (their order changed in Node 24): each
// case runs on both clients and compares.
const assert = require('assert')
const path = require('path')
const nodeHttp = require('http')
const { useServers, waitFor } = require('../helpers/client-util')

const uvhttp = require(path.join(__dirname, '..', '..'))

/** A server answering each request with its method, length and body. */
function echoBody (req, res) {
  const chunks = []
  req.on('data', (c) => chunks.push(c))
  req.on('end', () => res.end(`${req.method} ${req.headers['content-length'] ?? req.headers['transfer-encoding']} ${Buffer.concat(chunks)}`))
}

/** Makes a request with `write(req, log)` and resolves the response body and the log. */
function run (http, options, write) {
  return new Promise((resolve, reject) => {
    const log = []
    const req = http.request(options, (res) => {
      log.push('response')
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c) => { body += c })
      res.on('end', () => { log.push('end'); resolve({ body, log, req }) })
    })
    req.on('error', reject)
    req.on('finish', () => log.push('finish'))
    write(req, log)
  })
}

describe('client request writes, uvhttp as node:http', () => {
  const servers = useServers()

  /** Runs scenario(http, port) on each client against a uvhttp server; asserts both saw the same. */
  async function same (scenario) {
    const { port } = await servers.http(uvhttp, echoBody)
    const expected = await scenario(nodeHttp, port)
    const actual = await scenario(uvhttp, port)
    assert.deepStrictEqual(actual, expected)
    return actual
  }

  it('on a reused socket: a binary body written in the \'socket\' tick, callbacks and finish in Node\'s order', async () => {
    const out = await same(async (http, port) => {
      const agent = new http.Agent({ keepAlive: true })
      const options = { host: '127.0.0.1', port, method: 'POST', agent, headers: { 'content-length': 10 } }
      await run(http, { ...options, method: 'GET', headers: {} }, (req) => req.end())
      await waitFor(() => Object.keys(agent.freeSockets).length === 1, 2000, 'pooled')
      const res = await run(http, options, (req, log) => {
        req.on('socket', () => {
          log.push(`write ${req.write(Buffer.from('hello'), () => log.push('cb1'))}`)
          req.end(Buffer.from('world'), () => log.push('cb2'))
        })
      })
      agent.destroy()
      return { body: res.body, reused: res.req.reusedSocket, log: res.log }
    })
    assert.deepStrictEqual([out.body, out.reused], ['POST 10 helloworld', true])
    assert.deepStrictEqual(out.log.slice(0, 2), ['write true', 'cb1'])
  })

  it('flushHeaders() then a body; a bodiless end() with a callback', async () => {
    const out = await same(async (http, port) => {
      const agent = new http.Agent({ keepAlive: true })
      await run(http, { host: '127.0.0.1', port, agent }, (req) => req.end())
      await waitFor(() => Object.keys(agent.freeSockets).length === 1, 2000, 'pooled')
      const a = await run(http, { host: '127.0.0.1', port, method: 'PUT', agent }, (req, log) => {
        req.on('socket', () => {
          req.flushHeaders()
          log.push(`headersSent ${req.headersSent}`)
          req.end('later', () => log.push('cb'))
        })
    })
    const b = await run(http, { host: '127.0.0.1', port, agent }, (req, log) => {
      req.on('socket', () => req.end(() => log.push('cb')))
    })
    agent.destroy()
    return [a.body, a.log, b.body, b.log]
    })
    assert.deepStrictEqual([out[0], out[2]], ['PUT chunked later', 'GET undefined '])
  })

  it('requests queued in the agent send what they gathered once they get the socket', async () => {
    const out = await same(async (http, port) => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
      const bodies = ['one', Buffer.from('two'), 'three']
      const results = await Promise.all(bodies.map((body, i) => run(http, {
        host: '127.0.0.1', port, method: 'POST', agent, headers: i === 2 ? {} : { 'content-length': body.length }
      }, (req, log) => {
        if (i === 2) req.write('thr', () => log.push('cb write'))
        req.end(i === 2 ? 'ee' : body, () => log.push('cb end'))
      })))
      agent.destroy()
      return results.map((r) => [r.body, r.log])
    })
    assert.deepStrictEqual(out.map((r) => r[0]), ['POST 3 one', 'POST 3 two', 'POST chunked three'])
  })
})
