'use strict'
// The benchmarked application: `node app.js <module path>`.
// The module is anything shaped like Node's `http` (core `http`, the uvhttp
// package root, another path given with --impl); it is resolved with require,
// so the same file runs unchanged against every contender.
// Protocol with the harness (stdout, one line each):
//   {"port":N}             listening on 127.0.0.1:N, ready for load
//   {"error":"message"}    the module could not be loaded or listen failed
// It stops on SIGTERM/SIGINT (the harness stops it by PID).

const { route } = require('./routes')

function report (obj) { process.stdout.write(JSON.stringify(obj) + '\n') }

const modulePath = process.argv[2] || 'http'
let http
try {
  http = require(modulePath)
  if (typeof http.createServer !== 'function') throw new Error(`${modulePath} has no createServer()`)
} catch (err) {
  report({ error: `cannot load ${modulePath}: ${String(err && err.message).split('\n')[0]}` })
  process.exit(2)
}

const server = http.createServer(route)
server.on('error', (err) => {
  report({ error: `server error: ${err.message}` })
  process.exit(3)
})
// Port 0: the kernel picks a free port, so rounds never collide with
// TIME_WAIT sockets left by the previous process (S4 leaves many).
server.listen(0, '127.0.0.1', () => report({ port: server.address().port }))

const stop = () => process.exit(0)
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
