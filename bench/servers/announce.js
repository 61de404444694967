'use strict'
// What every process the harness starts (servers/*.js) says on stdout, one
// JSON line: {"port":N} once it listens on 127.0.0.1:N and is ready for load,
// or {"error":"message"} when it cannot start (child.js reads it). Once ready
// it stops on SIGTERM/SIGINT: the harness stops it by PID.

function report (obj) { process.stdout.write(JSON.stringify(obj) + '\n') }

/** Says the process is listening on port; from now on SIGTERM/SIGINT end it. */
function ready (port) {
  for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => process.exit(0))
  report({ port })
}

/** Says why this process cannot serve, and exits. */
function fail (message, exitCode = 2) {
  report({ error: message })
  process.exit(exitCode)
}

/** require(modulePath), checked to be shaped like Node's http; fails with one line. */
function loadHttp (modulePath) {
  try {
    const http = require(modulePath)
    if (typeof http.createServer !== 'function') throw new Error(`${modulePath} has no createServer()`)
    return http
  } catch (err) {
    return fail(`cannot load ${modulePath}: ${String(err && err.message).split('\n')[0]}`)
  }
}

/**
 * Listens on 127.0.0.1, port 0 (the kernel picks a free port, so rounds never
 * collide with TIME_WAIT sockets left by the previous process: S4 leaves
 * many), and reports it. For anything with Node's server.listen().
 * With BENCH_REUSE_PORT=<port> in the environment it listens with
 * { reusePort: true } on that port (0 for the first of a group, which then
 * tells the harness the port the others join; workers.js).
 */
function listen (server) {
  server.on('error', (err) => fail(`server error: ${err.message}`, 3))
  const reuse = process.env.BENCH_REUSE_PORT
  const options = reuse === undefined ? { port: 0 } : { port: Number(reuse), reusePort: true }
  server.listen({ ...options, host: '127.0.0.1' }, () => ready(server.address().port))
}

module.exports = { ready, fail, loadHttp, listen }
