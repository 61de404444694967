'use strict'
// A keep-alive connection that the client closes while it waits for its
// next request must leave nothing behind. The lean server keeps waiting
// connections in one sweep per server (lib/server/keep-alive-sweep.ts);
// one that closed stayed there for good (its idle age is unknown once the
// engine has freed it, so it never timed out), about 900 bytes of heap per
// connection: the soak's RSS grew by 3 MiB a minute. The server runs in a
// child process with --expose-gc, which prints the heap kept per connection
// over 2,000 connections after a warm-up; node:http keeps about 40 bytes
// (code the JIT adds), uvhttp the same.
const assert = require('assert')
const path = require('path')
const { execFile } = require('child_process')
const { impls } = require('../helpers/impls')

const CHILD = path.join(__dirname, '..', 'helpers', 'idle-close-heap-child.js')
const MODULES = { 'node:http': 'http', uvhttp: path.join(__dirname, '..', '..') }
const MAX_BYTES_PER_CONNECTION = 400

function heapPerConnection (module) {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--expose-gc', CHILD, module], { timeout: 30000 }, (err, stdout, stderr) =>
      err ? reject(new Error(stderr || err.message)) : resolve(Number(stdout)))
  })
}

describe('regression: keep-alive connections closed by the client while idle are released', function () {
  this.timeout(40000)
  for (const [name] of impls) {
    it(`${name}: the heap does not grow with each closed connection`, async () => {
      const bytes = await heapPerConnection(MODULES[name])
      assert.ok(Number.isFinite(bytes), `the child printed ${bytes}`)
      assert.ok(bytes < MAX_BYTES_PER_CONNECTION, `${bytes} bytes of heap kept per closed connection`)
    })
  }
})
