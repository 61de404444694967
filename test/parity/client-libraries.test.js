'use strict'
// Issue 14: got, axios, node-fetch 2 and supertest, unchanged, over each
// implementation's http (test/fixtures/clients/libraries.js, in a child
// process; for uvhttp the module object's http is replaced first, as
// uvhttp/register does): a GET, a POST with a body, a redirect, a timeout
// and an aborted request each, with the same results as on Node's http.
const assert = require('assert')
const path = require('path')
const { execFile } = require('child_process')

const fixture = path.join(__dirname, '..', 'fixtures', 'clients', 'libraries.js')

function run (register) {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, UVHTTP_REGISTER: register ? '1' : '0' }
    execFile(process.execPath, [fixture], { env, timeout: 15000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${err.message}\n${stderr}`))
      else resolve(JSON.parse(stdout))
    })
  })
}

describe('HTTP client libraries over uvhttp', function () {
  this.timeout(30000)

  it('got, axios, node-fetch 2 and supertest see what they see on node:http', async () => {
    const [node, uv] = await Promise.all([run(false), run(true)])
    // The requests (and the redirects' second requests) went through uvhttp.
    assert.ok(uv.uvhttpRequests >= 20, `uvhttp made ${uv.uvhttpRequests} requests`)
    delete uv.uvhttpRequests
    delete node.uvhttpRequests
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
