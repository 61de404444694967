'use strict'
// A server process for the reusePort tests (test/parity/reuse-port.test.js):
// argv[2] is the module id of the http implementation, argv[3] the port, and
// argv[4] 'reuse' to listen with reusePort. Prints "listening <port>" or
// "error <code>", answers every request with its pid, and closes once its
// stdin ends.
const http = require(process.argv[2])

const server = http.createServer((req, res) => res.end(String(process.pid)))
server.on('error', (err) => {
  process.stdout.write(`error ${err.code}\n`)
  process.exit(1)
})
server.listen({ port: Number(process.argv[3]), host: '127.0.0.1', reusePort: process.argv[4] === 'reuse' }, () => {
  process.stdout.write(`listening ${server.address().port}\n`)
})
process.stdin.resume()
process.stdin.on('end', () => server.close(() => process.exit(0)))
setTimeout(() => process.exit(3), 20000).unref()
