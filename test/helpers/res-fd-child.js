'use strict'
// Child process for the listen({ fd }) test. argv[2] is the module id of the
// implementation under test; fd 3 is a listening TCP socket inherited from the
// parent. Prints "listening <json address>" once listening, then serves until
// its stdin ends.
const impl = require(process.argv[2])

const server = impl.createServer((req, res) => res.end(`served by fd ${process.pid}`))
server.on('error', (err) => { process.stdout.write(`error ${err.code}\n`); process.exit(1) })
server.listen({ fd: 3 }, () => {
  process.stdout.write(`listening ${JSON.stringify(server.address())}\n`)
})
process.stdin.resume()
process.stdin.on('end', () => server.close(() => process.exit(0)))
setTimeout(() => process.exit(3), 8000).unref()
