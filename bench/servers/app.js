'use strict'
// The benchmarked application of S1–S5: `node app.js <module path>`.
// The module is anything shaped like Node's `http` (core `http`, the uvhttp
// package root, another path given with --impl); it is resolved with require,
// so the same file runs unchanged against every contender. Protocol with the
// harness: announce.js.

const { loadHttp, listen } = require('./announce')
const { route } = require('./routes')

listen(loadHttp(process.argv[2] || 'http').createServer(route))
