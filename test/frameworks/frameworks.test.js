'use strict'
// Real frameworks on uvhttp's own request and response (COMPAT.md #9,
// issue 10.5): Express 4 and 5 through uvhttp.createServer(app) while
// require('http') is Node's (uvhttp rebuilds that app's prototypes on its
// classes), the same apps under `node -r uvhttp/register` (they build on
// uvhttp's classes from the start), Fastify with serverFactory, and Koa.
// Each case is answered by node:http too, and the answers compared.
const assert = require('assert')
const crypto = require('crypto')
const fs = require('fs')
const os = require('os')
const path = require('path')
const nodeHttp = require('http')
const { execFile } = require('child_process')
const { listen, close } = require('../helpers/net')
const { withTimeout } = require('../helpers/req-util')

const root = path.join(__dirname, '..', '..')
const uvhttp = require(root)
const express4 = require('express')
const express5 = require('express5')
const Fastify = require('fastify')
const Koa = require('koa')

/** One request with Node's client; resolves { status, headers, body } (Date and ETag left out). */
function fetchOnce (port, { method = 'GET', path: p = '/', headers = {}, body } = {}) {
  return withTimeout(new Promise((resolve, reject) => {
    const req = nodeHttp.request({ port, host: '127.0.0.1', method, path: p, headers, agent: false }, (res) => {
      const chunks = []
      res.on('data', (c) => chunks.push(c))
      res.on('end', () => {
        const { date, etag, ...rest } = res.headers
        resolve({ status: res.statusCode, headers: rest, etag: typeof etag, body: Buffer.concat(chunks).toString('latin1') })
      })
    })
    req.on('error', reject)
    req.end(body)
  }), 3000, `${method} ${p}`)
}

/** Serves `app` on a server of `http` and runs `requests` against it; resolves their answers. */
async function answers (http, app, requests) {
  const server = http.createServer(app)
  const port = await listen(server)
  try {
    const out = []
    for (const r of requests) out.push(await fetchOnce(port, r))
    return out
  } finally {
    await close(server)
  }
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'uvhttp-frameworks-'))
const FILE = path.join(tmp, 'data.bin')
fs.writeFileSync(FILE, crypto.randomBytes(100000))
after(() => fs.rmSync(tmp, { recursive: true, force: true }))

const REQUESTS = [
  { path: '/users/42?q=x' },
  { method: 'POST', path: '/echo', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ a: [1, 2], s: 'h\u00e9' }) },
  { path: '/file' },
  { path: '/file', headers: { Range: 'bytes=10-19' } },
  { path: '/boom' },
  { path: '/next-error' },
  { path: '/nope' },
]

function expressApp (express) {
  const a = express()
  a.use(express.json())
  a.get('/users/:id', (req, res) => res.json({ id: req.params.id, q: req.query.q, ip: typeof req.ip, proto: req.protocol }))
  a.post('/echo', (req, res) => res.status(201).json({ got: req.body, type: req.get('content-type') }))
  a.get('/file', (req, res, next) => res.sendFile(FILE, (err) => err && next(err)))
  a.get('/boom', () => { throw new Error('kaboom') })
  a.get('/next-error', (req, res, next) => setImmediate(() => next(Object.assign(new Error('later'), { status: 418 }))))
  a.use((err, req, res, next) => res.status(err.status || 500).json({ error: err.message }))
  return a
}

