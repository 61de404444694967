'use strict'
// uvhttp/register (lib/register.ts): an application that only uses Node's
// `http` runs on uvhttp when the preload is given, through require('http'),
// `import http from 'node:http'` and named imports, with `-r`, `--import` or
// a first `import 'uvhttp/register'`. Each case runs in a child process;
// the fixture reports whose server, request, response and agents it got.
// test/package runs the same fixtures from the packed tarball.
const assert = require('assert')
const { execFile } = require('child_process')
const path = require('path')

const root = path.join(__dirname, '..', '..')
const fixtures = path.join(root, 'test', 'fixtures', 'register')

/** Runs node with args in the repository (where `uvhttp` resolves to itself); resolves stdout. */
function node (args) {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { cwd: root, timeout: 8000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`node ${args.join(' ')}: ${err.message}\n${stderr}`))
      else resolve(stdout)
    })
  })
}

const ALL_UVHTTP = { server: true, serverReq: true, serverRes: true, clientReq: true, clientRes: true, agent: true, globalAgent: true }

describe('uvhttp/register', function () {
  it('node -r uvhttp/register: require(\'http\') gives uvhttp\'s server, client and agents', async () => {
    const out = JSON.parse(await node(['-r', 'uvhttp/register', path.join(fixtures, 'app.js')]))
    assert.deepStrictEqual(out, { body: 'GET /cjs', ...ALL_UVHTTP })
  })

  it('without it, the same application runs on Node\'s http (the check can tell)', async () => {
    const out = JSON.parse(await node([path.join(fixtures, 'app.js')]))
    assert.deepStrictEqual(out, {
      body: 'GET /cjs', server: false, serverReq: false, serverRes: false, clientReq: false, clientRes: false, agent: false, globalAgent: false
    })
  })

  it('node --import uvhttp/register: import http from \'node:http\' gives uvhttp', async () => {
    const out = JSON.parse(await node(['--import', 'uvhttp/register', path.join(fixtures, 'app.mjs')]))
    assert.deepStrictEqual(out, { body: 'GET /esm-default', ...ALL_UVHTTP })
  })

  it('import \'uvhttp/register\' first: named imports of node:http are uvhttp\'s', async () => {
    const out = JSON.parse(await node([path.join(fixtures, 'named.mjs')]))
    assert.deepStrictEqual(out, { body: 'GET /esm-named', ...ALL_UVHTTP })
  })

  it('uvhttp keeps building on Node\'s own classes; https, STATUS_CODES and METHODS stay Node\'s', async () => {
    // Node's internal modules still hold Node's originals after the preload.
    const script = `
      const http = require('http')
      const KEPT = ['OutgoingMessage', 'STATUS_CODES', 'METHODS', 'maxHeaderSize', 'validateHeaderName',
        'validateHeaderValue', 'setMaxIdleHTTPParsers']
      const before = KEPT.map((k) => http[k])
      const uvhttp = require('uvhttp/register')
      const parent = (f) => Object.getPrototypeOf(f.prototype)
      const out = {
        replaced: ['createServer', 'Server', 'IncomingMessage', 'ServerResponse', 'request', 'get', 'ClientRequest', 'Agent', 'globalAgent']
          .filter((k) => http[k] === uvhttp[k]),
        kept: KEPT.filter((k, i) => http[k] === before[i]),
        agentParent: parent(uvhttp.Agent) === require('_http_agent').Agent.prototype,
        incomingParent: parent(uvhttp.IncomingMessage) === require('_http_incoming').IncomingMessage.prototype,
        responseParent: parent(uvhttp.ServerResponse) === require('_http_server').ServerResponse.prototype,
        serverParent: parent(uvhttp.Server) === require('net').Server.prototype,
        httpsAgent: parent(require('https').Agent) === require('_http_agent').Agent.prototype,
        httpsGlobalAgent: !(require('https').globalAgent instanceof uvhttp.Agent),
        newAgent: new http.Agent({ keepAlive: true }) instanceof uvhttp.Agent,
        sameMethods: JSON.stringify(http.METHODS) === JSON.stringify(uvhttp.METHODS),
        sameCodes: JSON.stringify(http.STATUS_CODES) === JSON.stringify(uvhttp.STATUS_CODES),
        twice: require('uvhttp/register') === require('uvhttp')
      }
      // Assigning http.globalAgent assigns uvhttp's, as Node's accessor assigns its own.
      const mine = new http.Agent()
      http.globalAgent = mine
      out.globalAgentSet = uvhttp.globalAgent === mine
      console.log(JSON.stringify(out))`
    const out = JSON.parse(await node(['-e', script]))
    assert.deepStrictEqual(out, {
      replaced: ['createServer', 'Server', 'IncomingMessage', 'ServerResponse', 'request', 'get', 'ClientRequest', 'Agent', 'globalAgent'],
      kept: ['OutgoingMessage', 'STATUS_CODES', 'METHODS', 'maxHeaderSize', 'validateHeaderName', 'validateHeaderValue', 'setMaxIdleHTTPParsers'],
      agentParent: true,
      incomingParent: true,
      responseParent: true,
      serverParent: true,
      httpsAgent: true,
      httpsGlobalAgent: true,
      newAgent: true,
      sameMethods: true,
      sameCodes: true,
      twice: true,
      globalAgentSet: true
    })
  })

  it('Express loaded after the preload builds its request and response on uvhttp\'s classes', async () => {
    const script = `
      const uvhttp = require('uvhttp')
      const app = require('express')()
      console.log(JSON.stringify([
        uvhttp.IncomingMessage.prototype.isPrototypeOf(app.request),
        uvhttp.ServerResponse.prototype.isPrototypeOf(app.response)
      ]))`
    assert.deepStrictEqual(JSON.parse(await node(['-r', 'uvhttp/register', '-e', script])), [true, true])
  })
})
