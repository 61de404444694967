'use strict'
// uvhttp type-checks as node:http does (issue 11.5): tsc compiles
// test/types/app against the package's declarations (dist/*.d.ts, found by
// the package's own name through package.json "exports"): its exports are
// assignable to node:http's types, nothing of node:http is missing, and an
// application written for node:http's types (server, client, upgrade; CJS
// and ESM, default and named imports, uvhttp/register) compiles.
// test/package compiles and runs the same application from the packed tarball.
const assert = require('assert')
const { execFile } = require('child_process')
const path = require('path')

const root = path.join(__dirname, '..', '..')

describe('TypeScript: uvhttp\'s declarations against node:http\'s', function () {
  this.timeout(120000)

  it('tsc compiles test/types/app: exports assignable to typeof import(\'node:http\'), and the app', async () => {
    const tsc = require.resolve('typescript/bin/tsc')
    const out = await new Promise((resolve) => {
      execFile(process.execPath, [tsc, '-p', path.join(__dirname, 'app'), '--noEmit'], { cwd: root },
        (err, stdout, stderr) => resolve({ code: err ? err.code : 0, output: stdout + stderr }))
    })
    assert.strictEqual(out.code, 0, out.output)
  })
})