for (const [name, express] of [['Express 4', express4], ['Express 5', express5]]) {
  describe(`${name} through uvhttp.createServer(app), with require('http') Node's own`, function () {
    it('routes, res.json, express.json(), res.sendFile with ranges, error handlers and 404 answer as on node:http', async () => {
      const expected = await answers(nodeHttp, expressApp(express), REQUESTS)
      const actual = await answers(uvhttp, expressApp(express), REQUESTS)
      assert.deepStrictEqual(actual, expected)
      assert.strictEqual(actual[0].status, 200)
      assert.strictEqual(actual[3].status, 206)
    })

    it('rebuilds that app\'s prototypes on uvhttp\'s classes, and leaves Node\'s and the framework\'s own alone', async () => {
      const app = expressApp(express)
      const server = uvhttp.createServer(app)
      assert.ok(app.request instanceof uvhttp.IncomingMessage)
      assert.ok(app.response instanceof uvhttp.ServerResponse)
      assert.ok(app.request instanceof nodeHttp.IncomingMessage)
      assert.strictEqual(Object.getPrototypeOf(express.request), nodeHttp.IncomingMessage.prototype)
      assert.strictEqual(Object.getPrototypeOf(express.response), nodeHttp.ServerResponse.prototype)
      // The framework's methods are still the framework's.
      assert.strictEqual(app.response.json, express.response.json)
      // Another app of the same framework still runs on node:http.
      const [onNode] = await answers(nodeHttp, expressApp(express), [{ path: '/users/7' }])
      assert.strictEqual(JSON.parse(onNode.body).id, '7')
      server.close()
    })
  })
}

describe('Express 4 and 5 under node -r uvhttp/register', function () {
  this.timeout(20000)

  it('an unchanged script that only requires http and express runs on uvhttp', async () => {
    const script = path.join(__dirname, '..', 'helpers', 'register-express-child.js')
    const out = await new Promise((resolve, reject) => {
      execFile(process.execPath, ['-r', 'uvhttp/register', script, FILE], { cwd: root, timeout: 15000 }, (err, stdout, stderr) => {
        if (err) reject(new Error(`${err.message}\n${stderr}`))
        else resolve(JSON.parse(stdout))
      })
    })
    for (const name of ['express4', 'express5']) {
      const r = out[name]
      assert.deepStrictEqual(r.classes, { server: true, request: true, response: true, onUvhttp: true })
      assert.deepStrictEqual(r.answers.map((a) => a.status), [200, 201, 200, 206, 500, 418, 404])
      assert.deepStrictEqual(JSON.parse(r.answers[1].body), { got: { a: [1, 2], s: 'h\u00e9' }, type: 'application/json' })
    }
  })
})

describe('Fastify with serverFactory, and Koa, on uvhttp', function () {
  it('Fastify: routing, a JSON body, a JSON reply, 404, as on node:http', async () => {
    const run = async (http) => {
      const app = Fastify({ serverFactory: (handler) => http.createServer(handler) })
      app.get('/users/:id', async (request) => ({ id: request.params.id, q: request.query.q }))
      app.post('/echo', async (request, reply) => reply.code(201).send({ got: request.body }))
      await app.listen({ port: 0, host: '127.0.0.1' })
      const port = app.server.address().port
      try {
        const out = []
        for (const r of REQUESTS.slice(0, 2).concat([{ path: '/nope' }])) out.push(await fetchOnce(port, r))
        return out
      } finally {
        await app.close()
      }
    }
    const expected = await run(nodeHttp)
    const actual = await run(uvhttp)
    assert.deepStrictEqual(actual, expected)
    assert.deepStrictEqual(actual.map((a) => a.status), [200, 201, 404])
  })

  it('Koa: middleware, a body read from ctx.req, JSON and a streamed file, as on node:http', async () => {
    const koaApp = () => {
      const app = new Koa()
      app.use(async (ctx, next) => {
        await next()
        ctx.set('X-Seen', 'yes')
      })
      app.use(async (ctx) => {
        if (ctx.path === '/echo') {
          const chunks = []
          for await (const chunk of ctx.req) chunks.push(chunk)
          ctx.status = 201
          ctx.body = { got: JSON.parse(Buffer.concat(chunks)), method: ctx.method }
        } else if (ctx.path === '/file') {
          ctx.type = 'application/octet-stream'
          ctx.body = fs.createReadStream(FILE)
        } else if (ctx.path.startsWith('/users/')) {
          ctx.body = { id: ctx.path.slice(7), q: ctx.query.q }
        }
      })
      return app.callback()
    }
    const requests = REQUESTS.slice(0, 3).concat([{ path: '/nope' }])
    const expected = await answers(nodeHttp, koaApp(), requests)
    const actual = await answers(uvhttp, koaApp(), requests)
    assert.deepStrictEqual(actual, expected)
    assert.deepStrictEqual(actual.map((a) => a.status), [200, 201, 200, 404])
  })
})
