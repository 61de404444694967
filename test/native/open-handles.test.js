'use strict'
// Issue 9.12: the suite runs without mocha's --exit, so a test that leaves
// something open must fail the run, and say what was open: the root hook
// test/helpers/open-handles.js, with the engine's handles named through
// binding.activeHandles() (Node's getActiveResourcesInfo() cannot see them).
const assert = require('assert')
const childProcess = require('child_process')
const path = require('path')
const { binding } = require('../../dist/engine/binding')
const uvhttp = require('../..')
const { once } = require('events')

describe('open handles after the run', () => {
  it('binding.activeHandles() lists a listening uvhttp server, and nothing once it is closed', async () => {
    const before = binding.activeHandles().filter((t) => t === 'tcp').length
    const server = uvhttp.createServer().listen(0, '127.0.0.1')
    await once(server, 'listening')
    assert.strictEqual(binding.activeHandles().filter((t) => t === 'tcp').length, before + 1)
    await new Promise((resolve) => server.close(resolve))
    assert.strictEqual(binding.activeHandles().filter((t) => t === 'tcp').length, before)
  })

  it('a run that leaves a server open fails, naming what holds the loop', async function () {
    this.timeout(20000)
    const root = path.join(__dirname, '..', '..')
    const mocha = path.join(root, 'node_modules', 'mocha', 'bin', 'mocha.js')
    const { code, stderr } = await new Promise((resolve) => {
      childProcess.execFile(process.execPath, [mocha, '--no-config', '--require', 'test/helpers/open-handles.js', 'test/fixtures/leaky-spec.js'],
        { cwd: root, timeout: 15000, env: { ...process.env, UVHTTP_EXIT_GRACE_MS: '200' } },
        (err, stdout, stderr) => resolve({ code: err ? err.code : 0, stderr }))
    })
    assert.strictEqual(code, 1, stderr)
    assert.match(stderr, /the run is over, but the process is still alive after 200 ms/)
    assert.match(stderr, /libuv handles keeping the loop alive \(Node's and uvhttp's\): \["tcp"\]/)
  })
})
