'use strict'
// Issue 14: got, axios, node-fetch 2 and supertest, unchanged, over each
// implementation's http (test/fixtures/clients/libraries.js, in a child
// process; for uvhttp under uvhttp/register, checked by
// test/helpers/uvhttp-check.js): a GET, a POST with a body, a redirect, a
// timeout and an aborted request each, with the same results as on Node's
// http.
const assert = require('assert')
const path = require('path')
const { execFile } = require('child_process')

const fixture = path.join(__dirname, '..', 'fixtures', 'clients', 'libraries.js')
const check = path.join(__dirname, '..', 'helpers', 'uvhttp-check.js')

function run (register) {
  // The repository resolves `uvhttp` to itself (package.json "exports").
  const args = register ? ['-r', 'uvhttp/register', '-r', check, fixture] : [fixture]
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { timeout: 15000, cwd: path.join(__dirname, '..', '..') }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${err.message}\n${stderr}`))
      else resolve({ out: JSON.parse(stdout), stderr })
    })
  })
}

describe('HTTP client libraries over uvhttp', function () {
  this.timeout(30000)

  it('got, axios, node-fetch 2 and supertest see what they see on node:http', async () => {
    const [{ out: node }, { out: uv, stderr }] = await Promise.all([run(false), run(true)])
    // Every request (the redirects' second ones too) went through uvhttp.
    const check = /http is uvhttp's: (\w+); client requests: (.*)\n/.exec(stderr)
    assert.ok(check, stderr)
    assert.strictEqual(check[1], 'true')
    const made = check[2].split(',')
    assert.ok(made.length >= 20 && made.every((impl) => impl === 'uvhttp'), check[2])
    assert.deepStrictEqual(uv, node)
    for (const lib of ['got', 'axios', 'node-fetch', 'supertest']) {
      const r = uv[lib]
      assert.deepStrictEqual([r.get.method, r.get.url], ['GET', '/get'], lib)
      assert.deepStrictEqual([r.post.method, r.post.body], ['POST', `${lib === 'node-fetch' ? 'fetch' : lib} body`], lib)
      assert.strictEqual(r.redirect.url, '/target', lib)
      assert.ok(r.timeout.error, `${lib}: no timeout error`)
      assert.ok(r.aborted.error || r.aborted.abortEvent, `${lib}: not aborted`)
    }
  })
})
