'use strict'
// uvhttp type-checks as node:http does (issue 11.5): tsc compiles
// test/types/app against the package's declarations (dist/*.d.ts, found by
// the package's own name through package.json "exports"): its exports are
// assignable to node:http's types, nothing of node:http is missing, and an
// application written for node:http's types (server, client, upgrade; CJS
// and ESM, default and named imports, uvhttp/register) compiles, and the
// CommonJS build of it runs.
// test/package compiles and runs the same application from the packed tarball.
const assert = require('assert')
const { execFile } = require('child_process')
const fs = require('fs')
const path = require('path')

const root = path.join(__dirname, '..', '..')

describe('TypeScript: uvhttp\'s declarations against node:http\'s', function () {
  this.timeout(120000)

  it('tsc compiles test/types/app: exports assignable to typeof import(\'node:http\'), and the app, which runs', async () => {
    // Emitted inside the repository (build/ is ignored), where 'uvhttp' resolves to this package.
    const out = path.join(root, 'build', 'types-app')
    fs.rmSync(out, { recursive: true, force: true })
    const tsc = await run([require.resolve('typescript/bin/tsc'), '-p', path.join(__dirname, 'app'), '--outDir', out])
    assert.strictEqual(tsc.code, 0, tsc.output)
    // Its default import, compiled to CommonJS, reads exports.default (the module is marked __esModule).
    const app = await run([path.join(out, 'app.js')])
    assert.strictEqual(app.output, '200 hello GET /typed\n101 ping\n')
    assert.strictEqual(app.code, 0)
  })
})

function run (args) {
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd: root, timeout: 60000 },
      (err, stdout, stderr) => resolve({ code: err ? err.code : 0, output: stdout + stderr }))
  })
}
