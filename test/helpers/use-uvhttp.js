'use strict'
// Preloaded with `node -r` in a child process: require('http') in the
// program returns uvhttp, so an unmodified Node program (the seed's examples)
// runs on it. uvhttp's own modules keep Node's http (they build on it).
const Module = require('module')
const path = require('path')

const pkg = path.join(__dirname, '..', '..')
const uvhttp = require(pkg)
const dist = path.join(pkg, 'dist') + path.sep
const load = Module._load
let handedOut = 0

Module._load = function _load (request, parent, isMain) {
  if ((request === 'http' || request === 'node:http') && !(parent && parent.filename && parent.filename.startsWith(dist))) {
    handedOut++
    return uvhttp
  }
  return load.apply(this, arguments)
}

// For the test to check that the program really ran on uvhttp.
process.on('exit', () => process.stderr.write(`[use-uvhttp] require('http') gave uvhttp ${handedOut} time(s)\n`))
