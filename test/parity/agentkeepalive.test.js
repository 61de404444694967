'use strict'
// Issue 14: agentkeepalive, unchanged, on each implementation: run in a
// child process whose require('http') is the implementation under test
// (uvhttp/register, checked by test/helpers/uvhttp-check.js), so that its
// Agent extends uvhttp's. Both
// must see the same pooling: one socket for three requests (the second
// handed over when the first ends, the third from the free pool), the
// counters agentkeepalive keeps from the agent's events, and its
// freeSocketTimeout closing the idle socket.
const assert = require('assert')
const path = require('path')
const { execFile } = require('child_process')
const { eachImpl } = require('../helpers/impls')

const fixture = path.join(__dirname, '..', 'fixtures', 'clients', 'agentkeepalive.js')
const check = path.join(__dirname, '..', 'helpers', 'uvhttp-check.js')

function run (impl) {
  // The repository resolves `uvhttp` to itself (package.json "exports").
  const args = impl === 'uvhttp' ? ['-r', 'uvhttp/register', '-r', check, fixture] : [fixture]
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { timeout: 8000, cwd: path.join(__dirname, '..', '..') }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${err.message}\n${stderr}`))
      else resolve({ out: JSON.parse(stdout), stderr })
    })
  })
}

eachImpl('agentkeepalive', (http, name) => {
  it('pools, reuses and times out its sockets as on Node\'s Agent', async () => {
    const { out, stderr } = await run(name)
    if (name === 'uvhttp') assert.match(stderr, /http is uvhttp's: true; client requests: uvhttp,uvhttp,uvhttp\n/)
    assert.deepStrictEqual(out.extendsHttpAgent, true)
    assert.deepStrictEqual(out.bodies, ['/a', '/b', '/c'])
    assert.deepStrictEqual(out.reused, [false, false, true])
    assert.strictEqual(out.samePort, true)
    assert.strictEqual(out.idle.createSocketCount, 1)
    assert.strictEqual(out.idle.requestCount, 3)
    assert.deepStrictEqual(Object.values(out.idle.sockets), [])
    assert.deepStrictEqual(Object.values(out.idle.freeSockets), [1])
    assert.deepStrictEqual([out.later.closeSocketCount, out.later.timeoutSocketCount, out.later.freeSockets], [1, 1, {}])
  })
})
